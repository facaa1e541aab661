package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.HandshakeResult;
import dev.goheap.sched.MutatorState;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A dry assist past the goal waits parked (Assists' class note), driven by hand: the collector's
 * pieces wired as CycleRunner wires them, on a runtime without a collector thread, so that the
 * test decides when credit comes and when the cycle ends. The grey set is empty throughout, so
 * every assist is dry. Parks have no time bound here: only the wake-ups can end them, and a
 * lost one fails the test at the hang guard ({@link #HANG_GUARD}) instead of passing late.
 */
class AssistsParkTest {
    /** A wait that takes this long means a hang. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);
    static final long CYCLE = 1;
    static final long SPAN_BYTES = 8192;
    static final long EXPECTED_WORK_BYTES = 1 << 20;

    /** The pieces of one collector, as CycleRunner wires them. */
    static final class Wiring {
        final MarkWork work = new MarkWork();
        final AssistQueue queue = new AssistQueue();
        final Assists assists;

        Wiring(GoRuntime rt) {
            HeapForGc heap = GcAccess.of(rt.heap());
            WorkQueue greys = new WorkQueue();
            Barrier barrier = new Barrier(heap, greys, () -> {});
            Marker marker = new Marker(heap, greys, barrier, work, queue);
            assists = new Assists(heap, barrier, marker, work, queue, rt.safepoints(), GcConfig.builder().build(),
                    Thread.currentThread(), Long.MAX_VALUE);
        }

        /** Mark start with a goal of {@code goalBytes}. */
        void beginCycle(long goalBytes) {
            assists.beginCycle(CYCLE, goalBytes, goalBytes * 2, EXPECTED_WORK_BYTES, EXPECTED_WORK_BYTES);
        }
    }

    /** A runtime whose heap holds one span: past a 1-byte goal. */
    static GoRuntime runtime() throws InterruptedException {
        GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).build();
        rt.go(() -> rt.heap().allocate(64)).join();
        return rt;
    }

    @Test
    void shouldParkAtTheNextPollNotInTheAssistAndLetAStopThroughWhenDryPastTheGoal() throws Exception {
        try (GoRuntime rt = runtime()) {
            Safepoints sp = rt.safepoints();
            Wiring w = new Wiring(rt);
            w.beginCycle(1); // the heap is past a 1-byte goal
            List<String> seen = new CopyOnWriteArrayList<>();
            Goroutine g = rt.go(() -> {
                w.assists.charge(SPAN_BYTES); // a refill's charge: maybe mid stack operation, so no park here
                seen.add("after the charge: " + Goroutine.current().mutator().state() + ", " + w.assists.parkedNow()
                        + " parked");
                w.assists.parkIfOwed(); // the poll at the next allocation
                seen.add("after the park: " + Goroutine.current().mutator().state());
            });
            awaitTrue("the assist parks", () -> w.assists.parkedNow() == 1 && !seen.isEmpty() && g.mutator().state() == MutatorState.PARKED);
            // A deadline in the past: the stop succeeds only if no goroutine is running.
            assertTrue(sp.stopTheWorld(System.nanoTime()), "a parked assist holds up the stop: " + g.mutator().state());
            assertEquals(MutatorState.PARKED, g.mutator().state(), "a stop does not hold parked goroutines");
            sp.startTheWorld();
            HandshakeResult r = sp.handshakeReport(x -> {}, System.nanoTime());
            assertEquals(1, r.byCaller(), "the collector scans a parked assist's stack itself: " + r);
            assertEquals(1, w.assists.parkedNow(), "still waiting: no credit, the cycle goes on");
            w.assists.endCycle();
            w.assists.wakeParked(CYCLE);
            assertTrue(g.join(HANG_GUARD), "the cycle's end did not wake the parked assist");
            assertEquals(List.of("after the charge: RUNNING, 0 parked", "after the park: RUNNING"), seen);
            assertEquals(1, w.assists.parks());
        }
    }

    @Test
    void shouldWakeAParkedAssistWhenTheCollectorsCreditCoversItsDebt() throws Exception {
        try (GoRuntime rt = runtime()) {
            Wiring w = new Wiring(rt);
            w.beginCycle(1);
            long[] balance = new long[1];
            Goroutine g = rt.go(() -> {
                w.assists.charge(SPAN_BYTES);
                w.assists.parkIfOwed();
                balance[0] = w.assists.balanceOfCurrent();
            });
            awaitTrue("the assist parks", () -> w.assists.parkedNow() == 1);
            w.work.addBackground(Long.MAX_VALUE / 4); // as the Marker does after a batch...
            w.queue.flush(w.work);                    // ...and then hands it to the waiters
            assertTrue(g.join(HANG_GUARD), "the credit did not wake the parked assist");
            assertTrue(balance[0] >= 0, "debt left after the credit: " + balance[0]);
            assertEquals(1, w.assists.parks());
        }
    }

    @Test
    void shouldNotParkWhenTheAssistRunsDryBelowTheGoal() throws Exception {
        try (GoRuntime rt = runtime()) {
            Wiring w = new Wiring(rt);
            w.beginCycle(1L << 40); // far from the goal: the pacer's plan holds, a dry assist returns
            long[] balance = new long[1];
            Goroutine g = rt.go(() -> {
                w.assists.charge(SPAN_BYTES);
                w.assists.parkIfOwed();
                balance[0] = w.assists.balanceOfCurrent();
            });
            assertTrue(g.join(HANG_GUARD), "parked below the goal");
            assertEquals(0, w.assists.parks());
            assertTrue(balance[0] < 0, "the debt stays for the next refill: " + balance[0]);
            assertEquals(1, w.assists.count(), "the dry assist itself");
        }
    }

    @Test
    void shouldNotParkWhenTheCycleEndedBeforeThePoll() throws Exception {
        try (GoRuntime rt = runtime()) {
            Wiring w = new Wiring(rt);
            w.beginCycle(1);
            Goroutine g = rt.go(() -> {
                w.assists.charge(SPAN_BYTES);
                w.assists.endCycle(); // mark termination between the charge and the poll
                w.assists.parkIfOwed();
            });
            assertTrue(g.join(HANG_GUARD), "parked for a cycle that was over");
            assertEquals(0, w.assists.parks());
        }
    }

    /**
     * The real wiring: the heap's allocation poll reaches the park through {@link MutatorHooks#poll}.
     * A collector whose thread never starts, hooked into the heap, with a cycle begun by hand:
     * the park ends at its 10 ms bound (nobody credits or ends the cycle), and is counted.
     */
    @Test
    void shouldParkAtTheAllocationsPollWhenTheCollectorIsHookedIntoTheHeap() throws Exception {
        try (GoRuntime rt = runtime()) {
            HeapForGc heap = GcAccess.of(rt.heap());
            CycleRunner runner = new CycleRunner(rt, heap, GcConfig.builder().build(), new Pins());
            heap.setHooks(runner.hooks());
            try {
                runner.assists().beginCycle(CYCLE, 1, 2, EXPECTED_WORK_BYTES, EXPECTED_WORK_BYTES);
                Goroutine g = rt.go(() -> {
                    runner.assists().charge(SPAN_BYTES);
                    rt.heap().allocate(16); // its poll parks
                });
                assertTrue(g.join(HANG_GUARD), "the park outlived its bound");
                assertEquals(1, runner.assists().parks());
            } finally {
                heap.setHooks(null);
            }
        }
    }

    static void awaitTrue(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + HANG_GUARD.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            Thread.yield();
        }
    }
}
