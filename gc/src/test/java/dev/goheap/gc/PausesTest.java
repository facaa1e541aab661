package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
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
}
