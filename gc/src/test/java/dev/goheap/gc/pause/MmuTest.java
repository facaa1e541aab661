package dev.goheap.gc.pause;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-computed MMU and window maxima; times in ms unless said otherwise. */
class MmuTest {
    static final long MS = 1_000_000L;
    static final double EXACT = 1e-12;

    private static long[] ms(long... values) {
        long[] nanos = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            nanos[i] = values[i] * MS;
        }
        return nanos;
    }

    @Test
    void shouldBeOneWhenThereAreNoPauses() {
        assertEquals(1.0, Mmu.mmu(new long[0], new long[0], 0, 100 * MS, 10 * MS));
        assertEquals(0, Mmu.maxStoppedInWindow(new long[0], new long[0], 10 * MS));
        assertEquals(1.0, Mmu.mmu(ms(5, 7), ms(0, 0), 0, 100 * MS, 10 * MS), "empty pauses stop nothing");
    }

    @Test
    void shouldSubtractTheWholePauseWhenOnePauseFitsInTheWindow() {
        long[] starts = ms(10);
        long[] lengths = ms(5); // [10, 15)
        assertEquals(0.9, Mmu.mmu(starts, lengths, 0, 100 * MS, 50 * MS), EXACT);
        assertEquals(0.5, Mmu.mmu(starts, lengths, 0, 100 * MS, 10 * MS), EXACT);
        assertEquals(0.0, Mmu.mmu(starts, lengths, 0, 100 * MS, 5 * MS), EXACT);
        assertEquals(0.0, Mmu.mmu(starts, lengths, 0, 100 * MS, 1 * MS), EXACT);
        assertEquals(5 * MS, Mmu.maxStoppedInWindow(starts, lengths, 50 * MS));
        assertEquals(2 * MS, Mmu.maxStoppedInWindow(starts, lengths, 2 * MS));
    }

    @Test
    void shouldCountThePartsInsideWhenPausesStraddleTheWindowEdges() {
        long[] starts = ms(0, 48);
        long[] lengths = ms(4, 4); // [0, 4) and [48, 52)
        // A window [x, x + 50) with 0 <= x <= 2 holds 4 - x of the first and 2 + x of the second.
        assertEquals(6 * MS, Mmu.maxStoppedInWindow(starts, lengths, 50 * MS));
        assertEquals(44.0 / 50, Mmu.mmu(starts, lengths, 0, 100 * MS, 50 * MS), EXACT);
        assertEquals(44.0 / 48, Mmu.mmu(starts, lengths, 0, 100 * MS, 48 * MS), EXACT);
        assertEquals(44.0 / 52, Mmu.mmu(starts, lengths, 0, 100 * MS, 52 * MS), EXACT, "both whole at x = 0");
        assertEquals(8 * MS, Mmu.maxStoppedInWindow(starts, lengths, 52 * MS));
    }

    @Test
    void shouldTreatBackToBackPausesAsOneStopWhenTheyTouch() {
        long[] starts = ms(10, 13);
        long[] lengths = ms(3, 2); // [10, 13) then [13, 15)
        assertEquals(0.0, Mmu.mmu(starts, lengths, 0, 100 * MS, 5 * MS), EXACT);
        assertEquals(0.5, Mmu.mmu(starts, lengths, 0, 100 * MS, 10 * MS), EXACT);
        assertEquals(4 * MS, Mmu.maxStoppedInWindow(starts, lengths, 4 * MS));
        assertEquals(5 * MS, Mmu.maxStoppedInWindow(starts, lengths, 50 * MS));
    }

    @Test
    void shouldUseTheWholeRunWhenTheRunIsShorterThanTheWindow() {
        long[] starts = ms(5);
        long[] lengths = ms(2);
        assertEquals(0.9, Mmu.mmu(starts, lengths, 0, 20 * MS, 50 * MS), EXACT);
        assertEquals(0.9, Mmu.mmu(starts, lengths, 0, 20 * MS, 20 * MS), EXACT, "window exactly the run");
    }

    @Test
    void shouldCountOnlyThePartInsideTheRunWhenAPauseReachesOutsideIt() {
        long[] starts = ms(-5, 98);
        long[] lengths = ms(10, 10); // [-5, 5) and [98, 108): 5 ms and 2 ms inside [0, 100]
        assertEquals(0.5, Mmu.mmu(starts, lengths, 0, 100 * MS, 10 * MS), EXACT);
        assertEquals(0.93, Mmu.mmu(starts, lengths, 0, 100 * MS, 100 * MS), EXACT);
        assertEquals(10 * MS, Mmu.maxStoppedInWindow(starts, lengths, 10 * MS), "no run bounds here");
    }

    @Test
    void shouldSortAndMergeWhenPausesAreUnsortedAndOverlap() {
        long[] starts = ms(30, 10, 12);
        long[] lengths = ms(2, 5, 1); // [30, 32), [10, 15), [12, 13) inside the second
        long[] startsBefore = starts.clone();
        long[] lengthsBefore = lengths.clone();
        assertEquals(5 * MS, Mmu.maxStoppedInWindow(starts, lengths, 5 * MS));
        assertEquals(5 * MS, Mmu.maxStoppedInWindow(starts, lengths, 20 * MS), "both fit only in 22 ms");
        assertEquals(7 * MS, Mmu.maxStoppedInWindow(starts, lengths, 22 * MS));
        assertEquals(0.75, Mmu.mmu(starts, lengths, 0, 100 * MS, 20 * MS), EXACT);
        assertArrayEquals(startsBefore, starts, "inputs are not modified");
        assertArrayEquals(lengthsBefore, lengths);
    }

    @Test
    void shouldEqualTheSingleWindowResultsWhenComputingACurve() {
        long[] starts = ms(3, 40, 41, 200, 650);
        long[] lengths = ms(2, 1, 6, 9, 1);
        long[] windows = Mmu.reportWindowsNanos();
        double[] curve = Mmu.mmuCurve(starts, lengths, 0, 1000 * MS, windows);
        assertEquals(windows.length, curve.length);
        for (int i = 0; i < windows.length; i++) {
            assertEquals(Mmu.mmu(starts, lengths, 0, 1000 * MS, windows[i]), curve[i], "window " + windows[i]);
        }
        assertEquals(0.0, curve[0], EXACT);
        assertEquals(1.0 - 19.0 / 1000, curve[9], EXACT);
    }

    @Test
    void shouldListTenWindowsFromOneMillisecondToOneSecondWhenAskedForReportWindows() {
        long[] windows = Mmu.reportWindowsNanos();
        assertArrayEquals(ms(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000), windows);
        windows[0] = 7;
        assertNotSame(windows, Mmu.reportWindowsNanos());
        assertEquals(MS, Mmu.reportWindowsNanos()[0], "a copy each time");
    }

    @Test
    void shouldAgreeWithTheArrayFormWhenGivenASnapshot() {
        PauseLog log = new PauseLog();
        log.record(PauseKind.MARK_START, 10 * MS, 4 * MS);
        log.record(PauseKind.MARK_TERMINATION, 30 * MS, 3 * MS);
        PauseSnapshot s = log.snapshot();
        long[] starts = s.startsNanos();
        long[] lengths = s.lengthsNanos();
        assertEquals(Mmu.mmu(starts, lengths, 0, 100 * MS, 25 * MS), Mmu.mmu(s, 0, 100 * MS, 25 * MS));
        assertEquals(7 * MS, Mmu.maxStoppedInWindow(s, 25 * MS));
        assertArrayEquals(Mmu.mmuCurve(starts, lengths, 0, 100 * MS, 1 * MS, 50 * MS),
                Mmu.mmuCurve(s, 0, 100 * MS, 1 * MS, 50 * MS));
    }

    @Test
    void shouldRejectInputWhenAPauseLengthIsNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mmu.mmu(new long[] {0, 5}, new long[] {1, -2}, 0, 10, 5));
        assertTrue(e.getMessage().startsWith("lengths[1]: -2 ns (expected: >= 0 ns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mmu.maxStoppedInWindow(new long[] {0}, new long[] {-1}, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Mmu.maxStoppedInWindow(new long[] {Long.MAX_VALUE}, new long[] {1}, 5), "end overflows");
    }

    @Test
    void shouldRejectInputWhenTheArraysDifferInLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mmu.maxStoppedInWindow(new long[] {0, 5}, new long[] {1}, 5));
        assertTrue(e.getMessage().startsWith("lengths.length: 1 (expected: 2, as starts.length"), e.getMessage());
    }

    @Test
    void shouldRejectInputWhenTheRunOrTheWindowIsEmpty() {
        long[] none = new long[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mmu.mmu(none, none, 10, 10, 5));
        assertEquals("run: [10, 10] (expected: runStart < runEnd)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mmu.mmu(none, none, 10, 9, 5));
        assertThrows(IllegalArgumentException.class, () -> Mmu.mmu(none, none, Long.MIN_VALUE, Long.MAX_VALUE, 5),
                "the run's length overflows");
        e = assertThrows(IllegalArgumentException.class, () -> Mmu.mmu(none, none, 0, 10, 0));
        assertEquals("windowNanos: 0 ns (expected: > 0 ns)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mmu.maxStoppedInWindow(none, none, -1));
        assertThrows(IllegalArgumentException.class, () -> Mmu.mmuCurve(none, none, 0, 10, 5, 0));
        assertThrows(NullPointerException.class, () -> Mmu.mmu((PauseSnapshot) null, 0, 10, 5));
    }
}
