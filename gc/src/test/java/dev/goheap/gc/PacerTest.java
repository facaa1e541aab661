package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    @Test
    void shouldSetTheGoalToTwiceTheLiveHeapWhenGogcIs100() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.onMarkDone(100L << 20);
        assertEquals(200L << 20, p.goalBytes());
        assertEquals((100L << 20) + (long) ((100L << 20) * Pacer.TRIGGER_FRACTION), p.triggerBytes());
    }

    @Test
    void shouldKeepTheMinimumGoalWhenTheLiveHeapIsSmall() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.onMarkDone(1 << 20);
        assertEquals(Pacer.MIN_GOAL_BYTES, p.goalBytes());
        Pacer half = new Pacer(50, Long.MAX_VALUE);
        half.onMarkDone(0);
        assertEquals(Pacer.MIN_GOAL_BYTES / 2, half.goalBytes());
    }

    @Test
    void shouldNeverTriggerWhenGogcIsOffAndNoLimitIsSet() {
        Pacer p = new Pacer(-1, Long.MAX_VALUE);
        p.onMarkDone(1L << 30);
        assertEquals(Long.MAX_VALUE, p.goalBytes());
        assertEquals(Long.MAX_VALUE, p.triggerBytes());
    }

    @Test
    void shouldCapTheGoalAtTheSoftMemoryLimitWhenOneIsSet() {
        Pacer p = new Pacer(100, 150L << 20);
        p.onMarkDone(100L << 20);
        assertEquals(150L << 20, p.goalBytes());
        assertTrue(p.triggerBytes() < p.goalBytes() && p.triggerBytes() > (100L << 20));
        Pacer off = new Pacer(-1, 64L << 20);
        off.onMarkDone(10L << 20);
        assertEquals(64L << 20, off.goalBytes());
    }

    @Test
    void shouldLeaveRoomAboveTheLiveHeapWhenTheLimitIsBelowIt() {
        Pacer p = new Pacer(100, 10L << 20);
        p.onMarkDone(20L << 20);
        assertTrue(p.goalBytes() > (20L << 20), "goal " + p.goalBytes());
    }

    @Test
    void shouldAskRemainingWorkOverRemainingDistanceWhenMarkingIsOnPlan() {
        // 40 MiB expected, 10 done: 30 MiB of work over the 20 MiB left before the goal
        double r = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 80L << 20);
        assertEquals(1.5, r, 1e-9);
    }

    @Test
    void shouldAssumeTheWorstCaseWhenMoreWorkThanExpectedIsDone() {
        // 50 done > 40 expected: every byte in use at the start (60 MiB) may be live
        double r = Pacer.assistWorkPerByte(40L << 20, 50L << 20, 60L << 20, 100L << 20, 90L << 20);
        assertEquals(1.0, r, 1e-9);
    }

    @Test
    void shouldGrowTheRatioSteeplyButFinitelyWhenPastTheGoal() {
        double before = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 99L << 20);
        double past = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 109L << 20);
        double far = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 200L << 20);
        assertEquals(30.0, before, 1e-9);
        assertEquals(50.0, past, 1e-9); // goal moved to 110 MiB, worst case 60 - 10 over 1 MiB
        assertEquals(50L << 20, far, 1e-3); // distance floored at one byte
        assertTrue(Double.isFinite(far));
    }

    @Test
    void shouldAskAlmostNothingWhenThereIsNoGoal() {
        double r = Pacer.assistWorkPerByte(40L << 20, 0, 60L << 20, Long.MAX_VALUE, 1L << 30);
        assertTrue(r > 0 && r < 1e-6, "ratio " + r);
        assertEquals(Pacer.MIN_REMAINING_WORK_BYTES / (double) (100L << 20),
                Pacer.assistWorkPerByte(40L << 20, 40L << 20, 0, 200L << 20, 100L << 20), 1e-12);
    }
}
