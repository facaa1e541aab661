package dev.goheap.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
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
 * the stop. Touches no goheap state, and leaves no garbage on the Java heap as it reads: each
 * watched file stays open and is read again in place into one buffer (the first version read
 * each file into new strings a thousand times a second, 140 MB in a 5 s run, and the JVM's young
 * collection it caused, 50-60 ms with every thread stopped, broke the runner's bound).
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
    private volatile int watchedCount; // after each look for threads: for tests
    private volatile long maxLateNanos;
    private final long[] stallStarts = new long[KEPT_MAX]; // guarded by this
    private final long[] stallEnds = new long[KEPT_MAX];   // guarded by this
    private int stalls;                                    // guarded by this

    /** A watched thread's schedstat file, kept open, and its run-queue delay at the last look (-1 before). */
    private static final class Watched {
        final FileChannel file;
        long waited = -1;
        boolean seen; // found by the current look for threads

        Watched(FileChannel file) {
            this.file = file;
        }
    }

    // The meter thread's own: the watched threads by schedstat path, and the buffer every read goes to.
    private final Map<Path, Watched> watched = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(256);

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
            for (Iterator<Watched> it = watched.values().iterator(); it.hasNext(); ) {
                Watched t = it.next();
                long w = runQueueNanos(t.file);
                if (w < 0) { // a thread that ended: forgotten
                    closeQuietly(t.file);
                    it.remove();
                    continue;
                }
                if (t.waited >= 0 && w - t.waited >= KEPT_NANOS) {
                    keep(before - (w - t.waited), now); // the wait ended since the last look and lasted w - waited
                }
                t.waited = w;
            }
        }
        watched.values().forEach(t -> closeQuietly(t.file));
    }

    /**
     * Opens the schedstat files of the live threads named goheap-gc or ForkJoinPool-… not watched
     * yet, and closes those of threads gone; none off Linux. A thread's name is read only while
     * it is not watched: a watched one is known by its open file.
     */
    private void findWatchedThreads() {
        watched.values().forEach(t -> t.seen = false);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                Path schedstat = task.resolve("schedstat");
                Watched t = watched.get(schedstat);
                if (t != null) {
                    t.seen = true;
                } else if (watched.size() < WATCHED_MAX && isWatchedName(task.resolve("comm"))) {
                    t = new Watched(FileChannel.open(schedstat));
                    t.seen = true;
                    watched.put(schedstat, t);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc, or a thread gone while we looked: what was opened stays, and the next look goes on
        }
        for (Iterator<Watched> it = watched.values().iterator(); it.hasNext(); ) {
            Watched t = it.next();
            if (!t.seen) {
                closeQuietly(t.file);
                it.remove();
            }
        }
        watchedCount = watched.size();
    }

    /** How many threads the last look for threads found to watch (0 off Linux). */
    int watchedCount() {
        return watchedCount;
    }

    /** Whether the thread whose {@code comm} file this is (its first 15 characters) is one to watch. */
    private boolean isWatchedName(Path comm) {
        try (FileChannel f = FileChannel.open(comm)) {
            if (read(f) <= 0) {
                return false;
            }
        } catch (IOException e) {
            return false; // ended meanwhile
        }
        return isWatchedName(buffer);
    }

    /** Whether a {@code comm} file's contents (from 0 to the limit) name a thread to watch: the collector's or a carrier. */
    static boolean isWatchedName(ByteBuffer comm) {
        return startsWith(comm, "goheap-gc\n") || startsWith(comm, "ForkJoinPool-");
    }

    private static boolean startsWith(ByteBuffer b, String prefix) {
        if (b.limit() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b.get(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code f} from its start into {@link #buffer} (flipped): its length, or -1 at an error. */
    private int read(FileChannel f) {
        buffer.clear();
        try {
            int n = f.read(buffer, 0); // pread: a /proc file is generated again for each read from 0
            buffer.flip();
            return n;
        } catch (IOException e) {
            buffer.limit(0);
            return -1;
        }
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException e) {
            // a read-only /proc file: nothing was lost
        }
    }

    private synchronized void keep(long fromNanos, long toNanos) {
        if (stalls < KEPT_MAX) {
            stallStarts[stalls] = fromNanos;
            stallEnds[stalls++] = toNanos;
        }
    }

    /** The second field of schedstat ("run wait timeslices"): nanoseconds spent waiting on a run queue; -1 if unreadable. */
    private long runQueueNanos(FileChannel schedstat) {
        if (read(schedstat) <= 0) {
            return -1;
        }
        return secondField(buffer);
    }

    /** The second space-separated decimal field of {@code b} (from 0 to its limit), or -1 if there is none. */
    static long secondField(ByteBuffer b) {
        int i = 0;
        int n = b.limit();
        while (i < n && b.get(i) != ' ') {
            i++;
        }
        i++; // the space
        long v = 0;
        int digits = 0;
        for (; i < n && b.get(i) >= '0' && b.get(i) <= '9'; i++, digits++) {
            v = v * 10 + (b.get(i) - '0');
        }
        return digits == 0 ? -1 : v;
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
