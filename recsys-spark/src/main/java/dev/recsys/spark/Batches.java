package dev.recsys.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's lines in batches, mapped lazily: a batch is processed when its first output is
 * asked for, so a partition's output is never all in memory at once.
 */
final class Batches<T> implements Iterator<T> {
    private final Iterator<String> in;
    private final int size;
    private final Function<List<String>, List<T>> f;
    private Iterator<T> current = Collections.emptyIterator();

    private Batches(Iterator<String> in, int size, Function<List<String>, List<T>> f) {
        this.in = in;
        this.size = size;
        this.f = f;
    }

    /** {@code f} applied to batches of {@code size} lines of {@code in}, flattened. */
    static <T> Iterator<T> of(Iterator<String> in, int size, Function<List<String>, List<T>> f) {
        return new Batches<>(in, size, f);
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && in.hasNext()) {
            List<String> batch = new ArrayList<>(size);
            while (batch.size() < size && in.hasNext()) {
                batch.add(in.next());
            }
            current = f.apply(batch).iterator();
        }
        return current.hasNext();
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
