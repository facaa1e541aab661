package dev.goheap.gc.pause;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;

/**
 * Every stop-the-world pause of a run, in order: its kind, its start (the stop request) and its
 * length (to the release), in {@link System#nanoTime()} units; plus running totals and a
 * histogram of the lengths for percentiles. The {@link PauseScheduler} reads it to size the next
 * pause; gctrace, {@code MemStats} and {@link Mmu} read snapshots of it.
 *
 * <p><b>Thread safety:</b> every method takes {@link #lock}. One collector thread records (calls
 * from several threads are safe but must still come in time order); any thread reads. Readers
 * copy under the lock ({@link #snapshot()}, {@link #last(int)}), so a snapshot never changes. The
 * collector records a pause after its release, so a reader holding the lock never lengthens a
 * pause.
 *
 * <p><b>Invariants</b> (checked by {@link #record}): lengths are {@code >= 0}; each pause starts
 * at or after the end of the one before, so starts and ends are both non-decreasing and pauses
 * never overlap.
 *
 * <p><b>Memory:</b> the log keeps every pause: 17 bytes each (a start, a length, a kind byte) in
 * arrays that double when full, plus the histogram (about 120 KiB once pauses reach 10 ms; it
 * grows with the longest pause, logarithmically). Nothing grows with the heap's objects.
 * {@link #record} allocates only when an array or the histogram grows: amortised, not per call.
 */
public final class PauseLog {
    /** The most pauses a log can hold (array indices are {@code int}s). */
    static final int MAX_PAUSES = Integer.MAX_VALUE - 8;
    private static final int INITIAL_CAPACITY = 256;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final ReentrantLock lock = new ReentrantLock();
    private byte[] kinds = new byte[INITIAL_CAPACITY]; // guarded by lock; PauseKind ordinals
    private long[] starts = new long[INITIAL_CAPACITY]; // guarded by lock
    private long[] lengths = new long[INITIAL_CAPACITY]; // guarded by lock
    private int count; // guarded by lock
    private long totalNanos; // guarded by lock
    private long maxNanos; // guarded by lock
    // guarded by lock; auto-resizing, lowest discernible value 1 ns, values within 0.1 %
    private final Histogram lengthHistogram = new Histogram(SIGNIFICANT_DIGITS);

    /** Makes an empty log. */
    public PauseLog() {}

