package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PausePlanTest {
    private static final long MS = 1_000_000;

    @Test
    void shouldPlanTheGoalWithHalfForTheStopAndAQuarterForTheRelease() {
        PausePlan plan = PausePlan.next(MS, 10 * MS, 0);
        assertEquals(MS / 2, plan.stopNanos());
        assertEquals(3 * MS / 4, plan.workNanos());
    }

    @Test
    void shouldKeepTheGoalsPlanForTheFirstRetriesThenDoubleItAfterEachAbortedStopInARow() {
        for (int aborted = 1; aborted <= PausePlan.ABORTS_AT_THE_GOAL; aborted++) {
            assertEquals(PausePlan.next(MS, 10 * MS, 0), PausePlan.next(MS, 10 * MS, aborted), "retry " + aborted);
        }
        int first = PausePlan.ABORTS_AT_THE_GOAL + 1; // the first doubling
        assertEquals(2 * MS / 2, PausePlan.next(MS, 10 * MS, first).stopNanos());
        assertEquals(4 * MS - MS, PausePlan.next(MS, 10 * MS, first + 1).workNanos());
    }

    @Test
    void shouldGiveTheStopAQuarterOfTheBudgetAfterFiveAbortsInARowAndHalfAfterEight() {
        PausePlan plan = PausePlan.next(MS, 10 * MS, PausePlan.ABORTS_BEFORE_LONGER_STOP);
        assertEquals(10 * MS / 4, plan.stopNanos()); // 8 ms doubled, the stop capped at a quarter of 10 ms
        assertEquals(5 * MS, plan.workNanos()); // the plan capped at half
        PausePlan whole = PausePlan.next(MS, 10 * MS, PausePlan.ABORTS_BEFORE_WHOLE_PLAN);
        assertEquals(5 * MS, whole.stopNanos());
        assertEquals(5 * MS, whole.workNanos());
        assertEquals(5 * MS, PausePlan.next(MS, 10 * MS, 1_000).stopNanos()); // no overflow
    }

    @Test
    void shouldNeverPlanPastHalfTheBudgetNorEndTheWorkBeforeTheStop() {
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 100_000; i++) {
            long goal = 1 + random.nextLong(Long.MAX_VALUE);
            long budget = random.nextLong(Long.MAX_VALUE);
            int aborted = random.nextInt(100);
            PausePlan plan = PausePlan.next(goal, budget, aborted);
            String where = "goal " + goal + ", budget " + budget + ", aborted " + aborted + ": " + plan;
            assertTrue(plan.workNanos() <= budget / 2, where);
            assertTrue(plan.stopNanos() <= plan.workNanos(), where);
            assertTrue(plan.stopNanos() >= 0, where);
        }
    }

    @Test
    void shouldWaitTheGoalAfterAMissAndDoubleItForEachMissInARowUpToEightGoals() {
        assertEquals(MS, PausePlan.retryDelayNanos(MS, 1));
        assertEquals(2 * MS, PausePlan.retryDelayNanos(MS, 2));
        assertEquals(4 * MS, PausePlan.retryDelayNanos(MS, 3));
        assertEquals(8 * MS, PausePlan.retryDelayNanos(MS, 4));
        assertEquals(8 * MS, PausePlan.retryDelayNanos(MS, 1_000));
        assertEquals(Long.MAX_VALUE / 2 + 1, PausePlan.retryDelayNanos(Long.MAX_VALUE / 2 + 1, 9)); // no overflow
        assertThrows(IllegalArgumentException.class, () -> PausePlan.retryDelayNanos(MS, 0));
    }

    @Test
    void shouldRefuseANonPositiveGoal() {
        assertThrows(IllegalArgumentException.class, () -> PausePlan.next(0, 10 * MS, 0));
        assertThrows(IllegalArgumentException.class, () -> PausePlan.next(MS, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> PausePlan.next(MS, MS, -1));
    }
}
