package dev.goheap.gc.pause;

import java.util.Objects;

/**
 * Minimum mutator utilisation (MMU): for a window length w, the smallest fraction of any window
 * of w during which the mutator was not held up, over all positions of the window in a run:
 * <pre>
 *   MMU(w) = min over runStart &lt;= x &lt;= runEnd - w of (w - stopped(x, x + w)) / w
 * </pre>
 * where {@code stopped(a, b)} is the time in {@code [a, b)} covered by the given pauses (Cheng and
 * Blelloch's definition). MMU(50 ms) &gt;= 0.8 is goheap's bound of 10 ms stopped in every 50 ms.
 *
 * <p><b>Exact, in O(n log n):</b> the pauses are sorted, and overlapping ones merged (their union
 * counts, once); then the stopped time before any instant is a binary search in prefix sums, and
 * {@code F(x) = stopped(x, x + w)} is continuous and piecewise linear with slope +1, 0 or -1. It
 * falls only while the window's left edge is inside a pause, so its maximum, and with it the
 * minimum utilisation, is attained with the left edge at a pause's start (or, looking from the
 * other side, the right edge at a pause's end), or at the run's ends: F is evaluated there.
 *
 * <p><b>Conventions:</b> times in nanoseconds on one clock (goheap's pause log uses
 * {@link System#nanoTime()}; a JFR reader may use epoch nanos). Pauses may be unsorted and may
 * overlap or reach outside the run; only their parts inside a window inside the run count. If the
 * run is shorter than the window, the window shrinks to the run: MMU is then the run's overall
 * utilisation. This class knows nothing of the collector, so it serves for any pauses (JVM
 * collectors' pauses from JFR, or stopped time plus assists: package-info, "MMU, two ways").
 *
 * <p><b>Thread safety:</b> static methods on their arguments only; the input arrays are read,
 * never modified (callers must not change them during the call).
 */
public final class Mmu {
    private static final long MS = 1_000_000L;
    private static final long[] REPORT_WINDOWS_NANOS = {
        1 * MS, 2 * MS, 5 * MS, 10 * MS, 20 * MS, 50 * MS, 100 * MS, 200 * MS, 500 * MS, 1000 * MS
    };

    private Mmu() {}

    /**
     * Returns the MMU for windows of {@code windowNanos} over the run {@code [runStartNanos, runEndNanos]},
     * for the pauses {@code (starts[i], lengths[i])}: a value in {@code [0, 1]}, 1 if no pause
     * touches the run. If the run is shorter than the window, the window is the run.
     *
     * @throws IllegalArgumentException if {@code starts.length != lengths.length}, a length is
     *                                  negative, a pause's end overflows, {@code runStartNanos >=
     *                                  runEndNanos} (or the run's length overflows), or
     *                                  {@code windowNanos <= 0}
     */
    public static double mmu(long[] starts, long[] lengths, long runStartNanos, long runEndNanos,
            long windowNanos) {
        return mmuCurve(starts, lengths, runStartNanos, runEndNanos, windowNanos)[0];
    }

    /**
     * Returns the MMU for each of {@code windowsNanos} (for example {@link #reportWindowsNanos()}),
     * as {@link #mmu} would, sorting and merging the pauses once. MMU need not grow with the
     * window: a report that wants a monotone curve takes the running minimum from the largest
     * window down.
     *
     * @throws IllegalArgumentException as {@link #mmu}, for any of the windows
     */
    public static double[] mmuCurve(long[] starts, long[] lengths, long runStartNanos, long runEndNanos,
            long... windowsNanos) {
        long runNanos = checkRun(runStartNanos, runEndNanos);
        for (long w : windowsNanos) {
            checkWindow(w);
        }
        Intervals pauses = Intervals.union(starts, lengths);
        double[] curve = new double[windowsNanos.length];
        for (int i = 0; i < windowsNanos.length; i++) {
            long w = Math.min(windowsNanos[i], runNanos);
            long maxStopped = pauses.maxStoppedInWindow(w, runStartNanos, runEndNanos - w);
            curve[i] = (double) (w - maxStopped) / w;
        }
        return curve;
    }

    /**
     * Returns the most stopped time that any window of {@code windowNanos} holds, over the whole
     * time line (no run bounds): the bound check, which must be {@code <= B} for windows of W. For
     * windows of at least the longest pause it is also at least that pause.
     *
     * @throws IllegalArgumentException if {@code starts.length != lengths.length}, a length is
     *                                  negative, a pause's end overflows, or {@code windowNanos <= 0}
     */
    public static long maxStoppedInWindow(long[] starts, long[] lengths, long windowNanos) {
        checkWindow(windowNanos);
        return Intervals.union(starts, lengths).maxStoppedInWindow(windowNanos, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Returns {@link #mmu(long[], long[], long, long, long)} for the pauses of a snapshot.
     *
     * @throws IllegalArgumentException as that method
     */
    public static double mmu(PauseSnapshot pauses, long runStartNanos, long runEndNanos, long windowNanos) {
        Objects.requireNonNull(pauses, "pauses");
        return mmu(pauses.startsNoCopy(), pauses.lengthsNoCopy(), runStartNanos, runEndNanos, windowNanos);
    }

    /**
     * Returns {@link #mmuCurve(long[], long[], long, long, long...)} for the pauses of a snapshot.
     *
     * @throws IllegalArgumentException as that method
     */
    public static double[] mmuCurve(PauseSnapshot pauses, long runStartNanos, long runEndNanos,
            long... windowsNanos) {
        Objects.requireNonNull(pauses, "pauses");
        return mmuCurve(pauses.startsNoCopy(), pauses.lengthsNoCopy(), runStartNanos, runEndNanos, windowsNanos);
    }

    /**
     * Returns {@link #maxStoppedInWindow(long[], long[], long)} for the pauses of a snapshot.
     *
     * @throws IllegalArgumentException as that method
     */
    public static long maxStoppedInWindow(PauseSnapshot pauses, long windowNanos) {
        Objects.requireNonNull(pauses, "pauses");
        return maxStoppedInWindow(pauses.startsNoCopy(), pauses.lengthsNoCopy(), windowNanos);
    }

    /** Returns the windows of the reports' MMU curve: 1, 2, 5, 10, 20, 50, 100, 200, 500 ms and 1 s (a copy). */
    public static long[] reportWindowsNanos() {
        return REPORT_WINDOWS_NANOS.clone();
    }

    private static long checkRun(long runStartNanos, long runEndNanos) {
        long runNanos = runEndNanos - runStartNanos;
        if (runStartNanos >= runEndNanos) {
            throw Errors.emptyRun(runStartNanos, runEndNanos);
        }
        if (runNanos <= 0) {
            throw Errors.bad("run length", "[" + runStartNanos + ", " + runEndNanos + "]", "at most "
                    + Long.MAX_VALUE + " ns");
        }
        return runNanos;
    }

    private static void checkWindow(long windowNanos) {
        if (windowNanos <= 0) {
            throw Errors.notPositive("windowNanos", windowNanos);
        }
    }
}
