package dev.goheap.sched;

/**
 * Who a stop of the world waited for last, to explain a long time to safepoint ({@link
 * Safepoints#lastStopReport()}, {@link Safepoints#worstStopReport()}): the goroutine the operator
 * found safe last, what it was doing at the request, and when it got there. Times are nanoseconds
 * from the stop request.
 *
 * <p>{@code arrivedNanos} is when the goroutine itself reached its safepoint (or, if it was
 * parked, when the operator held it); {@code seenNanos - arrivedNanos} is then the operator's own
 * delay (its wake-up). A long {@code arrivedNanos} of a goroutine RUNNING at the request means it
 * ran a long stretch without a safepoint: {@code stackSample} (taken only when the debug property
 * {@code goheap.sched.sampleStopsAfterMicros} is set and the stop took longer) shows where.
 *
 * @param timeToSafepointNanos from the request to the world stopped (or to the deadline)
 * @param stopped              whether the stop succeeded
 * @param goroutines           how many goroutines the stop waited for (the operator's own excluded)
 * @param lastGoroutineId      the id of the goroutine found safe last, or -1 if there was none
 * @param lastStateAtRequest   its state at the operator's first look
 * @param arrivedNanos         when it stopped at its safepoint, was held, parked or ended
 * @param seenNanos            when the operator saw it safe
 * @param stackSample          where a goroutine the operator still waited for was, or null
 */
public record StopReport(long timeToSafepointNanos, boolean stopped, int goroutines, long lastGoroutineId,
        MutatorState lastStateAtRequest, long arrivedNanos, long seenNanos, String stackSample) {

    /** The report of a stop that waited for no goroutine. */
    static StopReport empty(long timeToSafepointNanos, boolean stopped) {
        return new StopReport(timeToSafepointNanos, stopped, 0, -1, MutatorState.DEREGISTERED, 0, 0, null);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "time to safepoint %.3f ms%s, %d goroutines; last goroutine %d (%s at the request) arrived at %.3f ms, seen at %.3f ms%s",
                timeToSafepointNanos / 1e6, stopped ? "" : " (missed its deadline)", goroutines, lastGoroutineId,
                lastStateAtRequest, arrivedNanos / 1e6, seenNanos / 1e6,
                stackSample == null ? "" : "; sample:\n" + stackSample);
    }
}
