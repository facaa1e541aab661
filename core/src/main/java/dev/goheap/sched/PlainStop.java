package dev.goheap.sched;

/**
 * {@link Safepoints#stopTheWorld} and {@link Safepoints#startTheWorld}: a stop whose operator
 * holds the world stopped from one call to the other (package-info "Stop": S1 here, S2-S5 in
 * {@link WorldStop}, S6 at the start). The stop with posted work ({@link HandedOffStop}) shares
 * its request (S1), and its operator enters the same stopped world when it runs the work itself.
 *
 * <p><b>Thread safety:</b> the operator thread only; the Safepoints fields it touches are
 * guarded as there.
 */
final class PlainStop {
    private PlainStop() {}

    /** The body of {@link Safepoints#stopTheWorld}, which see. */
    static boolean stop(Safepoints sp, long deadlineNanos) {
        OperatorSlot.acquire(sp, "stopTheWorld");
        sp.beforeStop(); // the stop listener: the world still runs
        long start = System.nanoTime(); // replaced by the request's time once it is made
        boolean stopped = false;
        try {
            Mutator self = sp.current.get();
            sp.lock.lockBarging();
            try {
                requestStopLocked(sp, self);
                start = sp.stops.lastRequestNanos;
            } finally {
                sp.lock.unlock();
            }
            stopped = WorldStop.awaitStopped(sp, start, deadlineNanos, null) == WorldStop.STOPPED;
        } finally {
            if (!stopped) {
                long pause = System.nanoTime() - start;
                sp.lock.lockBarging(); // the world waits for this release
                try {
                    sp.figures.stopTimedOutLocked(pause);
                    WorldStop.releaseLocked(sp); // step S5: the world runs again
                    WorldStop.recordMissedLocked(sp, start, sp.stops.missedTts, sp.stops.missedSample);
                } finally {
                    sp.lock.unlock();
                }
                OperatorSlot.release(sp);
            }
        }
        if (!stopped) {
            return false;
        }
        long timeToSafepoint = System.nanoTime() - start;
        sp.lock.lock();
        try {
            sp.figures.stoppedLocked(timeToSafepoint);
        } finally {
            sp.lock.unlock();
        }
        sp.stops.stopStart = start;
        sp.stops.worldStopped = true;
        return true;
    }

    /**
     * Step S1 under the lock: notes the request's time and whether the operator is itself a
     * running goroutine {@code self} (null if none; it never stops for its own stop), and sets
     * STOP. A registration after this sees STOP and waits (race 2 in package-info).
     */
    static void requestStopLocked(Safepoints sp, Mutator self) {
        sp.stops.lastRequestNanos = System.nanoTime();
        sp.stops.operatorActive = self != null && self.stateVolatile() == Mutator.RUNNING ? 1 : 0;
        OperatorSlot.setPendingLocked(sp, Safepoints.STOP, true);
    }

    /**
     * The operator of a stop with posted work claimed it (P3): the world is stopped by it from
     * here, as after {@link Safepoints#stopTheWorld}; {@link #start} counts the stop's time to
     * safepoint, after the work.
     */
    static void enterStoppedWorld(Safepoints sp, long startNanos, long timeToSafepointNanos) {
        sp.stops.timeToSafepointOfStop = timeToSafepointNanos;
        sp.stops.stopStart = startNanos;
        sp.stops.worldStopped = true;
    }

    /** The body of {@link Safepoints#startTheWorld}, which see. */
    static void start(Safepoints sp) {
        if (sp.operator() != Thread.currentThread() || !sp.stops.worldStopped) {
            throw Errors.notStopper(sp.operator(), sp.stops.worldStopped);
        }
        sp.stops.worldStopped = false;
        sp.lock.lockBarging(); // once: the figures with the release (S6); the world waits for it
        try {
            // A stopTheWorldAndRun the operator claimed: forget its work under the lock, since a
            // goroutine that stopped just before the operator's claim may still be in its own
            // claim attempt (StopHandoff#claimIfLastLocked, under this lock) reading it. Cleared
            // without the lock, that read found no goroutines and threw (found by StopBenchmark).
            sp.handoff.clearLocked();
            WorldStop.releaseLocked(sp);
            if (sp.stops.timeToSafepointOfStop >= 0) { // stopTheWorldAndRun's, counted here, after its work
                sp.figures.stoppedLocked(sp.stops.timeToSafepointOfStop);
                sp.stops.timeToSafepointOfStop = -1;
            }
            sp.figures.startedLocked(sp.stops.lastReleaseNanos - sp.stops.stopStart);
        } finally {
            sp.lock.unlock();
        }
        OperatorSlot.release(sp);
    }
}
