package dev.goheap.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how long the machine keeps threads off their CPUs: a daemon platform thread that asks
 * to sleep 1 ms again and again and records its oversleeps, and (on Linux) reads the collector
 * thread's run-queue delay ({@code /proc/self/task/TID/schedstat}, the thread named {@code
 * goheap-gc}) at each wake-up. A pause longer than planned while this meter saw a stall of 1 ms
 * or more was the machine's (the OS or the hypervisor did not run the collector thread), not
 * work goheap did inside the pause. The meter's own thread sleeps, so the OS favours it; the
 * collector thread, which runs a lot, can wait for a CPU while the meter does not, hence both.
 * Touches no goheap state.
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
        Path collector = null;
        long waited = -1; // the collector thread's run-queue delay at the last look, or -1
        while (!closed) {
            long before = System.nanoTime();
            LockSupport.parkNanos(NAP_NANOS);
            long now = System.nanoTime();
            long late = now - before - NAP_NANOS;
            if (late > maxLateNanos) {
                maxLateNanos = late;
            }
            if (late >= KEPT_NANOS) {
                keep(before + NAP_NANOS, now);
            }
            if (collector == null) {
                collector = findCollectorThread();
            }
            long w = runQueueNanos(collector);
            if (w < 0) {
                collector = null; // not on Linux, not started yet, or that collector ended
            } else if (waited >= 0 && w - waited >= KEPT_NANOS) {
                keep(before, now);
            }
            waited = w;
        }
    }

    private synchronized void keep(long fromNanos, long toNanos) {
        if (stalls < KEPT_MAX) {
            stallStarts[stalls] = fromNanos;
            stallEnds[stalls++] = toNanos;
        }
    }

    /** The schedstat file of the live thread named goheap-gc, or null. */
    private static Path findCollectorThread() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                if (Files.readString(t.resolve("comm")).trim().equals("goheap-gc")) {
                    return t.resolve("schedstat");
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no /proc: oversleeps only
        }
        return null;
    }

    /** The second field of schedstat: nanoseconds spent waiting on a run queue; -1 if unreadable. */
    private static long runQueueNanos(Path schedstat) {
        if (schedstat == null) {
            return -1;
        }
        try {
            String[] fields = Files.readString(schedstat).trim().split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The longest the thread woke up after its 1 ms nap was due. */
    long maxLateNanos() {
        return maxLateNanos;
    }

    /** Whether a stall of 1 ms or more (an oversleep, or the collector on a run queue) overlapped {@code [fromNanos, toNanos)}. */
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
