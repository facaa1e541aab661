package dev.goheap.gc.pause;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable copy of consecutive pauses of a {@link PauseLog} ({@link PauseLog#snapshot()},
 * {@link PauseLog#last(int)}), oldest first: pause {@code i} ran from {@code startNanos(i)} for
 * {@code lengthNanos(i)}. Starts are non-decreasing and pauses do not overlap.
 *
 * <p><b>Thread safety:</b> immutable; safe to share. <b>Ownership:</b> the snapshot owns its arrays;
 * the array accessors return fresh copies.
 */
public final class PauseSnapshot {
    private static final PauseKind[] KINDS = PauseKind.values();

    private final byte[] kinds; // PauseKind ordinals
    private final long[] starts;
    private final long[] lengths;

    PauseSnapshot(byte[] kinds, long[] starts, long[] lengths) {
        assert kinds.length == starts.length && starts.length == lengths.length;
        this.kinds = kinds;
        this.starts = starts;
        this.lengths = lengths;
    }

    /** Returns the number of pauses. */
    public int size() {
        return starts.length;
    }

    /**
     * Returns pause {@code i}.
     *
     * @throws IndexOutOfBoundsException if {@code i < 0 || i >= size()}
     */
    public PauseRecord get(int i) {
        Objects.checkIndex(i, size());
        return new PauseRecord(KINDS[kinds[i]], starts[i], lengths[i]);
    }

    /**
     * Returns the kind of pause {@code i}.
     *
     * @throws IndexOutOfBoundsException if {@code i < 0 || i >= size()}
     */
    public PauseKind kind(int i) {
        return KINDS[kinds[Objects.checkIndex(i, size())]];
    }

    /**
     * Returns the start (stop request) of pause {@code i}, in {@link System#nanoTime()} units.
     *
     * @throws IndexOutOfBoundsException if {@code i < 0 || i >= size()}
     */
    public long startNanos(int i) {
        return starts[Objects.checkIndex(i, size())];
    }

    /**
     * Returns the length (stop request to release) of pause {@code i}.
     *
     * @throws IndexOutOfBoundsException if {@code i < 0 || i >= size()}
     */
    public long lengthNanos(int i) {
        return lengths[Objects.checkIndex(i, size())];
    }

    /** Returns a copy of the starts, oldest first. */
    public long[] startsNanos() {
        return starts.clone();
    }

    /** Returns a copy of the lengths, oldest first (Go's {@code MemStats.PauseNs}, in order). */
    public long[] lengthsNanos() {
        return lengths.clone();
    }

    /** Returns the sum of the lengths (0 if empty). */
    public long totalNanos() {
        long sum = 0;
        for (long length : lengths) {
            sum += length;
        }
        return sum;
    }

    /** Returns the longest length (0 if empty). */
    public long maxNanos() {
        long max = 0;
        for (long length : lengths) {
            max = Math.max(max, length);
        }
        return max;
    }

    /** The arrays themselves, not copied, for {@link Mmu}, which only reads them. */
    long[] startsNoCopy() {
        return starts;
    }

    long[] lengthsNoCopy() {
        return lengths;
    }

    @Override
    public String toString() {
        return "PauseSnapshot[size=" + size() + ", totalNanos=" + totalNanos() + ", maxNanos=" + maxNanos()
                + (size() <= 8 ? ", starts=" + Arrays.toString(starts) + ", lengths=" + Arrays.toString(lengths) : "")
                + "]";
    }
}
