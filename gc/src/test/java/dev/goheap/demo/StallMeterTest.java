package dev.goheap.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link StallMeter#coveredNanos}: how much of a pause the machine's stalls cover. */
class StallMeterTest {
    @Test
    void shouldCountOverlappingStallsOnceAndOnlyWithinThePause() {
        long[] starts = {0, 5, 8, 30, 50};
        long[] ends = {10, 12, 9, 35, 60};
        // Within [4, 40): [4, 12) from the first three (merged), [30, 35): 8 + 5.
        assertEquals(13, StallMeter.coveredNanos(starts, ends, starts.length, 4, 40));
        assertEquals(0, StallMeter.coveredNanos(starts, ends, starts.length, 12, 30), "between the stalls");
        assertEquals(2, StallMeter.coveredNanos(starts, ends, 4, 33, 100), "only the first n stalls count");
    }

    @Test
    void shouldCountNestedAndUnsortedStallsOnce() {
        long[] starts = {20, 0, 2};
        long[] ends = {25, 10, 4};
        assertEquals(15, StallMeter.coveredNanos(starts, ends, 3, 0, 100));
    }
}
