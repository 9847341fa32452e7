/**
 * The model's definition shared by every backend: the canonical parameter layout
 * ({@link dev.recsys.api.model.ParamLayout}), seeded initialisation, named weights, the
 * component interfaces ({@link dev.recsys.api.model.Encoder},
 * {@link dev.recsys.api.model.CrossAttention}, {@link dev.recsys.api.model.Scorer}) and the
 * forward trace used to compare backends layer by layer.
 */
package dev.recsys.api.model;
