package dev.goheap.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how long the machine keeps threads off their CPUs: a daemon platform thread that asks
 * to sleep 1 ms again and again and records its oversleeps, and (on Linux) reads at each wake-up
 * the run-queue delay ({@code /proc/self/task/TID/schedstat}) of the threads that can run a
 * pause's work and release it: the collector thread ({@code goheap-gc}) and the carriers of
 * virtual threads ({@code ForkJoinPool-N-worker-M}), on which the goroutine that completes a stop
 * runs the work and releases the world. A pause longer than planned by no more than the stalls
 * of 1 ms or more this meter saw during it was late because of the machine (the OS or the
 * hypervisor did not run that thread; a JVM safepoint stops this meter too), not because of work
 * goheap did inside the pause. The meter's own thread
 * sleeps, so the OS favours it; the collector thread and a busy carrier can wait for a CPU while
 * the meter does not, hence both. During a stop every goroutine is stopped, so a carrier that
 * waits on a run queue then is, but for a goroutine running outside goheap, the one completing
 * the stop. Touches no goheap state.
 *
 * <p><b>Thread safety:</b> {@link #maxLateNanos} may be read from any thread.
 */
final class StallMeter implements AutoCloseable {
    private static final long NAP_NANOS = 1_000_000;
    /** Oversleeps at least this long are kept as intervals, to match them with pauses. */
    private static final long KEPT_NANOS = 1_000_000;
    private static final int KEPT_MAX = 4096;
    /** Naps between two looks for the watched threads (carriers start as goroutines need them). */
    private static final int RESCAN_NAPS = 50;
    private static final int WATCHED_MAX = 64;

    private final Thread thread;
    private volatile boolean closed;
    private volatile long maxLateNanos;
    private final long[] stallStarts = new long[KEPT_MAX]; // guarded by this
    private final long[] stallEnds = new long[KEPT_MAX];   // guarded by this
    private int stalls;                                    // guarded by this

    // The meter thread's own: the watched threads' schedstat files and their last run-queue delays.
    private final List<Path> watched = new ArrayList<>();
    private final Map<Path, Long> waited = new HashMap<>();

    StallMeter() {
        thread = Thread.ofPlatform().daemon().name("stall-meter").start(this::run);
    }

    private void run() {
        for (int nap = 0; !closed; nap++) {
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
            if (nap % RESCAN_NAPS == 0) {
                findWatchedThreads();
            }
            for (Path p : watched) {
                long w = runQueueNanos(p);
                Long last = w < 0 ? waited.remove(p) : waited.put(p, w); // a thread that ended: forgotten
                if (last != null && w - last >= KEPT_NANOS) {
                    keep(before - (w - last), now); // the wait ended since the last look and lasted w - last
                }
            }
        }
    }

    /** The schedstat files of the live threads named goheap-gc or ForkJoinPool-…; none off Linux. */
    private void findWatchedThreads() {
        watched.clear();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String name = Files.readString(t.resolve("comm")).trim(); // the first 15 characters
                if ((name.equals("goheap-gc") || name.startsWith("ForkJoinPool-")) && watched.size() < WATCHED_MAX) {
                    watched.add(t.resolve("schedstat"));
                }
            }
        } catch (IOException | RuntimeException e) {
            watched.clear(); // no /proc: oversleeps only
        }
        waited.keySet().retainAll(watched);
    }

    private synchronized void keep(long fromNanos, long toNanos) {
        if (stalls < KEPT_MAX) {
            stallStarts[stalls] = fromNanos;
            stallEnds[stalls++] = toNanos;
        }
    }

    /** The second field of schedstat: nanoseconds spent waiting on a run queue; -1 if unreadable. */
    private static long runQueueNanos(Path schedstat) {
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

    /**
     * How long stalls of 1 ms or more (oversleeps, and watched threads on a run queue) covered
     * {@code [fromNanos, toNanos)}: the length of the union of their intervals within it. A stall
     * kept from a run-queue delay spans the wait and the nap in which it was seen, so this can
     * exceed the wait by up to a nap.
     */
    synchronized long stalledNanosDuring(long fromNanos, long toNanos) {
        return coveredNanos(stallStarts, stallEnds, stalls, fromNanos, toNanos);
    }

    /** The length of the union of the intervals {@code [starts[i], ends[i])}, {@code i < n}, within {@code [fromNanos, toNanos)}. */
    static long coveredNanos(long[] starts, long[] ends, int n, long fromNanos, long toNanos) {
        long[][] within = new long[n][];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long from = Math.max(fromNanos, starts[i]);
            long to = Math.min(toNanos, ends[i]);
            if (from < to) {
                within[k++] = new long[] {from, to};
            }
        }
        Arrays.sort(within, 0, k, Comparator.comparingLong(a -> a[0]));
        long covered = 0;
        long end = Long.MIN_VALUE;
        for (int i = 0; i < k; i++) {
            long from = Math.max(within[i][0], end);
            if (within[i][1] > from) {
                covered += within[i][1] - from;
            }
            end = Math.max(end, within[i][1]);
        }
        return covered;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join();
    }
}
