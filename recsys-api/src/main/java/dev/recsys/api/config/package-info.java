/** Validated configuration records: model shape, training stage, optimiser. */
package dev.recsys.api.config;
