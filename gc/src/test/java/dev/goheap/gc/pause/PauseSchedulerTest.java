package dev.goheap.gc.pause;

import static dev.goheap.gc.pause.PauseKind.ABORTED_STOP;
import static dev.goheap.gc.pause.PauseKind.MARK_START;
import static dev.goheap.gc.pause.PauseKind.MARK_TERMINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-computed budgets with B = 10 ms, W = 50 ms; times in ms from an arbitrary origin. */
class PauseSchedulerTest {
    static final long MS = 1_000_000L;
    static final long T0 = 123_456_789_000L; // a nanoTime-like origin

    private final PauseLog log = new PauseLog();
    private final PauseScheduler scheduler = new PauseScheduler(log, PauseBudget.DEFAULT);

    private static long at(long ms) {
        return T0 + ms * MS;
    }

    private void pause(long startMs, long lengthMs) {
        log.record(MARK_START, at(startMs), lengthMs * MS);
    }

    @Test
    void shouldGiveTheWholeBudgetWhenNothingWasStopped() {
        assertEquals(10 * MS, scheduler.budgetNanos(at(0)));
        assertEquals(at(0), scheduler.earliestStartNanos(at(0), 10 * MS));
        assertEquals(at(0), scheduler.earliestStartNanos(at(0), 0));
        assertSame(log, scheduler.log());
        assertSame(PauseBudget.DEFAULT, scheduler.budget());
    }

    @Test
    void shouldGiveWhatIsLeftWhenAPauseIsInTheWindow() {
        pause(0, 4); // [0, 4)
        assertEquals(6 * MS, scheduler.budgetNanos(at(4)));
        assertEquals(6 * MS, scheduler.budgetNanos(at(50)), "the window [0, 50) still holds all of it");
        assertEquals(8 * MS, scheduler.budgetNanos(at(52)), "the window [2, 52) holds 2 ms of it");
        assertEquals(10 * MS, scheduler.budgetNanos(at(54)));
        assertEquals(10 * MS, scheduler.budgetNanos(at(10_000)), "never more than B");
    }

    @Test
    void shouldWaitUntilEnoughHasSlidOutWhenTheWantedPauseDoesNotFitNow() {
        pause(0, 4);
        assertEquals(at(4), scheduler.earliestStartNanos(at(4), 6 * MS));
        assertEquals(at(52), scheduler.earliestStartNanos(at(4), 8 * MS));
        assertEquals(at(54), scheduler.earliestStartNanos(at(4), 10 * MS));
        assertEquals(at(52), scheduler.earliestStartNanos(at(30), 8 * MS));
        assertEquals(at(60), scheduler.earliestStartNanos(at(60), 10 * MS), "already free: now");
    }

    @Test
    void shouldCrossSeveralPausesWhenTheExcessSpansThem() {
        pause(0, 6); // [0, 6)
        pause(20, 4); // [20, 24): 10 ms stopped, the budget is spent
        assertEquals(0, scheduler.budgetNanos(at(24)));
        assertEquals(at(51), scheduler.earliestStartNanos(at(24), 1 * MS));
        assertEquals(1 * MS, scheduler.budgetNanos(at(51)));
        assertEquals(at(71), scheduler.earliestStartNanos(at(24), 7 * MS), "past [0, 6) and 1 ms into [20, 24)");
        assertEquals(7 * MS, scheduler.budgetNanos(at(71)));
        assertEquals(6 * MS, scheduler.budgetNanos(at(70)));
    }

    @Test
    void shouldGiveANegativeBudgetWhenAPauseOverran() {
        log.record(ABORTED_STOP, at(0), 12 * MS); // released 2 ms late: recorded as it happened
        assertEquals(-2 * MS, scheduler.budgetNanos(at(12)));
        assertEquals(at(52), scheduler.earliestStartNanos(at(12), 0));
        assertEquals(0, scheduler.budgetNanos(at(52)));
        assertEquals(at(62), scheduler.earliestStartNanos(at(12), 10 * MS));
    }

    @Test
    void shouldCountBackToBackPausesAsOneWhenTheySlideOut() {
        pause(0, 3);
        log.record(MARK_TERMINATION, at(3), 2 * MS); // [0, 5) stopped without a gap
        assertEquals(at(53), scheduler.earliestStartNanos(at(5), 8 * MS));
        assertEquals(8 * MS, scheduler.budgetNanos(at(53)));
    }

    @Test
    void shouldRejectAQueryWhenNowIsBeforeTheEndOfTheLastPause() {
        pause(0, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.budgetNanos(at(3)));
        assertTrue(e.getMessage().startsWith("nowNanos: " + at(3) + " (expected: >= " + at(4)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scheduler.earliestStartNanos(at(3), MS));
    }

    @Test
    void shouldRejectAWantedPauseWhenItIsNegativeOrLongerThanTheBudget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.earliestStartNanos(at(0), 10 * MS + 1));
        assertTrue(e.getMessage().startsWith("wantedNanos: 10000001 ns (expected: 0..10000000 ns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scheduler.earliestStartNanos(at(0), -1));
        assertThrows(NullPointerException.class, () -> new PauseScheduler(null, PauseBudget.DEFAULT));
        assertThrows(NullPointerException.class, () -> new PauseScheduler(log, null));
    }
}
