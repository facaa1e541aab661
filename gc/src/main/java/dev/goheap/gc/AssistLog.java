package dev.goheap.gc;

import dev.goheap.gc.pause.Mmu;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.gc.pause.PauseSnapshot;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When some goroutine was assisting: the second log of {@code dev.goheap.gc.pause}'s "MMU, two
 * ways". Assists of several goroutines overlap, and a {@link PauseLog} takes intervals in order
 * and without overlap, so the log records busy periods: from the moment one goroutine starts
 * assisting while none was, to the moment none is any more (kind {@link PauseKind#ASSIST}).
 * That is the pessimistic view of a mutator held whenever any assist runs; with one goroutine
 * it is exact. The pause scheduler never reads this log: assists are not stops, and the bound
 * (B in every W) is about stops only.
 *
 * <p><b>Thread safety:</b> {@link #begin} and {@link #end} run on assisting goroutines and take
 * {@link #lock}, reading the clock under it, so busy periods come in order; any thread reads.
 */
final class AssistLog {
    private final ReentrantLock lock = new ReentrantLock();
    private final PauseLog log = new PauseLog();
    private int running;       // guarded by lock: assists in progress
    private long busyStartNanos; // guarded by lock: when running last became non-zero

    /** An assist starts; returns the time it starts at. */
    long begin() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (running++ == 0) {
                busyStartNanos = now;
            }
            return now;
        } finally {
            lock.unlock();
        }
    }

    /** An assist that {@link #begin} started ends; returns the time it ends at. */
    long end() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (running <= 0) {
                throw new InternalError("assist log: end without begin (expected: one end per begin)");
            }
            if (--running == 0) {
                log.record(PauseKind.ASSIST, busyStartNanos, now - busyStartNanos);
            }
            return now;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the busy periods recorded so far. */
    PauseLog log() {
        return log;
    }

    /**
     * MMU with assists counted as time the mutator lost: over the union of the stops and the
     * assist busy periods ({@link Mmu} merges overlaps, so time that is both counts once).
     *
     * @throws IllegalArgumentException as {@link Mmu#mmuCurve(long[], long[], long, long, long...)}
     */
    static double[] mmuCurveWithAssists(PauseSnapshot stops, PauseSnapshot assists, long runStartNanos,
            long runEndNanos, long... windowsNanos) {
        int n = stops.size();
        int m = assists.size();
        long[] starts = new long[n + m];
        long[] lengths = new long[n + m];
        System.arraycopy(stops.startsNanos(), 0, starts, 0, n);
        System.arraycopy(stops.lengthsNanos(), 0, lengths, 0, n);
        System.arraycopy(assists.startsNanos(), 0, starts, n, m);
        System.arraycopy(assists.lengthsNanos(), 0, lengths, n, m);
        return Mmu.mmuCurve(starts, lengths, runStartNanos, runEndNanos, windowsNanos);
    }
}
