package dev.goheap.sched;

/**
 * A snapshot of a runtime's safepoint figures ({@link Safepoints#stats()}), for tracing and
 * tests. Times are nanoseconds of {@link System#nanoTime()}; "last" figures are 0 before the
 * first event.
 *
 * @param mutators                 goroutines registered now
 * @param stops                    successful stops of the world
 * @param stopTimeouts             stops that passed their deadline and released the world
 * @param stopsRunByGoroutine      stops whose work the last goroutine to stop ran and released
 *                                 ({@link Safepoints#stopTheWorldAndRun}); counted in {@code stops}
 * @param lastTimeToSafepointNanos from the last successful stop request to the world stopped
 * @param maxTimeToSafepointNanos  the largest time to safepoint of a successful stop
 * @param lastPauseNanos           the last pause, from its stop request to its release (time to
 *                                 safepoint included; a timed-out stop counts up to its release)
 * @param totalPauseNanos          the sum of all pauses, timed-out stops included
 * @param handshakes               handshakes run (complete or not)
 * @param handshakeTimeouts        handshakes that cancelled actions at their deadline
 * @param actionsByOwner           handshake actions run by goroutines on their own threads
 * @param actionsByCaller          handshake actions run on the caller's thread
 * @param actionsCancelled         handshake actions cancelled at a deadline
 */
public record SafepointStats(int mutators, long stops, long stopTimeouts, long stopsRunByGoroutine,
        long lastTimeToSafepointNanos,
        long maxTimeToSafepointNanos, long lastPauseNanos, long totalPauseNanos, long handshakes,
        long handshakeTimeouts, long actionsByOwner, long actionsByCaller, long actionsCancelled) {
}
