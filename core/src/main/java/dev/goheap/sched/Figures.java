package dev.goheap.sched;

/**
 * The running figures behind {@link SafepointStats}.
 *
 * <p><b>Thread safety:</b> guarded by the owning {@link Safepoints}' lock (the {@code ...Locked}
 * methods and every field).
 */
final class Figures {
    private long stops;
    private long stopTimeouts;
    private long lastTimeToSafepointNanos;
    private long maxTimeToSafepointNanos;
    private long lastPauseNanos;
    private long totalPauseNanos;
    long handshakes;
    private long handshakeTimeouts;
    private long actionsByOwner;
    private long actionsByCaller;
    private long actionsCancelled;

    /** A stop succeeded after {@code timeToSafepointNanos}. */
    void stoppedLocked(long timeToSafepointNanos) {
        stops++;
        lastTimeToSafepointNanos = timeToSafepointNanos;
        maxTimeToSafepointNanos = Math.max(maxTimeToSafepointNanos, timeToSafepointNanos);
    }

    /** A stopped world was released after {@code pauseNanos} from its stop request. */
    void startedLocked(long pauseNanos) {
        lastPauseNanos = pauseNanos;
        totalPauseNanos += pauseNanos;
    }

    /** A stop passed its deadline and released the world after {@code pauseNanos}. */
    void stopTimedOutLocked(long pauseNanos) {
        stopTimeouts++;
        startedLocked(pauseNanos);
    }

    /** A handshake ended: its actions by owner, by caller, and cancelled. */
    void handshakeEndedLocked(int byOwner, int byCaller, int cancelled) {
        actionsByOwner += byOwner;
        actionsByCaller += byCaller;
        actionsCancelled += cancelled;
        if (cancelled != 0) {
            handshakeTimeouts++;
        }
    }

    SafepointStats snapshotLocked(int mutators) {
        return new SafepointStats(mutators, stops, stopTimeouts, lastTimeToSafepointNanos, maxTimeToSafepointNanos,
                lastPauseNanos, totalPauseNanos, handshakes, handshakeTimeouts, actionsByOwner, actionsByCaller,
                actionsCancelled);
    }
}
