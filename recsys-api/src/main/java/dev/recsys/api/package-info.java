/**
 * recsys: a Transformer-based content recommender for the JVM. This package holds the
 * exception hierarchy; the sub-packages hold configs ({@code config}), data records and
 * tokenisation ({@code data}), loss specifications with reference maths ({@code loss}), the
 * canonical parameter layout and component interfaces ({@code model}), the backend SPI
 * ({@code spi}), checkpoints ({@code io}), the engine-free training loop ({@code train}) and
 * the plain-Java reference forward pass ({@code reference}).
 */
package dev.recsys.api;
