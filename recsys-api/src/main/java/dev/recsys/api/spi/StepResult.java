package dev.recsys.api.spi;

import dev.recsys.api.model.Weights;

/**
 * The loss of one batch and its gradient with respect to every parameter (canonical names and
 * shapes). The gradient buffers may be reused by the model on its next call.
 */
public record StepResult(float loss, Weights gradients) {}
