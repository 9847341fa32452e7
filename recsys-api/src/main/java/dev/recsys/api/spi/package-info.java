/**
 * The backend SPI: {@link dev.recsys.api.spi.BackendProvider} found through
 * {@link java.util.ServiceLoader}, selected by {@link dev.recsys.api.spi.Backends}; a
 * {@link dev.recsys.api.spi.Backend} builds {@link dev.recsys.api.spi.RecModel}s that score and
 * return gradients. Optimisation, batching and checkpoints stay engine-free.
 */
package dev.recsys.api.spi;
