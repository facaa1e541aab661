package dev.goheap.gc.pause;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LateReserveTest {
    private static final long MS = 1_000_000;

    @Test
    void shouldKeepTheLatestOverrunAndHalveItEachHalfLife() {
        LateReserve r = new LateReserve(500 * MS, 5 * MS);
        assertEquals(0, r.reserveNanos(0), "nothing late yet");
        r.record(1_000 * MS, 4 * MS);
        assertEquals(4 * MS, r.reserveNanos(1_000 * MS));
        assertEquals(4 * MS, r.reserveNanos(1_499 * MS), "whole until a half-life has passed");
        assertEquals(2 * MS, r.reserveNanos(1_500 * MS));
        assertEquals(MS, r.reserveNanos(2_000 * MS));
        assertEquals(0, r.reserveNanos(1_000 * MS + 64 * 500 * MS), "faded out");
    }

    @Test
    void shouldTakeALargerOverrunAndIgnoreSmallerOnesAndEarlyReleases() {
        LateReserve r = new LateReserve(500 * MS, 5 * MS);
        r.record(0, 2 * MS);
        r.record(10 * MS, MS);
        r.record(20 * MS, -3 * MS);
        assertEquals(2 * MS, r.reserveNanos(20 * MS), "a smaller overrun or an early release keeps the reserve");
        r.record(600 * MS, 1_500_000);
        assertEquals(1_500_000, r.reserveNanos(600 * MS), "larger than the faded reserve (1 ms): taken, and timed from now");
        r.record(700 * MS, 3 * MS);
        assertEquals(3 * MS, r.reserveNanos(700 * MS));
    }

    @Test
    void shouldCapTheReserve() {
        LateReserve r = new LateReserve(500 * MS, 5 * MS);
        r.record(0, 30 * MS);
        assertEquals(5 * MS, r.reserveNanos(0), "an empty window must still let a pause start");
    }

    @Test
    void shouldRefuseBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new LateReserve(0, MS));
        assertThrows(IllegalArgumentException.class, () -> new LateReserve(MS, -1));
    }
}