    /**
     * Records a pause that has ended. Call it after the release, before asking the scheduler for
     * the next budget.
     *
     * @param kind        why the world was stopped
     * @param startNanos  when the stop was requested ({@link System#nanoTime()})
     * @param lengthNanos how long until the release
     * @throws NullPointerException     if {@code kind == null}
     * @throws IllegalArgumentException if {@code lengthNanos < 0}, if {@code startNanos + lengthNanos}
     *                                  overflows, or if {@code startNanos} is before the end of the
     *                                  last recorded pause; the log is unchanged
     * @throws IllegalStateException    if the log already holds {@code Integer.MAX_VALUE - 8} pauses
     */
    public void record(PauseKind kind, long startNanos, long lengthNanos) {
        Objects.requireNonNull(kind, "kind");
        Intervals.checkInterval("lengthNanos", startNanos, lengthNanos);
        lock.lock();
        try {
            if (count > 0 && startNanos < endLocked(count - 1)) {
                throw Errors.outOfOrder(startNanos, endLocked(count - 1));
            }
            if (count == starts.length) {
                growLocked();
            }
            kinds[count] = (byte) kind.ordinal();
            starts[count] = startNanos;
            lengths[count] = lengthNanos;
            count++;
            totalNanos += lengthNanos;
            maxNanos = Math.max(maxNanos, lengthNanos);
            lengthHistogram.recordValue(lengthNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of pauses recorded (Go's {@code MemStats.NumGC} counts cycles; this counts stops). */
    public int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the sum of all pause lengths (Go's {@code MemStats.PauseTotalNs}). */
    public long totalNanos() {
        lock.lock();
        try {
            return totalNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the longest pause, exactly (0 if none). */
    public long maxNanos() {
        lock.lock();
        try {
            return maxNanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the pause length at {@code percentile} (50 for p50, 99.9 for p999): a value within
     * 0.1 % of the exact one (the histogram keeps 3 significant digits), never above
     * {@link #maxNanos()}; 0 if no pause was recorded.
     *
     * @throws IllegalArgumentException if {@code percentile} is not in {@code [0, 100]}
     */
    public long percentileNanos(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw Errors.bad("percentile", percentile, "0..100");
        }
        lock.lock();
        try {
            return count == 0 ? 0 : Math.min(lengthHistogram.getValueAtPercentile(percentile), maxNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the world's stopped time inside {@code [fromNanos, toNanos)}: the sum of the parts of
     * the recorded pauses that fall in it (a pause straddling an edge counts in part).
     *
     * @throws IllegalArgumentException if {@code fromNanos > toNanos}
     */
    public long stoppedNanosIn(long fromNanos, long toNanos) {
        if (fromNanos > toNanos) {
            throw Errors.emptyRange("[fromNanos, toNanos)", fromNanos, toNanos);
        }
        lock.lock();
        try {
            return stoppedLocked(fromNanos, toNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Returns a copy of every pause, oldest first. */
    public PauseSnapshot snapshot() {
        return last(Integer.MAX_VALUE);
    }

    /**
     * Returns a copy of the last {@code min(n, count())} pauses, oldest first ({@code MemStats}
     * shows the last 256, as Go's {@code PauseNs} and {@code PauseEnd} do).
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public PauseSnapshot last(int n) {
        if (n < 0) {
            throw Errors.bad("n", n, ">= 0");
        }
        lock.lock();
        try {
            int from = count - Math.min(n, count);
            return new PauseSnapshot(Arrays.copyOfRange(kinds, from, count),
                    Arrays.copyOfRange(starts, from, count), Arrays.copyOfRange(lengths, from, count));
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the scheduler: the stopped time in {@code [nowNanos - windowNanos, nowNanos)}, after checking
     * that no recorded pause ends after {@code nowNanos}.
     *
     * @throws IllegalArgumentException if {@code nowNanos} is before the end of the last recorded pause
     */
    long stoppedInWindowEndingAt(long nowNanos, long windowNanos) {
        lock.lock();
        try {
            if (count > 0 && nowNanos < endLocked(count - 1)) {
                throw Errors.beforeLastPause(nowNanos, endLocked(count - 1));
            }
            return stoppedLocked(Intervals.saturatedAdd(nowNanos, -windowNanos), nowNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the scheduler: the earliest {@code x >= fromNanos} with {@code stoppedNanosIn(fromNanos, x)
     * >= amountNanos}, or {@link Long#MAX_VALUE} if the log holds less stopped time after
     * {@code fromNanos}.
     */
    long stoppedUntil(long fromNanos, long amountNanos) {
        assert amountNanos > 0;
        lock.lock();
        try {
            long remaining = amountNanos;
            for (int i = firstEndingAfterLocked(fromNanos); i < count; i++) {
                long from = Math.max(starts[i], fromNanos);
                long part = endLocked(i) - from;
                if (part >= remaining) {
                    return from + remaining;
                }
                remaining -= part;
            }
            return Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
    }

    private long stoppedLocked(long fromNanos, long toNanos) {
        assert lock.isHeldByCurrentThread();
        long sum = 0;
        for (int i = firstEndingAfterLocked(fromNanos); i < count && starts[i] < toNanos; i++) {
            sum += Math.min(endLocked(i), toNanos) - Math.max(starts[i], fromNanos);
        }
        return sum;
    }

    /** Returns the first pause that ends after {@code t} ({@code count} if none); ends are non-decreasing. */
    private int firstEndingAfterLocked(long t) {
        assert lock.isHeldByCurrentThread();
        int lo = 0;
        int hi = count; // answer in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (endLocked(mid) <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private long endLocked(int i) {
        return starts[i] + lengths[i];
    }

    private void growLocked() {
        assert lock.isHeldByCurrentThread();
        if (count == MAX_PAUSES) {
            throw Errors.full(count);
        }
        int capacity = (int) Math.min(MAX_PAUSES, 2L * starts.length);
        kinds = Arrays.copyOf(kinds, capacity);
        starts = Arrays.copyOf(starts, capacity);
        lengths = Arrays.copyOf(lengths, capacity);
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "PauseLog[count=" + count + ", totalNanos=" + totalNanos + ", maxNanos=" + maxNanos + "]";
        } finally {
            lock.unlock();
        }
    }
}
