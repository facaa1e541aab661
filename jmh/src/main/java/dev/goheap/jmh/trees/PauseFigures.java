package dev.goheap.jmh.trees;

import dev.goheap.gc.pause.Mmu;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * The pause figures of one run: count, max, p99, total stopped time, minimum mutator utilisation
 * (MMU) at 10 ms and 50 ms, and the most stopped time in any 50 ms window.
 *
 * <p><b>MMU.</b> For a window length w, MMU(w) is the minimum over every window [t, t + w] inside
 * the run of (w − stopped time in the window) / w (Cheng and Blelloch; Go's {@code gctrace} and
 * DESIGN decision 7 use the same measure: "≤ 10 ms stopped in every 50 ms" is MMU(50 ms) ≥ 80 %).
 * A window longer than the run is cut to the run.
 *
 * <p><b>Computing it exactly.</b> With the pauses sorted and merged into disjoint intervals
 * [s_i, e_i), the stopped time in [t, t + w] is S(t) = P(t + w) − P(t), where P(x) is the stopped
 * time before x (a prefix sum over the intervals and a binary search). Some window with the most
 * stopped time starts at a pause start or at an end of the allowed range of t:
 * <ol>
 *   <li>take a window with the most stopped time; if its left edge lies in a gap, slide it right
 *       to the next pause start: the left edge loses nothing, the right edge can only gain;</li>
 *   <li>if its left edge lies inside a pause, slide it left to that pause's start: the left edge
 *       gains at rate 1, the right edge loses at most at rate 1;</li>
 *   <li>either slide stops early at an end of the allowed range.</li>
 * </ol>
 * {@code dev.goheap.gc.pause.Mmu} computes it (the collector's own figures use the same class),
 * and this record delegates to it.
 *
 * @param count            number of pauses
 * @param maxNanos         longest pause
 * @param p99Nanos         99th percentile of the pause lengths (HdrHistogram, 3 significant digits,
 *                         at most {@code maxNanos})
 * @param totalNanos       stopped time (overlapping pauses counted once)
 * @param mmu10            MMU at 10 ms, 0 to 1
 * @param mmu50            MMU at 50 ms, 0 to 1
 * @param maxIn50msNanos   the most stopped time in any 50 ms window
 */
public record PauseFigures(int count, long maxNanos, long p99Nanos, long totalNanos, double mmu10, double mmu50,
                           long maxIn50msNanos) {
    static final long MS = 1_000_000L;

    /**
     * Computes the figures of the pauses {@code [starts[i], starts[i] + lengths[i])} in the run
     * {@code [runStartNanos, runEndNanos]}; pauses may be unsorted and may overlap, and the parts
     * outside the run are left out of the MMU (not of count, max and p99).
     *
     * @throws IllegalArgumentException if the arrays differ in length, a length is negative, or
     *         {@code runEndNanos <= runStartNanos}
     */
    public static PauseFigures of(long[] starts, long[] lengths, long runStartNanos, long runEndNanos) {
        long[][] merged = merge(starts, lengths);
        checkRun(runStartNanos, runEndNanos);
        long max = 0;
        Histogram histogram = new Histogram(3);
        for (long length : lengths) {
            max = Math.max(max, length);
            histogram.recordValue(length);
        }
        long p99 = lengths.length == 0 ? 0 : Math.min(max, histogram.getValueAtPercentile(99.0));
        long total = 0;
        for (int i = 0; i < merged[0].length; i++) {
            total += merged[1][i] - merged[0][i];
        }
        return new PauseFigures(lengths.length, max, p99, total,
                mmu(starts, lengths, runStartNanos, runEndNanos, 10 * MS),
                mmu(starts, lengths, runStartNanos, runEndNanos, 50 * MS),
                maxStoppedInWindow(starts, lengths, 50 * MS));
    }

    /**
     * MMU(w) of the run {@code [runStartNanos, runEndNanos]}; delegates to the collector's
     * {@link Mmu#mmu(long[], long[], long, long, long)}, so the table and goheap's own figures
     * use one computation.
     */
    public static double mmu(long[] starts, long[] lengths, long runStartNanos, long runEndNanos, long windowNanos) {
        return Mmu.mmu(starts, lengths, runStartNanos, runEndNanos, windowNanos);
    }

    /** The most stopped time in any window of {@code windowNanos}: {@link Mmu#maxStoppedInWindow}. */
    public static long maxStoppedInWindow(long[] starts, long[] lengths, long windowNanos) {
        return Mmu.maxStoppedInWindow(starts, lengths, windowNanos);
    }

    static long[][] merge(long[] starts, long[] lengths) {
        if (starts.length != lengths.length) {
            throw new IllegalArgumentException("pause arrays: " + starts.length + " starts and " + lengths.length
                    + " lengths (expected: as many of each)");
        }
        long[][] pauses = new long[starts.length][];
        for (int i = 0; i < starts.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("pause length: " + lengths[i] + " (expected: >= 0)");
            }
            pauses[i] = new long[] {starts[i], starts[i] + lengths[i]};
        }
        Arrays.sort(pauses, (a, b) -> Long.compare(a[0], b[0]));
        long[] begins = new long[pauses.length];
        long[] ends = new long[pauses.length];
        int n = 0;
        for (long[] p : pauses) {
            if (n > 0 && p[0] <= ends[n - 1]) {
                ends[n - 1] = Math.max(ends[n - 1], p[1]);
            } else {
                begins[n] = p[0];
                ends[n] = p[1];
                n++;
            }
        }
        return new long[][] {Arrays.copyOf(begins, n), Arrays.copyOf(ends, n)};
    }

    private static void checkRun(long runStartNanos, long runEndNanos) {
        if (runEndNanos <= runStartNanos) {
            throw new IllegalArgumentException("run: [" + runStartNanos + ", " + runEndNanos
                    + "] (expected: end > start)");
        }
    }
}
