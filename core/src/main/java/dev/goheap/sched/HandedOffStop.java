package dev.goheap.sched;

import java.lang.invoke.MethodHandles;

/**
 * {@link Safepoints#stopTheWorldAndRun}, the stop with posted work (package-info "Stop
 * handoff", P1-P5): the operator's side, around {@link WorldStop#awaitStopped} and the state in
 * {@link StopHandoff}; and the runtime's warm-up of the stop paths.
 *
 * <p><b>Thread safety:</b> the operator thread only (a goroutine's side is in {@link
 * MutatorPaths} and {@link StopHandoff}); the Safepoints fields it touches are guarded as there.
 */
final class HandedOffStop {
    private HandedOffStop() {}

    /**
     * The body of {@link Safepoints#stopTheWorldAndRun} ({@code fromRequest} false: {@code
     * deadline} is a {@link System#nanoTime()} time) and {@link
     * Safepoints#stopTheWorldAndRunWithin} (true: a timeout from the request), which see.
     */
    static StopOutcome run(Safepoints sp, StopWork work, long deadline, boolean fromRequest) {
        OperatorSlot.acquire(sp, "stopTheWorld");
        sp.beforeStop(); // the stop listener: the world still runs
        long start = System.nanoTime(); // replaced by the request's time once it is made
        long deadlineNanos = deadline;
        int outcome = WorldStop.MISSED;
        try {
            Mutator self = sp.current.get();
            sp.lock.lockBarging();
            try {
                PlainStop.requestStopLocked(sp, self);
                start = sp.stops.lastRequestNanos;
                if (fromRequest) { // a timeout: at most 2^62 ns, so that the sum compares right with nanoTime's
                    deadlineNanos = start + Math.min(deadline, 1L << 62);
                }
                sp.handoff.postLocked(work, deadlineNanos);
            } finally {
                sp.lock.unlock();
            }
            outcome = WorldStop.awaitStopped(sp, start, deadlineNanos, sp.handoff);
        } finally {
            if (outcome == WorldStop.MISSED) {
                if (sp.handoff.isAbandoned()) {
                    MutatorPaths.wakeAtAbandon(sp); // the world runs from the abandon; the lock is for the cleanup
                }
                sp.lock.lockBarging();
                try {
                    WorldStop.releaseLocked(sp); // after an abandon, its cleanup
                    long pause = sp.stops.lastReleaseNanos - start; // to the abandon, the release point
                    sp.figures.stopTimedOutLocked(pause);
                    // The report's wait is the pause's, not the operator's: a stopped goroutine
                    // may have abandoned the stop while we were off the CPU (reports read
                    // 4.5-6.2 ms for stops released at 0.5-0.9 ms).
                    WorldStop.recordMissedLocked(sp, start, Math.min(pause, sp.stops.missedTts), sp.stops.missedSample);
                    sp.handoff.clearLocked();
                } finally {
                    sp.lock.unlock();
                }
                OperatorSlot.release(sp);
            }
        }
        if (outcome == WorldStop.MISSED) {
            return StopOutcome.MISSED_DEADLINE;
        }
        if (outcome == WorldStop.STOPPED) {
            // No lock before the work: a goroutine that just stopped may still hold it, and
            // waiting for it to be handed over was measured at up to 1.8 ms on two busy CPUs.
            PlainStop.enterStoppedWorld(sp, start, System.nanoTime() - start);
            boolean finished;
            try {
                finished = work.run();
            } finally {
                sp.startTheWorld(); // clears the handoff under its lock: a goroutine may be reading it
            }
            return finished ? StopOutcome.FINISHED : StopOutcome.UNFINISHED;
        }
        // HANDED_OFF: the last goroutine claimed the work; it runs it and releases the world.
        boolean finished;
        Throwable failure;
        try {
            WorldStop.awaitHandedOff(sp, sp.handoff, start);
        } finally {
            sp.lock.lock();
            try {
                finished = sp.handoff.resultLocked();
                failure = sp.handoff.failureLocked();
                sp.figures.stoppedLocked(sp.handoff.claimedNanos() - start);
                sp.figures.startedLocked(sp.stops.lastReleaseNanos - start);
                sp.figures.runByGoroutineLocked();
                sp.handoff.clearLocked();
            } finally {
                sp.lock.unlock();
            }
            OperatorSlot.release(sp);
        }
        if (failure != null) {
            throw Errors.rethrow(failure, "stopTheWorldAndRun: the work threw");
        }
        return finished ? StopOutcome.FINISHED : StopOutcome.UNFINISHED;
    }

    /**
     * Runs each operation once with no goroutine registered (no one is stopped or held), then
     * forgets its figures. Why: the first stop of a runtime loaded and linked the classes of its
     * path inside the pause, both sides (WorldStop alone took 8.5 ms to load, on two CPUs busy
     * with the JIT at start-up; the demo's first pauses ran 9-16 ms against a 10 ms bound).
     */
    static void warmUp(Safepoints sp) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (Class<?> c : new Class<?>[] {MutatorPaths.class, Registration.class, MutatorState.class,
                    StopReport.class, StopOutcome.class, HandshakeResult.class}) {
                lookup.ensureInitialized(c); // the goroutines' side, and what the operator reports
            }
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
        sp.stopTheWorldAndRun(System.nanoTime(), () -> true);
        if (sp.stopTheWorld(System.nanoTime())) {
            sp.startTheWorld();
        }
        sp.handshake(g -> { }, System.nanoTime());
        sp.forgetFigures();
    }
}
