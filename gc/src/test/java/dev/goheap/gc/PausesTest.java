package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.LateReserve;
import dev.goheap.gc.pause.PauseBudget;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.gc.pause.PauseScheduler;
import dev.goheap.gc.pause.PauseSnapshot;
import dev.goheap.sched.Safepoints;
import org.junit.jupiter.api.Test;

/** {@link Pauses}: a pause and its work's deadline count from the stop request. */
class PausesTest {
    @Test
    void shouldRecordThePauseFromTheStopRequestToTheReleaseAndGiveTheWorkItsPlanFromTheRequest() {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).build()) {
            Safepoints sp = rt.safepoints();
            GcConfig config = GcConfig.defaults();
            Pauses pauses = new Pauses(sp, config);
            long[] seen = new long[2]; // the work's deadline, and the request as the work saw it

            boolean done = pauses.run(PauseKind.MARK_START, 1, () -> false, deadline -> {
                seen[0] = deadline;
                seen[1] = sp.lastRequestNanos();
                return true;
            });

            assertTrue(done);
            long request = sp.lastRequestNanos();
            assertEquals(request, seen[1]);
            long budget = config.maxPause().toNanos(); // an empty window: the whole bound
            long planned = PausePlan.next(config.pauseGoal().toNanos(), budget, 0).workNanos();
            assertEquals(request + planned, seen[0], "the work's deadline is its plan, counted from the request");
            PauseSnapshot log = pauses.log().snapshot();
            assertEquals(1, log.size());
            assertEquals(PauseKind.MARK_START, log.kind(0));
            assertEquals(request, log.startNanos(0), "the pause starts at the request");
            assertEquals(sp.lastReleaseNanos() - request, log.lengthNanos(0), "and ends at the release");
        }
    }

    @Test
    void shouldKeepALateReleasesOverrunInReserve() {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).build()) {
            Safepoints sp = rt.safepoints();
            Pauses pauses = new Pauses(sp, GcConfig.defaults());
            long overrun = 3_000_000;
            pauses.run(PauseKind.MARK_START, 1, () -> false, deadline -> {
                while (System.nanoTime() - (deadline + overrun) < 0) {
                    Thread.onSpinWait(); // a work that ends 3 ms past its deadline: a late release
                }
                return true;
            });
            long reserve = pauses.lateReserveNanos(sp.lastReleaseNanos());
            assertTrue(reserve >= overrun, "the overrun is kept: " + reserve + " ns");
        }
    }

    @Test
    void shouldStartAPauseOnlyWhenTheBudgetLessTheLateReserveAllowsIt() {
        long ms = 1_000_000;
        PauseLog log = new PauseLog();
        log.record(PauseKind.MARK_START, 100 * ms, 4 * ms); // 100-104 ms
        PauseScheduler scheduler = new PauseScheduler(log, PauseBudget.DEFAULT); // 10 ms in 50 ms
        LateReserve late = new LateReserve(Pauses.LATE_HALF_LIFE_NANOS, 5 * ms);
        long now = 105 * ms;
        long wanted = 5 * ms;
        assertEquals(now, Pauses.earliestStartNanos(scheduler, late, now, wanted), "6 ms left: no reserve, start now");

        late.record(104 * ms, 3 * ms); // that pause was released 3 ms past its plan
        long start = Pauses.earliestStartNanos(scheduler, late, now, wanted);
        assertEquals(scheduler.earliestStartNanos(now, wanted + 3 * ms), start, "8 ms wanted now");
        assertEquals(152 * ms, start, "the window must drop 2 ms of that pause: it starts at 100 ms");
    }

    @Test
    void shouldKeepTheLongestPausesAnatomyWithTheWorksTimesWithinIt() {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).build()) {
            Safepoints sp = rt.safepoints();
            Pauses pauses = new Pauses(sp, GcConfig.defaults());
            assertNull(pauses.longest(), "no pause yet");
            long workNanos = 2_000_000;
            pauses.run(PauseKind.MARK_TERMINATION, 1, () -> false, deadline -> {
                long end = System.nanoTime() + workNanos;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                return true;
            });
            PauseAnatomy a = pauses.longest();
            assertEquals(PauseKind.MARK_TERMINATION, a.kind());
            assertEquals(sp.lastRequestNanos(), a.startNanos());
            assertEquals(sp.lastReleaseNanos() - sp.lastRequestNanos(), a.lengthNanos());
            assertTrue(a.workRan());
            assertTrue(a.workEndNanos() - a.workStartNanos() >= workNanos, a.toString());
            assertTrue(a.workEndNanos() <= a.lengthNanos(), "the work ends before the release: " + a);
            assertEquals(Thread.currentThread().getName(), a.operator(), "no goroutine: the operator ran it");
            assertEquals(a.lengthNanos() - a.workEndNanos(), a.releaseNanos());

            pauses.run(PauseKind.MARK_START, 2, () -> false, deadline -> true);
            assertSame(a, pauses.longest(), "a shorter pause does not replace it");
        }
    }
}
