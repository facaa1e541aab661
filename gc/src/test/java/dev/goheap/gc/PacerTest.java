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
}
