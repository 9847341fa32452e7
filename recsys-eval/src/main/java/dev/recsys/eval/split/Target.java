package dev.recsys.eval.split;

/** Which held-out item an evaluation ranks. */
public enum Target {
    /** The validation item: for model selection and early stopping. The history is the training sequence. */
    VALIDATION,
    /** The test item: for final numbers only. The history is the training sequence plus the validation item. */
    TEST
}
