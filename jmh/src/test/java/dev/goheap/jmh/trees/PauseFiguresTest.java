package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PauseFigures} against a brute-force oracle: on a timeline of whole nanoseconds every window
 * start is tried, and a window's stopped time is counted nanosecond by nanosecond. The exact method
 * has its breakpoints at whole nanoseconds too, so the two must agree exactly. Replay a failure with
 * {@code -Dgoheap.test.argLine=-Dgoheap.seed=SEED}.
 */
class PauseFiguresTest {
    static final long MS = 1_000_000L;

    @Test
    void shouldAgreeWithBruteForceWhenPausesAreRandom() {
        long seed = Long.getLong("goheap.seed", new SplittableRandom().nextLong());
        try {
            SplittableRandom random = new SplittableRandom(seed);
            for (int round = 0; round < 2_000; round++) {
                checkOneRound(random);
            }
        } catch (Throwable t) {
            throw new AssertionError("PauseFiguresTest failed with seed " + seed
                    + " (replay: -Dgoheap.test.argLine=-Dgoheap.seed=" + seed + ")", t);
        }
    }

    private static void checkOneRound(SplittableRandom random) {
        int runStart = random.nextInt(0, 50);
        int runEnd = runStart + random.nextInt(1, 400);
        int count = random.nextInt(0, 12);
        long[] starts = new long[count];
        long[] lengths = new long[count];
        for (int i = 0; i < count; i++) {
            // some pauses start before the run or end after it; some overlap; some are empty
            starts[i] = random.nextInt(0, runEnd + 40);
            lengths[i] = random.nextInt(5) == 0 ? 0 : random.nextInt(1, 60);
        }
        long window = random.nextInt(1, 450);

        boolean[] stoppedNs = new boolean[runEnd + 200];
        for (int i = 0; i < count; i++) {
            for (long ns = starts[i]; ns < starts[i] + lengths[i]; ns++) {
                stoppedNs[(int) ns] = true;
            }
        }
        long effective = Math.min(window, runEnd - runStart);
        long worstInRun = 0;
        for (long t = runStart; t + effective <= runEnd; t++) {
            worstInRun = Math.max(worstInRun, stoppedIn(stoppedNs, t, effective));
        }
        long worstAnywhere = 0;
        for (long t = -window; t < stoppedNs.length; t++) {
            worstAnywhere = Math.max(worstAnywhere, stoppedIn(stoppedNs, t, window));
        }
        String where = "run [" + runStart + ", " + runEnd + "], window " + window + ", starts "
                + java.util.Arrays.toString(starts) + ", lengths " + java.util.Arrays.toString(lengths);
        assertEquals((double) (effective - worstInRun) / effective,
                PauseFigures.mmu(starts, lengths, runStart, runEnd, window), 0.0, where);
        assertEquals(worstAnywhere, PauseFigures.maxStoppedInWindow(starts, lengths, window), where);
    }

    private static long stoppedIn(boolean[] stoppedNs, long t, long window) {
        long stopped = 0;
        for (long ns = Math.max(0, t); ns < Math.min(stoppedNs.length, t + window); ns++) {
            stopped += stoppedNs[(int) ns] ? 1 : 0;
        }
        return stopped;
    }

    @Test
    void shouldReportTheDesignBoundWhenPausesAreTenMillisEveryFifty() {
        // 10 ms stopped at the start of every 50 ms for one second: exactly the bound of DESIGN decision 7
        long[] starts = new long[20];
        long[] lengths = new long[20];
        for (int i = 0; i < 20; i++) {
            starts[i] = i * 50 * MS;
            lengths[i] = 10 * MS;
        }
        PauseFigures f = PauseFigures.of(starts, lengths, 0, 1_000 * MS);
        assertEquals(20, f.count());
        assertEquals(10 * MS, f.maxNanos());
        assertEquals(200 * MS, f.totalNanos());
        assertEquals(0.0, f.mmu10());
        assertEquals(0.8, f.mmu50(), 1e-12);
        assertEquals(10 * MS, f.maxIn50msNanos());
        assertEquals(10 * MS, f.p99Nanos(), 10 * MS / 1000.0);
    }

    @Test
    void shouldCountOverlappingPausesOnceWhenTheyOverlap() {
        PauseFigures f = PauseFigures.of(new long[] {0, 5 * MS}, new long[] {10 * MS, 10 * MS}, 0, 100 * MS);
        assertEquals(2, f.count());
        assertEquals(15 * MS, f.totalNanos());
        assertEquals(15 * MS, f.maxIn50msNanos());
        assertEquals(1 - 15.0 / 50, f.mmu50(), 1e-12);
    }

    @Test
    void shouldGiveFullUtilisationWhenThereAreNoPauses() {
        PauseFigures f = PauseFigures.of(new long[0], new long[0], 0, 3 * MS);
        assertEquals(0, f.count());
        assertEquals(0, f.p99Nanos());
        assertEquals(1.0, f.mmu10());
        assertEquals(1.0, f.mmu50());
        assertEquals(0, f.maxIn50msNanos());
    }

    @Test
    void shouldThrowWhenArgumentsAreInvalid() {
        assertThrows(IllegalArgumentException.class, () -> PauseFigures.of(new long[1], new long[0], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PauseFigures.of(new long[] {0}, new long[] {-1}, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PauseFigures.of(new long[0], new long[0], 5, 5));
        assertThrows(IllegalArgumentException.class, () -> PauseFigures.mmu(new long[0], new long[0], 0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> PauseFigures.maxStoppedInWindow(new long[0], new long[0], -1));
    }
}
