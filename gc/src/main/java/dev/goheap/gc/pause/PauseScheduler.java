package dev.goheap.gc.pause;

import java.util.Objects;

/**
 * Sizes stop-the-world pauses so that the {@link PauseBudget} holds: with budget B and window W,
 * every window of W is stopped for at most B in total, and no pause is longer than B. Times are
 * {@link System#nanoTime()} values passed in by the caller (the clock is injected: tests run on
 * simulated time).
 *
 * <h2>The rule</h2>
 * Write {@code stopped(a, b)} for the stopped time the log holds in {@code [a, b)}. A pause may
 * start at {@code now} and last at most
 * <pre>
 *   budget(now) = min(B, B - stopped(now - W, now))        ({@link #budgetNanos})
 * </pre>
 * A budget {@code <= 0} means "wait": {@link #earliestStartNanos} says until when.
 *
 * <h2>Why it holds</h2>
 * Assume every pause P, started at t, lasted at most budget(t), and pauses do not overlap (the
 * log checks that). Take any window {@code [a, a + W)} and let P be the last pause that intersects
 * it, started at t with length L; so {@code t < a + W}. Every other pause that intersects the
 * window ended by t (pauses do not overlap and P is the last), so its part inside the window lies
 * in {@code [a, t)}, and {@code [a, t)} lies in {@code [t - W, t)} because {@code a > t - W}.
 * Hence
 * <pre>
 *   stopped in the window &lt;= stopped(t - W, t) + L &lt;= stopped(t - W, t) + budget(t) &lt;= B
 * </pre>
 * and L &lt;= budget(t) &lt;= B. (If P started before the window, {@code [a, t)} is empty and only P
 * counts.) The argument uses nothing about other windows, so it holds for all of them at once.
 *
 * <h2>What the collector must do</h2>
 * <ol>
 *   <li>Take {@code start = System.nanoTime()} right before requesting the stop, and
 *       {@code budget = budgetNanos(start)}; if it is too small for useful work (below the expected
 *       time-to-safepoint), wait until {@code earliestStartNanos(now, minimumUsefulPause)} and ask
 *       again.</li>
 *   <li>Enforce the deadline {@code start + budget}: stop work there and release the world, going
 *       back to concurrent marking if the work is not done ({@link PauseKind#ABORTED_STOP} if the
 *       world never fully stopped). The scheduler trusts this: it cannot cut a pause itself.</li>
 *   <li>Record the pause ({@code start}, release time minus {@code start}) in the log after the
 *       release and before the next {@code budgetNanos}. A late release is recorded as it happened;
 *       the bound is then broken for that window and the budgets that follow shrink (possibly below
 *       zero) until the excess has slid out of the window.</li>
 * </ol>
 *
 * <p><b>Thread safety:</b> the scheduler holds no mutable state; each call reads the log under the
 * log's lock. Meant for the collector thread, which is also the log's writer; any thread may call it.
 */
public final class PauseScheduler {
    private final PauseLog log;
    private final PauseBudget budget;

    /**
     * Makes a scheduler for the pauses recorded in {@code log}.
     *
     * @throws NullPointerException if an argument is null
     */
    public PauseScheduler(PauseLog log, PauseBudget budget) {
        this.log = Objects.requireNonNull(log, "log");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    /** Returns the log the scheduler reads. */
    public PauseLog log() {
        return log;
    }

    /** Returns the bound the scheduler keeps. */
    public PauseBudget budget() {
        return budget;
    }

    /**
     * Returns the longest pause that may start at {@code nowNanos} without breaking the bound:
     * {@code min(B, B - stoppedNanosIn(nowNanos - W, nowNanos))}. A result {@code <= 0} means no
     * pause may start now.
     *
     * @throws IllegalArgumentException if {@code nowNanos} is before the end of the last recorded pause
     */
    public long budgetNanos(long nowNanos) {
        long b = budget.budgetNanos();
        return Math.min(b, b - log.stoppedInWindowEndingAt(nowNanos, budget.windowNanos()));
    }

    /**
     * Returns the earliest time {@code t >= nowNanos} at which a pause of {@code wantedNanos} may
     * start, that is with {@code budgetNanos(t) >= wantedNanos}; {@code nowNanos} itself if one may
     * start now. Exact: with no pause after {@code nowNanos}, the stopped time in the window ending
     * at t only falls as t grows, and the result is the first t at which it has fallen far enough.
     *
     * @throws IllegalArgumentException if {@code wantedNanos < 0} or {@code wantedNanos > B}, or if
     *                                  {@code nowNanos} is before the end of the last recorded pause
     */
    public long earliestStartNanos(long nowNanos, long wantedNanos) {
        long b = budget.budgetNanos();
        if (wantedNanos < 0 || wantedNanos > b) {
            throw Errors.bad("wantedNanos", wantedNanos + " ns", "0.." + b + " ns, the budget; a longer"
                    + " pause never fits: split the work or cut it at the deadline");
        }
        long window = budget.windowNanos();
        long excess = log.stoppedInWindowEndingAt(nowNanos, window) - (b - wantedNanos);
        if (excess <= 0) {
            return nowNanos;
        }
        // The window's left edge must pass `excess` of stopped time; its right edge adds none.
        long leftEdge = log.stoppedUntil(Intervals.saturatedAdd(nowNanos, -window), excess);
        if (leftEdge == Long.MAX_VALUE) {
            throw new InternalError("pause log: less stopped time after " + (nowNanos - window)
                    + " than the window ending at " + nowNanos + " holds (invariant: the log is append-only"
                    + " and read by the scheduler's own thread)");
        }
        return leftEdge + window;
    }

    @Override
    public String toString() {
        return "PauseScheduler[" + budget + "]";
    }
}
