/**
 * Splits: leave-one-out per user ({@link dev.recsys.eval.split.LeaveOneOut}), a global temporal split
 * ({@link dev.recsys.eval.split.TemporalSplit}) and a random holdout for rating tasks. Split first,
 * then derive training sequences from the split only.
 */
package dev.recsys.eval.split;
