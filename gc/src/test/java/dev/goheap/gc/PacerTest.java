package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    static final long MIB = 1L << 20;

    /** A cycle that allocated {@code allocatedMib} while {@code workMib} was marked, no assists, 100 ms. */
    static Pacer.MarkCycle cycle(long allocatedMib, long workMib) {
        return new Pacer.MarkCycle(40 * MIB, (40 + allocatedMib) * MIB, workMib * MIB, 0, 0, 100_000_000L, 1);
    }

    @Test
    void shouldSetTheGoalToTwiceTheLiveHeapWhenGogcIs100() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.onMarkDone(100 * MIB, 100 * MIB);
        assertEquals(200 * MIB, p.goalBytes());
    }

    @Test
    void shouldTriggerAtTheFirstFractionWhenNothingIsMeasuredYet() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        assertEquals((long) (Pacer.MIN_GOAL_BYTES * Pacer.FIRST_TRIGGER_FRACTION), p.triggerBytes(), "at start");
        assertTrue(Double.isNaN(p.consMark()));
        p.onMarkDone(100 * MIB, 100 * MIB);
        assertEquals(100 * MIB + (long) (100 * MIB * Pacer.FIRST_TRIGGER_FRACTION), p.triggerBytes(), "no cycle measured");
        p.endCycle(cycle(0, 10)); // allocated nothing: says nothing
        p.onMarkDone(100 * MIB, 100 * MIB);
        assertEquals(100 * MIB + (long) (100 * MIB * Pacer.FIRST_TRIGGER_FRACTION), p.triggerBytes(), "nothing measured");
    }

    @Test
    void shouldTriggerOneRunwayBeforeTheGoalWhenTheRunwayFitsTheBounds() {
        // 0.5 byte allocated per byte marked, 60 MiB to mark: start 30 MiB before the 200 MiB goal
        assertEquals(170 * MIB, Pacer.trigger(100 * MIB, 200 * MIB, 0.5, 60 * MIB));
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.endCycle(cycle(15, 30));
        assertEquals(0.5, p.consMarkEstimate(), 1e-12);
        p.onMarkDone(100 * MIB, 60 * MIB);
        assertEquals(170 * MIB, p.triggerBytes());
        assertEquals(0.5, p.consMark(), 1e-12);
    }

    @Test
    void shouldClampTheTriggerToItsBoundsWhenTheRunwayIsTooLongOrTooShort() {
        long min = 100 * MIB + (long) (100 * MIB * Pacer.MIN_TRIGGER_FRACTION);
        long max = 100 * MIB + (long) (100 * MIB * Pacer.MAX_TRIGGER_FRACTION);
        assertEquals(min, Pacer.trigger(100 * MIB, 200 * MIB, 3.0, 100 * MIB), "runway 300 MiB > distance");
        assertEquals(min, Pacer.trigger(100 * MIB, 200 * MIB, 1e300, Long.MAX_VALUE), "huge");
        assertEquals(max, Pacer.trigger(100 * MIB, 200 * MIB, 0.01, 100 * MIB), "runway 1 MiB");
        assertEquals(max, Pacer.trigger(100 * MIB, 200 * MIB, 0.0, 100 * MIB), "no allocation measured");
        assertEquals(Long.MAX_VALUE, Pacer.trigger(100 * MIB, Long.MAX_VALUE, 0.5, 100 * MIB), "no goal");
    }

    @Test
    void shouldMeasureConsMarkAsAllocationPerUnassistedWorkWhenAssistsTookTime() {
        // 30 MiB allocated, 20 MiB marked: 1.5
        assertEquals(1.5, Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 20 * MIB, 0, 0, 100, 1)), 1e-12);
        // assists marked 10 of 30 MiB and took half the mutator's time: 30 / 0.5 / 20 = 3
        assertEquals(3.0, Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 30 * MIB, 10 * MIB, 50, 100, 1)),
                1e-12);
        // the same assist time over two mutator CPUs is a quarter of their time: 30 / 0.75 / 20 = 2
        assertEquals(2.0, Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 30 * MIB, 10 * MIB, 50, 100, 2)),
                1e-12);
        // assists all the time: the share is floored, the ratio stays finite
        assertEquals(30.0 / Pacer.MIN_MUTATOR_SHARE / 20,
                Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 30 * MIB, 10 * MIB, 500, 100, 1)), 1e-12);
    }

    @Test
    void shouldMeasureNothingWhenTheCycleAllocatedNothingOrAssistsDidAllTheWork() {
        assertTrue(Double.isNaN(Pacer.consMark(new Pacer.MarkCycle(80 * MIB, 80 * MIB, 20 * MIB, 0, 0, 100, 1))));
        assertTrue(Double.isNaN(Pacer.consMark(new Pacer.MarkCycle(90 * MIB, 80 * MIB, 20 * MIB, 0, 0, 100, 1))));
        assertTrue(Double.isNaN(Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 20 * MIB, 20 * MIB, 9, 100, 1))));
        assertTrue(Double.isNaN(Pacer.consMark(new Pacer.MarkCycle(50 * MIB, 80 * MIB, 20 * MIB, 0, 0, 0, 1))));
    }

    @Test
    void shouldKeepTheLargestOfTheLastRatiosWhenCyclesDiffer() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.endCycle(cycle(40, 10)); // 4.0
        for (int i = 1; i < Pacer.CONS_MARK_HISTORY; i++) {
            p.endCycle(cycle(5, 10)); // 0.5
            assertEquals(4.0, p.consMarkEstimate(), 1e-12, "cycle " + i);
        }
        p.endCycle(cycle(5, 10)); // the 4.0 drops out
        assertEquals(0.5, p.consMarkEstimate(), 1e-12);
        p.endCycle(cycle(10, 10));
        assertEquals(1.0, p.consMarkEstimate(), 1e-12);
    }

    @Test
    void shouldKeepTheMinimumGoalWhenTheLiveHeapIsSmall() {
        Pacer p = new Pacer(100, Long.MAX_VALUE);
        p.onMarkDone(1 << 20, 1 << 20);
        assertEquals(Pacer.MIN_GOAL_BYTES, p.goalBytes());
        Pacer half = new Pacer(50, Long.MAX_VALUE);
        half.onMarkDone(0, 0);
        assertEquals(Pacer.MIN_GOAL_BYTES / 2, half.goalBytes());
    }

    @Test
    void shouldNeverTriggerWhenGogcIsOffAndNoLimitIsSet() {
        Pacer p = new Pacer(-1, Long.MAX_VALUE);
        p.endCycle(cycle(15, 30));
        p.onMarkDone(1L << 30, 1L << 30);
        assertEquals(Long.MAX_VALUE, p.goalBytes());
        assertEquals(Long.MAX_VALUE, p.triggerBytes());
    }

    @Test
    void shouldCapTheGoalAtTheSoftMemoryLimitWhenOneIsSet() {
        Pacer p = new Pacer(100, 150 * MIB);
        p.onMarkDone(100 * MIB, 100 * MIB);
        assertEquals(150 * MIB, p.goalBytes());
        assertTrue(p.triggerBytes() < p.goalBytes() && p.triggerBytes() > 100 * MIB);
        p.endCycle(cycle(300, 10)); // a runway far longer than the 50 MiB left: the earliest trigger
        p.onMarkDone(100 * MIB, 100 * MIB);
        assertEquals(100 * MIB + (long) (50 * MIB * Pacer.MIN_TRIGGER_FRACTION), p.triggerBytes());
        Pacer off = new Pacer(-1, 64 * MIB);
        off.onMarkDone(10 * MIB, 10 * MIB);
        assertEquals(64 * MIB, off.goalBytes());
        off.endCycle(cycle(1, 100));
        off.onMarkDone(10 * MIB, 10 * MIB);
        assertEquals(10 * MIB + (long) (54 * MIB * Pacer.MAX_TRIGGER_FRACTION), off.triggerBytes(), "the latest trigger");
    }

    @Test
    void shouldLeaveRoomAboveTheLiveHeapWhenTheLimitIsBelowIt() {
        Pacer p = new Pacer(100, 10L << 20);
        p.endCycle(cycle(30, 10));
        p.onMarkDone(20L << 20, 20L << 20);
        assertTrue(p.goalBytes() > (20L << 20), "goal " + p.goalBytes());
        assertTrue(p.triggerBytes() >= (20L << 20) && p.triggerBytes() < p.goalBytes(), "trigger " + p.triggerBytes());
    }

    @Test
    void shouldAskRemainingWorkOverRemainingDistanceWhenMarkingIsOnPlan() {
        // 40 MiB expected, 10 done: 30 MiB of work over the 20 MiB left before the goal
        double r = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 100L << 20, 80L << 20);
        assertEquals(1.5, r, 1e-9);
    }

    @Test
    void shouldAssumeTheWorstCaseWhenMoreWorkThanExpectedIsDone() {
        // 50 done > 40 expected: every byte in use at the start (60 MiB) may be live
        double r = Pacer.assistWorkPerByte(40L << 20, 50L << 20, 60L << 20, 100L << 20, 100L << 20, 90L << 20);
        assertEquals(1.0, r, 1e-9);
    }

    @Test
    void shouldGrowTheRatioSteeplyButFinitelyWhenPastTheGoal() {
        double before = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 100L << 20, 99L << 20);
        double past = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 100L << 20, 109L << 20);
        double far = Pacer.assistWorkPerByte(40L << 20, 10L << 20, 60L << 20, 100L << 20, 100L << 20, 200L << 20);
        assertEquals(30.0, before, 1e-9);
        assertEquals(50.0, past, 1e-9); // goal moved to 110 MiB, worst case 60 - 10 over 1 MiB
        assertEquals(50L << 20, far, 1e-3); // distance floored at one byte
        assertTrue(Double.isFinite(far));
    }

    @Test
    void shouldAskAlmostNothingWhenThereIsNoGoal() {
        double r = Pacer.assistWorkPerByte(40L << 20, 0, 60L << 20, Long.MAX_VALUE, Long.MAX_VALUE, 1L << 30);
        assertTrue(r > 0 && r < 1e-6, "ratio " + r);
        assertEquals(Pacer.MIN_REMAINING_WORK_BYTES / (double) (100L << 20),
                Pacer.assistWorkPerByte(40L << 20, 40L << 20, 0, 200L << 20, 200L << 20, 100L << 20), 1e-12);
    }

    @Test
    void shouldMoveTheGoalOutInProportionWhenMoreWorkThanExpectedIsDone() {
        // Started at 60 MiB for a 100 MiB goal expecting 40 MiB of work: 1 byte of work per byte.
        // 50 MiB done > 40: the worst case is 60 MiB, and the goal moves to 60 + 40 * 60 / 40 = 120 MiB.
        double r = Pacer.assistWorkPerByte(40 * MIB, 50 * MIB, 60 * MIB, 100 * MIB, 200 * MIB, 90 * MIB);
        assertEquals(10.0 / 30, r, 1e-9);
        // capped at the hard goal: 110 MiB
        double capped = Pacer.assistWorkPerByte(40 * MIB, 50 * MIB, 60 * MIB, 100 * MIB, 110 * MIB, 90 * MIB);
        assertEquals(10.0 / 20, capped, 1e-9);
        // never inward: a hard goal below the goal leaves the goal where it is
        assertEquals(1.0, Pacer.assistWorkPerByte(40 * MIB, 50 * MIB, 60 * MIB, 100 * MIB, 50 * MIB, 90 * MIB), 1e-9);
    }

    @Test
    void shouldBoundTheHardGoalByGogcAndTheMemoryLimit() {
        assertEquals(200 * MIB, Pacer.hardGoal(100, Long.MAX_VALUE, 100 * MIB));
        assertEquals(125 * MIB, Pacer.hardGoal(25, Long.MAX_VALUE, 100 * MIB));
        assertEquals(150 * MIB, Pacer.hardGoal(100, 150 * MIB, 100 * MIB), "the limit");
        assertEquals(100 * MIB, Pacer.hardGoal(100, 100 * MIB, 100 * MIB), "a goal at the limit does not move");
        assertEquals(100 * MIB, Pacer.hardGoal(-1, 100 * MIB, 100 * MIB), "GOGC off");
        assertEquals(Long.MAX_VALUE, Pacer.hardGoal(100, Long.MAX_VALUE, Long.MAX_VALUE), "no goal");
    }

    @Test
    void shouldAskOnlyTheFloorWhenExactlyTheExpectedWorkIsDone() {
        // a steady live heap: the same work as last cycle is no growth, and nothing is left
        double r = Pacer.assistWorkPerByte(40 * MIB, 40 * MIB, 60 * MIB, 100 * MIB, 200 * MIB, 90 * MIB);
        assertEquals(Pacer.MIN_REMAINING_WORK_BYTES / (double) (10 * MIB), r, 1e-12);
    }
}
