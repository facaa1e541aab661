package dev.goheap.sched;

/**
 * The stops of the world of one {@link Safepoints}: whether the world is stopped now and with
 * which goroutines (the operator's, between {@link PlainStop}'s stop and start), and what the
 * last stops left for anyone to read: their request and release times and their reports.
 *
 * <p><b>Thread safety:</b> the fields say who writes them; the volatile ones are read racily.
 */
final class StopState {
    /** Whether the world is stopped: written by the operator. */
    volatile boolean worldStopped;
    /** When the last stop was released: written by the operator in {@code WorldStop.release}. */
    volatile long lastReleaseNanos;
    /** When the last stop was requested (STOP set, step S1): written by the operator under the lock. */
    volatile long lastRequestNanos;
    /** Written by the operator at the end of each stop's wait ({@link #record}); read by anyone (tracing). */
    volatile StopReport lastStop;
    volatile StopReport worstStop;
    Mutator[] stopSet; // operator only: the stop's goroutines while the world is stopped
    long stopStart;    // operator only: when the current stop was requested
    long timeToSafepointOfStop = -1; // operator only: stopTheWorldAndRun's, until startTheWorld counts it

    /** The operator, at the end of a stop's wait. */
    void record(StopReport r) {
        lastStop = r;
        StopReport w = worstStop;
        if (w == null || r.timeToSafepointNanos() > w.timeToSafepointNanos()) {
            worstStop = r;
        }
    }

    /** Forgets the reports and the release time of the stops so far (the warm-up's). */
    void forgetReports() {
        lastStop = null;
        worstStop = null;
        lastReleaseNanos = 0;
    }
}
