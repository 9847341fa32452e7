package dev.recsys.examples;

/** The tiny synthetic data and model settings the command-line and comparison tests train on (seconds per run). */
public final class TinyRun {
    public static final String DATA = "synthetic:users=80,items=60,length=10,seed=3";

    /** {@code --set} pairs of a tiny two-stage model. */
    public static final String[] SETTINGS = {
        "--set",
        "model.dim=16",
        "--set",
        "model.heads=2",
        "--set",
        "model.maxLen=12",
        "--set",
        "model.ffnDim=16",
        "--set",
        "content.length=6",
        "--set",
        "pretrain.epochs=2",
        "--set",
        "pretrain.batchSize=32",
        "--set",
        "pretrain.evalEvery=1",
        "--set",
        "finetune.epochs=1",
        "--set",
        "finetune.batchSize=32",
        "--set",
        "eval.rerank=10",
        "--set",
        "model.useContent=true"
    };

    private TinyRun() {}
}
