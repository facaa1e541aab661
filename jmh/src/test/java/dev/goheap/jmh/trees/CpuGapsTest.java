package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuGapsTest {
    @Test
    void shouldCountAGapUnderEveryThresholdItExceeds() {
        CpuGaps.Tally t = new CpuGaps.Tally();
        t.add(100_000);   // jitter: none
        t.add(250_000);   // equal to the first threshold: not over it
        t.add(600_000);   // > 0.25, > 0.5
        t.add(1_500_000); // > 0.25, > 0.5, > 1
        t.add(7_000_000); // all five

        assertArrayEquals(new long[] {3, 3, 2, 1, 1}, t.countsOver);
        assertEquals(7_000_000, t.maxNanos);
    }

    @Test
    void shouldGiveRatesPerSecondOfEachSpinner() {
        CpuGaps.Figures f = new CpuGaps.Figures(2, 4_000_000_000L, new long[] {20, 8, 4, 1, 0}, 2_500_000);

        assertEquals(1.0, f.perSecondOver(500_000), 1e-9, "8 gaps in 2 x 4 s");
        assertEquals(4, f.countOver(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> f.countOver(300_000));
        assertTrue(f.describe().contains("> 0.5 ms 8 times (1.00/s per thread), > 1 ms 4, > 2 ms 1; longest 2.50 ms"),
                f.describe());
        assertEquals(Map.of("0.250", 20L, "0.500", 8L, "1.00", 4L, "2.00", 1L, "5.00", 0L), f.toJson().get("gapsOverMillis"));
    }

    @Test
    void shouldSpinEachThreadForTheGivenTime() throws InterruptedException {
        long start = System.nanoTime();
        CpuGaps.Figures f = CpuGaps.measure(2, 50_000_000);

        assertTrue(System.nanoTime() - start >= 50_000_000, "each spinner spins 50 ms");
        assertEquals(2, f.spinners());
        assertTrue(f.maxNanos() > 0, "longest gap " + f.maxNanos() + " ns");
    }

    @Test
    void shouldThrowWhenGivenNoSpinnerOrNoTime() {
        assertThrows(IllegalArgumentException.class, () -> CpuGaps.measure(0, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> CpuGaps.measure(1, 0));
    }
}
