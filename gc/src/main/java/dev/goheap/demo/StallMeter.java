package dev.goheap.demo;

import java.util.concurrent.locks.LockSupport;

/**
 * Measures how late the machine wakes a thread: a daemon platform thread that asks to sleep
 * 1 ms again and again and records its worst oversleep. A pause longer than its budget while
 * this meter also saw a long oversleep was the machine's (the OS or the hypervisor did not run
 * the collector thread), not work goheap did inside the pause. Touches no goheap state.
 *
 * <p><b>Thread safety:</b> {@link #maxLateNanos} may be read from any thread.
 */
final class StallMeter implements AutoCloseable {
    private static final long NAP_NANOS = 1_000_000;
    /** Oversleeps at least this long are kept as intervals, to match them with pauses. */
    private static final long KEPT_NANOS = 1_000_000;
    private static final int KEPT_MAX = 4096;

    private final Thread thread;
    private volatile boolean closed;
    private volatile long maxLateNanos;
    private final long[] stallStarts = new long[KEPT_MAX]; // guarded by this
    private final long[] stallEnds = new long[KEPT_MAX];   // guarded by this
    private int stalls;                                    // guarded by this

    StallMeter() {
        thread = Thread.ofPlatform().daemon().name("stall-meter").start(this::run);
    }

    private void run() {
        while (!closed) {
            long before = System.nanoTime();
            LockSupport.parkNanos(NAP_NANOS);
            long late = System.nanoTime() - before - NAP_NANOS;
            if (late > maxLateNanos) {
                maxLateNanos = late;
            }
            if (late >= KEPT_NANOS) {
                synchronized (this) {
                    if (stalls < KEPT_MAX) {
                        stallStarts[stalls] = before + NAP_NANOS;
                        stallEnds[stalls++] = before + NAP_NANOS + late;
                    }
                }
            }
        }
    }

    /** The longest the thread woke up after its 1 ms nap was due. */
    long maxLateNanos() {
        return maxLateNanos;
    }

    /** Whether an oversleep of 1 ms or more overlapped {@code [fromNanos, toNanos)}. */
    synchronized boolean stalledDuring(long fromNanos, long toNanos) {
        for (int i = 0; i < stalls; i++) {
            if (stallStarts[i] < toNanos && stallEnds[i] > fromNanos) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join();
    }
}
