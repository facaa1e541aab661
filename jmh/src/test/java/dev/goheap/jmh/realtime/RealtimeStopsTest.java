package dev.goheap.jmh.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.goheap.GoRuntime;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RealtimeStops} on this machine's kernel: each thread's policy and priority read back from
 * {@code /proc/self/task/TID/stat}. Skipped where the kernel refuses {@code SCHED_FIFO} (not
 * root, no {@code CAP_SYS_NICE}, {@code RLIMIT_RTPRIO} below 2) or on another OS.
 */
class RealtimeStopsTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;

    @BeforeAll
    static void onlyWhereTheKernelAllowsIt() {
        String refused = null;
        try (RealtimeStops probe = RealtimeStops.start(named("no-such-thread"))) {
            assertEquals(SCHED_OTHER, policy(RealtimeStops.tid()), "the check leaves its thread as it found it");
        } catch (IllegalStateException e) {
            refused = e.getMessage();
        }
        assumeTrue(refused == null, refused);
    }

    /** {@code {policy, rt_priority}} of a thread of this process: stat's fields 41 and 40. */
    private static int[] scheduling(int tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3
            return new int[] {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> policyAndPriority(int tid) {
        int[] s = scheduling(tid);
        return List.of(s[0], s[1]);
    }

    /** This process's threads whose names begin with {@code prefix}. */
    private static StopThreads named(String prefix) {
        return new StopThreads(Path.of("/proc/self/task"), List.of(prefix));
    }

    private static int policy(int tid) {
        return scheduling(tid)[0];
    }

    /** Platform threads named {@code name-i} that wait, each telling its kernel id. */
    private static final class Sleepers implements AutoCloseable {
        final List<Thread> threads = new ArrayList<>();
        final int[] tids;
        private final CountDownLatch done = new CountDownLatch(1);

        Sleepers(String name, int count) throws InterruptedException {
            tids = new int[count];
            CountDownLatch ready = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                int k = i;
                threads.add(Thread.ofPlatform().name(name + k).start(() -> {
                    tids[k] = RealtimeStops.tid();
                    ready.countDown();
                    try {
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            ready.await();
        }

        @Override
        public void close() throws InterruptedException {
            done.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    @Test
    void shouldRaiseTheOperatorAboveTheNamedThreadsBeforeAStopAndLowerThemAllAfterIt() throws Exception {
        try (Sleepers sleepers = new Sleepers("rt-test-", 3);
             RealtimeStops stops = RealtimeStops.start(named("rt-test-"))) {
            int self = RealtimeStops.tid();
            assertEquals(3, stops.threadIds().length, "found by name at the start");

            stops.beforeStop();
            for (int tid : sleepers.tids) {
                assertEquals(List.of(SCHED_FIFO, 1), policyAndPriority(tid), "thread " + tid);
            }
            assertEquals(List.of(SCHED_FIFO, 2), policyAndPriority(self), "the operator, above them");
            stops.afterRelease();

            for (int tid : sleepers.tids) {
                assertEquals(List.of(SCHED_OTHER, 0), policyAndPriority(tid), "thread " + tid);
            }
            assertEquals(List.of(SCHED_OTHER, 0), policyAndPriority(self));
            assertEquals(1, stops.stops());
            assertEquals(0, stops.refusals());
        }
    }

    @Test
    void shouldCountAThreadThatEndedAsARefusalAndRaiseTheOthers() throws Exception {
        Sleepers ended = new Sleepers("rt-gone-", 1);
        try (Sleepers sleepers = new Sleepers("rt-gone-", 1);
             RealtimeStops stops = RealtimeStops.start(named("rt-gone-"))) {
            assertEquals(2, stops.threadIds().length);
            ended.close(); // ends after the scan: its id is stale
            Path gone = Path.of("/proc/self/task/" + ended.tids[0]);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(gone) && System.nanoTime() - end < 0) { // join returns before the OS thread is gone
                Thread.sleep(1);
            }

            stops.beforeStop();
            assertEquals(SCHED_FIFO, policy(sleepers.tids[0]));
            stops.afterRelease();
            assertEquals(SCHED_OTHER, policy(sleepers.tids[0]));
            assertEquals(1, stops.refusals(), "the ended thread's id: ESRCH");
            assertTrue(stops.toString().contains("1 refused"), stops.toString());
        }
    }

    @Test
    void shouldRaiseARuntimesCarriersInsideItsStopsAndLeaveNoThreadRaisedAfterThem() throws Exception {
        try (RealtimeStops stops = RealtimeStops.start();
             GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).stopListener(stops).build()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean quit = new AtomicBoolean();
            List<Goroutine> spinners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                spinners.add(rt.go(() -> {
                    while (!quit.get()) {
                        rt.poll();
                        Thread.onSpinWait();
                    }
                }));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (carriers(stops).isEmpty() && System.nanoTime() - end < 0) { // the scanner's next look
                Thread.sleep(RealtimeStops.SCAN_MILLIS);
            }
            List<Integer> carriers = carriers(stops);
            assertTrue(!carriers.isEmpty(), "the scanner found the virtual threads' carriers");

            for (int i = 0; i < 3; i++) {
                assertTrue(sp.stopTheWorld(System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
                for (int tid : carriers) {
                    assertEquals(SCHED_FIFO, policy(tid), "carrier " + tid + " inside the stop");
                }
                assertEquals(SCHED_FIFO, policy(RealtimeStops.tid()), "the operator inside the stop");
                sp.startTheWorld();
                for (int tid : stops.threadIds()) {
                    assertEquals(SCHED_OTHER, policy(tid), "thread " + tid + " after the release");
                }
                assertEquals(SCHED_OTHER, policy(RealtimeStops.tid()));
            }
            quit.set(true);
            for (Goroutine g : spinners) {
                g.join();
            }
            assertTrue(sp.stopListenerFailure().isEmpty());
            assertEquals(3, stops.stops());
        }
    }

    private static List<Integer> carriers(RealtimeStops stops) {
        List<Integer> found = new ArrayList<>();
        for (int tid : stops.threadIds()) {
            try {
                if (Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).startsWith("ForkJoinPool-")) {
                    found.add(tid);
                }
            } catch (IOException e) {
                // ended since the scan
            }
        }
        return found;
    }
}
