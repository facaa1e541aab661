package dev.goheap.gc;

import dev.goheap.gc.pause.PauseKind;
import dev.goheap.sched.StopReport;
import java.util.Locale;
import java.util.Objects;

/**
 * Where one pause's time went ({@link Collector#longestPause()}): from the stop request to the
 * safepoints reached, to the work's start and end on the thread that ran it, to the release.
 * Times are nanoseconds from the stop request. A pause that overran its plan says here whether
 * the time was spent reaching the safepoints (a goroutine that did not poll: see {@code stop}),
 * in the work, or between the work's end and the release (the releasing thread off its CPU, or
 * waiting for the safepoints' lock).
 *
 * <p><b>Thread safety:</b> a record of immutable values.
 *
 * @param kind            why the world was stopped
 * @param startNanos      the stop request, in {@link System#nanoTime()} units
 * @param lengthNanos     from the request to the release
 * @param workStartNanos  when the work started, or -1 if it did not run (the stop missed its deadline)
 * @param workEndNanos    when the work returned, or -1 if it did not run
 * @param operator        the name of the thread that ran the work (the collector's, or the goroutine
 *                        that completed the stop), or {@code ""} if it did not run
 * @param stop            who the stop waited for last, with its time to safepoint; null if not known
 */
public record PauseAnatomy(PauseKind kind, long startNanos, long lengthNanos, long workStartNanos, long workEndNanos,
        String operator, StopReport stop) {
    /**
     * Checks the record.
     *
     * @throws NullPointerException     if {@code kind} or {@code operator} is null
     * @throws IllegalArgumentException if {@code lengthNanos < 0}, or the work's times are not
     *                                  both -1 or ordered within the pause
     */
    public PauseAnatomy {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(operator, "operator");
        if (lengthNanos < 0) {
            throw new IllegalArgumentException("lengthNanos " + lengthNanos + " (expected: >= 0)");
        }
        boolean ran = workStartNanos >= 0;
        if (ran ? workEndNanos < workStartNanos : workEndNanos != -1 || workStartNanos != -1) {
            throw new IllegalArgumentException("work from " + workStartNanos + " to " + workEndNanos
                    + " ns (expected: 0 <= start <= end, or both -1 when the work did not run)");
        }
    }

    /** Whether the work ran (the stop reached every safepoint). */
    public boolean workRan() {
        return workStartNanos >= 0;
    }

    /** From the work's end to the release, or 0 if the work did not run. */
    public long releaseNanos() {
        return workRan() ? Math.max(0, lengthNanos - workEndNanos) : 0;
    }

    /**
     * One line: for example {@code mark_termination 15.476 ms: time to safepoint 0.120 ms, …, work
     * on goroutine-2 0.121-0.300 ms, released 15.176 ms after the work}.
     */
    @Override
    public String toString() {
        String reached = stop == null ? "" : ": " + stop;
        String work = workRan()
                ? String.format(Locale.ROOT, ", work on %s %.3f-%.3f ms, released %.3f ms after the work", operator,
                        workStartNanos / 1e6, workEndNanos / 1e6, releaseNanos() / 1e6)
                : ", no work (the stop missed its deadline)";
        return String.format(Locale.ROOT, "%s %.3f ms", kind.name().toLowerCase(Locale.ROOT), lengthNanos / 1e6)
                + reached + work;
    }
}
