package dev.recsys.api.loss;

/** The two training stages (docs/ARCHITECTURE.md, "The model, and why two stages"). */
public enum Stage {
    /** Self-supervised next-item prediction at every history position with the stage-1 score. */
    PRETRAIN,
    /** Fine-tuning the stage-2 cross-attention scorer on candidate items. */
    FINETUNE
}
