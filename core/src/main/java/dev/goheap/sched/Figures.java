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
    private long stopsRunByGoroutine;
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

    /** Forgets every figure (the runtime's warm-up operations). */
    void resetLocked() {
        stops = 0;
        stopTimeouts = 0;
        stopsRunByGoroutine = 0;
        lastTimeToSafepointNanos = 0;
        maxTimeToSafepointNanos = 0;
        lastPauseNanos = 0;
        totalPauseNanos = 0;
        handshakes = 0;
        handshakeTimeouts = 0;
        actionsByOwner = 0;
        actionsByCaller = 0;
        actionsCancelled = 0;
    }

    /** A stop's work was run by its last goroutine (a handoff). */
    void runByGoroutineLocked() {
        stopsRunByGoroutine++;
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
        return new SafepointStats(mutators, stops, stopTimeouts, stopsRunByGoroutine, lastTimeToSafepointNanos, maxTimeToSafepointNanos,
                lastPauseNanos, totalPauseNanos, handshakes, handshakeTimeouts, actionsByOwner, actionsByCaller,
                actionsCancelled);
    }
}
