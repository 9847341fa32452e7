package dev.recsys.eval.split;

/**
 * The split of the cold-start items protocol ({@link ColdItems#apply}). Both splits share the
 * training sequences (no cold item in them) and the targets; they differ only where a user's
 * validation item is cold: the validation split keeps it as that user's validation target, the
 * test split leaves it out of the test history (so its validation entry is empty).
 *
 * @param validation the split for model selection
 * @param test       the split for the test result
 * @param cold       the cold items
 */
public record ColdStartSplit(Split validation, Split test, ColdItems cold) {
    /** The split to evaluate {@code t} on. */
    public Split forTarget(Target t) {
        return t == Target.VALIDATION ? validation : test;
    }
}
