/**
 * Engine-free evaluation for recsys: data readers and preparation ({@code data}), splits
 * ({@code split}), ranking metrics and paired tests ({@code metrics}), evaluation protocols
 * ({@code protocol}), baselines ({@code baseline}), a synthetic MovieLens-style data set
 * ({@code synthetic}), verified downloads ({@code download}) and a benchmark ({@code bench}).
 */
package dev.recsys.eval;
