package dev.recsys.eval.split;

import java.util.Arrays;

/**
 * A per-user split of a dataset into a training sequence, one validation item and one test item.
 * Dense ids follow the dataset (users 1..U, items 1..N); arrays are indexed by user, index 0 unused.
 * A user with no validation (or test) item has 0 there and is skipped, and counted, by evaluation.
 *
 * <p>History seen by a model: for {@link Target#VALIDATION} the training sequence; for
 * {@link Target#TEST} the training sequence followed by the validation item (when there is one).
 * Training sequences come from the split only, so nothing of a user's held-out items leaks into
 * training. Instances are not copied defensively for speed: treat all arrays as read-only.
 *
 * @param name            split name, e.g. {@code leave-one-out}
 * @param dataset         dataset name
 * @param numUsers        U
 * @param numItems        N
 * @param train           training sequences {@code [U+1][]}, time order
 * @param trainEvents     event types aligned with {@code train}, or null
 * @param trainRatings    ratings aligned with {@code train}, or null
 * @param validation      validation item per user {@code [U+1]}, 0 if none
 * @param validationEvent event type of the validation item, or null
 * @param test            test item per user {@code [U+1]}, 0 if none
 * @param testEvent       event type of the test item, or null
 */
public record Split(
        String name,
        String dataset,
        int numUsers,
        int numItems,
        int[][] train,
        int[][] trainEvents,
        float[][] trainRatings,
        int[] validation,
        int[] validationEvent,
        int[] test,
        int[] testEvent) {
    private static final int[] EMPTY = new int[0];

    public Split {
        if (numUsers < 0 || numItems <= 0) {
            throw new IllegalArgumentException(
                    "a split needs numUsers >= 0 and numItems > 0, found " + numUsers + ", " + numItems);
        }
        checkLen("train", train.length, numUsers + 1);
        checkLen("validation", validation.length, numUsers + 1);
        checkLen("test", test.length, numUsers + 1);
        if (trainEvents != null) {
            checkLen("trainEvents", trainEvents.length, numUsers + 1);
        }
        if (trainRatings != null) {
            checkLen("trainRatings", trainRatings.length, numUsers + 1);
        }
        if (train[0] == null) {
            train[0] = EMPTY;
        }
        for (int u = 1; u <= numUsers; u++) {
            if (train[u] == null) {
                throw new IllegalArgumentException("train[" + u + "] is null; use an empty array");
            }
            checkItem(validation[u], u, "validation", numItems);
            checkItem(test[u], u, "test", numItems);
        }
    }

    private static void checkLen(String what, int found, int expected) {
        if (found != expected) {
            throw new IllegalArgumentException(
                    what + " must have numUsers+1 = " + expected + " entries, found " + found);
        }
    }

    private static void checkItem(int item, int u, String what, int numItems) {
        if (item < 0 || item > numItems) {
            throw new IllegalArgumentException(
                    what + " item of user " + u + " must be in 0.." + numItems + ", found " + item);
        }
    }

    /** The target item of user {@code u} for {@code t} (0 when none). */
    public int target(int u, Target t) {
        return t == Target.VALIDATION ? validation[u] : test[u];
    }

    /** The history a model sees before predicting {@code t} for user {@code u}. */
    public int[] history(int u, Target t) {
        if (t == Target.VALIDATION || validation[u] == 0) {
            return train[u];
        }
        int[] h = Arrays.copyOf(train[u], train[u].length + 1);
        h[train[u].length] = validation[u];
        return h;
    }

    /** Event types aligned with {@link #history(int, Target)}, or null without events. */
    public int[] historyEvents(int u, Target t) {
        if (trainEvents == null) {
            return null;
        }
        if (t == Target.VALIDATION || validation[u] == 0) {
            return trainEvents[u];
        }
        int[] h = Arrays.copyOf(trainEvents[u], trainEvents[u].length + 1);
        h[trainEvents[u].length] = validationEvent == null ? 0 : validationEvent[u];
        return h;
    }

    /** Number of users with a target for {@code t}. */
    public int usersWithTarget(Target t) {
        int n = 0;
        for (int u = 1; u <= numUsers; u++) {
            if (target(u, t) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Total length of the training sequences. */
    public long trainInteractions() {
        long n = 0;
        for (int u = 1; u <= numUsers; u++) {
            n += train[u].length;
        }
        return n;
    }

    /** Training interactions per item {@code [N+1]} (the popularity every baseline and metric uses). */
    public int[] trainItemCounts() {
        int[] c = new int[numItems + 1];
        for (int u = 1; u <= numUsers; u++) {
            for (int i : train[u]) {
                c[i]++;
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "Split[" + name + " of " + dataset + ": " + numUsers + " users, " + numItems + " items, "
                + trainInteractions()
                + " training interactions, " + usersWithTarget(Target.VALIDATION) + " validation and "
                + usersWithTarget(Target.TEST) + " test users]";
    }
}
