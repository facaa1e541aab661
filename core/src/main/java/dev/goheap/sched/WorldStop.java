package dev.goheap.sched;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The operator's side of a stop of the world (package-info "Stop", steps S2-S6): waits until
 * every running goroutine has stopped, and releases the stopped ones at the end or at the
 * deadline. Parked goroutines are never visited: the count of active goroutines ({@code
 * Safepoints.active}) tells when every one that runs has stopped, and one that unparks during the
 * stop sees STOP and stops first (race 3).
 *
 * <p><b>Thread safety:</b> the operator thread only; it shares the mutators' {@code state}
 * with their owners through the protocol in package-info.
 */
final class WorldStop {
    private WorldStop() {}

    /**
     * Debug: after this long (µs, from the system property {@code
     * goheap.sched.sampleStopsAfterMicros}; 0 = never) a stop samples the stack of a goroutine it
     * still waits for, into its {@link StopReport}. Costly (a JVM handshake with that thread):
     * for finding what delays a stop, not for production.
     */
    static final long SAMPLE_AFTER_NANOS = Long.getLong("goheap.sched.sampleStopsAfterMicros", 0L) * 1000;

    /**
     * The operator looks this often before it blocks. Kept short on purpose: spinning 200-500 µs
     * (with or without yields) made the demo's stops worse on the loaded 2-CPU build machine
     * (max pause 4.6-5.3 ms before, 10.6 ms after): a thread that spins uses up its CFS share
     * and is then preempted with the world stopped, while a thread that blocks is woken with
     * priority.
     */
    static final int SPIN_ROUNDS = 32;
    /** A blocked operator looks again this often even unsignalled: for threads that died without deregistering. */
    static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** {@link #awaitStopped}'s outcomes. */
    static final int MISSED = 0;
    static final int STOPPED = 1;
    static final int HANDED_OFF = 2;

    /**
     * Whether every active goroutine but the operator's own has stopped (S2): the world is
     * stopped. Reads the stopped count before the active count (the sum of its stripes, read one
     * by one), so that a goroutine that stops after the first read is in the sum but not in the
     * stopped count, and one that parks or ends between two stripe reads can only make the sum
     * too high: neither makes it true early. One that unparks after its stripe was read is not
     * counted, and sees STOP before it does anything else (race 3; {@link ActiveCount} has the
     * argument). Also a claiming goroutine's test ({@link StopHandoff#claimIfLastLocked}).
     */
    static boolean allStopped(Safepoints sp) {
        int stopped = sp.stops.stoppedCount + sp.stops.operatorActive;
        return stopped == sp.activeVolatile();
    }

    /**
     * Steps S2-S5 (package-info "Stop"): waits until every running goroutine has stopped.
     * Returns STOPPED, or MISSED if the deadline passed. With a {@code handoff} (else null)
     * posted, the work goes to whoever claims it first: STOPPED means the operator did,
     * HANDED_OFF that the last goroutine to stop did (it runs the work and releases the world;
     * see {@link #awaitHandedOff}), and MISSED that the operator abandoned it at the deadline.
     * Leaves a {@link StopReport} of the stop (requested at {@code startNanos}) in {@code sp}.
     */
    static int awaitStopped(Safepoints sp, long startNanos, long deadlineNanos, StopHandoff handoff) {
        boolean interrupted = false;
        String sample = null;
        int outcome = MISSED;
        long lastDeadCheck = startNanos - RESCAN_NANOS;
        try {
            for (int round = 0; ; round++) {
                if (handoff != null && handoff.state() != StopHandoff.POSTED) {
                    // A goroutine saw itself last, or a stopped one abandoned the stop at the deadline.
                    outcome = handoff.isAbandoned() ? MISSED : HANDED_OFF;
                    return outcome;
                }
                if (allStopped(sp)) {
                    // A lost claim: a goroutine claimed first, or a stopped one abandoned the stop
                    // at the deadline since the look above (its cleanup is ours: not HANDED_OFF,
                    // which would wait for a DONE that never comes).
                    outcome = handoff == null || handoff.claimByOperator() ? STOPPED
                            : handoff.isAbandoned() ? MISSED : HANDED_OFF;
                    return outcome;
                }
                long now = System.nanoTime();
                if (now - deadlineNanos >= 0) {
                    if (handoff == null || handoff.abandonAt(now)) {
                        return MISSED;
                    }
                    // Claimed just before the deadline (it runs on), or abandoned by a stopped goroutine.
                    outcome = handoff.isAbandoned() ? MISSED : HANDED_OFF;
                    return outcome;
                }
                if (sample == null && SAMPLE_AFTER_NANOS > 0 && now - startNanos > SAMPLE_AFTER_NANOS) {
                    sample = sampleStack(sp, now - startNanos);
                }
                if (round < SPIN_ROUNDS) {
                    Thread.onSpinWait();
                    continue;
                }
                if (now - lastDeadCheck >= RESCAN_NANOS) { // a look at every goroutine: not at every round
                    abandonDeadRunning(sp); // a thread that died running never stops: not waited for
                    lastDeadCheck = now;
                }
                if (handoff != null) {
                    // With a sample due, wake for it: a park to the deadline would never take it.
                    long wake = sample == null && SAMPLE_AFTER_NANOS > 0
                            ? Math.min(deadlineNanos - startNanos, SAMPLE_AFTER_NANOS + 1) + startNanos : deadlineNanos;
                    parkForHandoff(sp, wake, handoff);
                    continue;
                }
                sp.lock.lock();
                try {
                    sp.operatorWaiting = true; // then look again (Dekker with park; race 4)
                    long left = deadlineNanos - System.nanoTime();
                    if (!allStopped(sp) && left > 0) {
                        sp.arrived.awaitNanos(Math.min(left, RESCAN_NANOS));
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the deadline bounds the wait; keep the interrupt for the caller
                } finally {
                    sp.operatorWaiting = false;
                    sp.lock.unlock();
                }
            }
        } finally {
            // HANDED_OFF: awaitHandedOff reports, once the claimant is known. MISSED: reported
            // after the release (recordMissedLocked), since naming a goroutine that did not stop
            // means a look at every goroutine, which the pause should not wait for.
            if (outcome == STOPPED) {
                sp.stops.record(stoppedReport(sp, startNanos, System.nanoTime() - startNanos, sample));
            } else if (outcome == MISSED) {
                sp.stops.missedTts = System.nanoTime() - startNanos;
                sp.stops.missedSample = sample;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The operator's wait in a stop with posted work (P2-P5): it parks without the lock, until
     * the deadline or a wake-up (a claimant's DONE, a park or an end of a goroutine: {@link
     * OperatorSlot#wakeLocked}), then looks again. Why no lock and no periodic look: the
     * last goroutine runs the work and wakes us only at the end, and the goroutines take the
     * lock to stop and to release; an operator preempted while holding it (the JIT's compiler
     * threads preempt it when it wakes them) kept a finished work's release waiting 0.65-1.1 ms.
     * Dekker with park as in S4: {@code operatorWaiting} is written before the look, the parking
     * goroutine's count before its read of it, and an unpark before our park is kept as a permit.
     */
    private static void parkForHandoff(Safepoints sp, long wakeNanos, StopHandoff handoff) {
        sp.operatorWaiting = true;
        try {
            long left = wakeNanos - System.nanoTime();
            if (!allStopped(sp) && left > 0 && handoff.state() == StopHandoff.POSTED) {
                LockSupport.parkNanos(sp, left);
            }
        } finally {
            sp.operatorWaiting = false;
        }
    }

    /**
     * The report of a stop that succeeded: the goroutine that stopped, parked or ended last
     * (a park or an end completes a stop as a stop does). No lock: it is inside the pause.
     */
    private static StopReport stoppedReport(Safepoints sp, long startNanos, long ttsNanos, String sample) {
        Mutator last = sp.stops.lastStopped;
        Mutator parked = sp.stops.lastParked;
        if (parked != null && parked.stoppedAtNanos - startNanos >= 0
                && (last == null || parked.stoppedAtNanos - last.stoppedAtNanos > 0)) {
            last = parked;
        }
        if (last == null) {
            return StopReport.empty(ttsNanos, true);
        }
        return new StopReport(ttsNanos, true, sp.stops.stoppedCount, last.goroutine.id(), MutatorState.RUNNING,
                last.stoppedAtNanos - startNanos, ttsNanos, sample);
    }

    /**
     * Under the lock, after the release of a stop (requested at {@code startNanos}) that missed
     * its deadline: records its report, naming a goroutine that had not stopped for it (running
     * now, and its last stop older than the request). A look at every goroutine, out of the pause.
     */
    static void recordMissedLocked(Safepoints sp, long startNanos, long ttsNanos, String sample) {
        Mutator self = sp.current.get();
        Mutator late = null;
        for (int i = 0, n = sp.registry.sizeLocked(); i < n && late == null; i++) {
            Mutator m = sp.registry.getLocked(i);
            if (m != self && m.stateVolatile() == Mutator.RUNNING && m.stoppedAtNanos - startNanos < 0) {
                late = m;
            }
        }
        sp.stops.record(late == null ? StopReport.empty(ttsNanos, false)
                : new StopReport(ttsNanos, false, 1, late.goroutine.id(), MutatorState.RUNNING, ttsNanos, ttsNanos,
                        sample));
    }

    /** Under the lock: a registered goroutine that runs (not stopped), other than the operator's own; or null. */
    private static Mutator runningLocked(Safepoints sp) {
        Mutator self = sp.current.get();
        for (int i = 0, n = sp.registry.sizeLocked(); i < n; i++) {
            Mutator m = sp.registry.getLocked(i);
            if (m != self && m.stateVolatile() == Mutator.RUNNING) {
                return m;
            }
        }
        return null;
    }

    /**
     * The operator, past its spin: deregisters running goroutines whose thread died without
     * deregistering (they never stop). A look at every goroutine, so only while a stop waits,
     * and without the lock (the registry read racily: {@link Registry#arrayRacy}), since what
     * it finds is checked again by {@link Registration#abandonIfDead}'s CAS. Why not under the
     * lock: the operator is a platform thread on CPUs it shares with the carriers, and once
     * preempted in the middle of a look at 10 000 goroutines it kept the stop's claimant from
     * releasing the world for 2-12 ms.
     */
    private static void abandonDeadRunning(Safepoints sp) {
        Mutator self = sp.current.get();
        Mutator[] all = sp.registry.arrayRacy();
        for (int i = 0, n = Math.min(sp.registry.sizeRacy(), all.length); i < n; i++) {
            Mutator m = all[i];
            if (m != null && m != self && m.stateVolatile() == Mutator.RUNNING && !m.thread.isAlive()) {
                Registration.abandonIfDead(sp, m); // takes the lock itself; the next look finds the next one
                return;
            }
        }
    }

    /** Debug: where a goroutine the stop waits for is now (a JVM handshake with its thread), as a few lines. */
    private static String sampleStack(Safepoints sp, long afterNanos) {
        Mutator m;
        sp.lock.lock();
        try {
            m = runningLocked(sp);
        } finally {
            sp.lock.unlock();
        }
        if (m == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                "goroutine %d %s at %.3f ms:", m.goroutine.id(), Mutator.stateName(m.stateVolatile()), afterNanos / 1e6));
        StackTraceElement[] frames = m.thread.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 24); i++) {
            b.append("\n\tat ").append(frames[i]);
        }
        return b.toString();
    }

    /**
     * Step S6 (package-info "Stop") under the lock, also at a timeout, without ending the
     * operation: clears STOP, makes the stopped goroutines running, wakes every waiter and tells
     * the stop listener ({@link StopListener#afterRelease}, once per stop: only the call that
     * clears STOP does). Also a claiming goroutine's release ({@link StopHandoff#runAndRelease}),
     * after which the operator still holds the operation until it has seen the release ({@link
     * #awaitHandedOff}).
     */
    static void releaseLocked(Safepoints sp) {
        if ((sp.pendingVolatile() & Safepoints.STOP) == 0) {
            return; // released already: a stopped goroutine did at the deadline (StopHandoff)
        }
        OperatorSlot.setPendingLocked(sp, Safepoints.STOP, false);
        sp.stops.releaseStoppedLocked();
        // The release point: every goroutine may run from here (a waiter's wake-up is up to
        // the schedulers). Taken before the wake-ups, which may preempt this thread. For a
        // stop abandoned at its deadline, the abandon was the release point, and this is the
        // cleanup (package-info "Abandon"); 0 if its abandoner has not written its time yet.
        long abandoned = sp.handoff.isAbandoned() ? sp.handoff.abandonedNanos() : 0;
        sp.stops.lastReleaseNanos = abandoned != 0 ? abandoned : System.nanoTime();
        sp.stops.wakeReleasedLocked();
        sp.unparkWaiters.wakeAll();
        sp.released.signalAll();
        sp.afterReleaseLocked(); // after the release point: the world does not wait for it
    }

    /**
     * The operator of a stop whose work a goroutine claimed: waits until that goroutine has run
     * it and released the world, reports, and ends the operation.
     */
    static void awaitHandedOff(Safepoints sp, StopHandoff handoff, long startNanos) {
        boolean interrupted = false;
        sp.lock.lock();
        try {
            while (handoff.state() != StopHandoff.DONE) {
                try {
                    sp.arrived.awaitNanos(RESCAN_NANOS);
                } catch (InterruptedException e) {
                    interrupted = true; // the work is bounded by its own deadline: wait it out
                }
            }
            long tts = handoff.claimedNanos() - startNanos;
            Mutator last = handoff.claimantLocked();
            sp.stops.record(last == null ? StopReport.empty(tts, true)
                    : new StopReport(tts, true, handoff.waitedForLocked(), last.goroutine.id(), MutatorState.RUNNING,
                            last.stoppedAtNanos - startNanos, tts, null));
        } finally {
            sp.lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
