package dev.goheap.sched;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The operator's side of a stop of the world (package-info "Stop", steps S2-S6): waits until
 * every goroutine of the stop is stopped, held or deregistered, holding the parked ones, and
 * releases them all at the end or at the deadline.
 *
 * <p><b>Thread safety:</b> the operator thread only; it shares the mutators' {@code state}
 * with their owners through the CAS protocol in package-info.
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
     * The operator rescans this often before it blocks (each round is one pass over the goroutines
     * it waits for). Kept short on purpose: spinning 200-500 µs (with or without yields) made the
     * demo's stops worse on the loaded 2-CPU build machine (max pause 4.6-5.3 ms before, 10.6 ms
     * after): a thread that spins uses up its CFS share and is then preempted with the world
     * stopped, while a thread that blocks is woken with priority.
     */
    static final int SPIN_ROUNDS = 32;
    /** A blocked operator looks again this often even unsignalled: for threads that died without deregistering. */
    static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** {@link #awaitStopped}'s outcomes. */
    static final int MISSED = 0;
    static final int STOPPED = 1;
    static final int HANDED_OFF = 2;

    /**
     * Steps S2-S4 (package-info "Stop"): waits until every goroutine of {@code all} is stopped,
     * held or deregistered, capturing the parked ones. Returns STOPPED, or MISSED if the
     * deadline passed. With a {@code handoff} (else null) posted, the work goes to whoever claims
     * it first: STOPPED means the operator did, HANDED_OFF that the last goroutine to stop did
     * (it runs the work and releases the world; see {@link #awaitHandedOff}), and MISSED that the
     * operator abandoned it at the deadline. Leaves a {@link StopReport} of the stop (requested
     * at {@code startNanos}) in {@code sp}.
     */
    static int awaitStopped(Safepoints sp, Mutator[] all, long startNanos, long deadlineNanos, StopHandoff handoff) {
        for (Mutator m : all) {
            m.stateAtRequest = m.stateVolatile();
            m.seenSafeNanos = 0;
        }
        int safe = 0; // all[0, safe) are stopped, held or dead: stable until our release
        boolean interrupted = false;
        String sample = null;
        int outcome = MISSED;
        try {
            for (int round = 0; ; round++) {
                if (handoff != null && handoff.state() != StopHandoff.POSTED) {
                    outcome = HANDED_OFF; // a goroutine saw itself last; stop capturing parked ones
                    return outcome;
                }
                safe = scanForStop(sp, all, safe, round >= SPIN_ROUNDS);
                if (safe == all.length) {
                    outcome = handoff == null || handoff.claimByOperator() ? STOPPED : HANDED_OFF;
                    return outcome;
                }
                long now = System.nanoTime();
                if (now - deadlineNanos >= 0) {
                    if (handoff == null || handoff.abandon()) {
                        return MISSED;
                    }
                    outcome = HANDED_OFF; // claimed just before the deadline: it runs on
                    return outcome;
                }
                if (sample == null && SAMPLE_AFTER_NANOS > 0 && now - startNanos > SAMPLE_AFTER_NANOS) {
                    sample = sampleStack(all[safe], now - startNanos);
                }
                if (round < SPIN_ROUNDS) {
                    Thread.onSpinWait();
                    continue;
                }
                if (handoff != null) {
                    // With a sample due, wake for it: a park to the deadline would never take it.
                    long wake = sample == null && SAMPLE_AFTER_NANOS > 0
                            ? Math.min(deadlineNanos - startNanos, SAMPLE_AFTER_NANOS + 1) + startNanos : deadlineNanos;
                    safe = parkForHandoff(sp, all, safe, wake, handoff);
                    continue;
                }
                sp.lock.lock();
                try {
                    sp.operatorWaiting = true; // then look again (Dekker with park; race 4)
                    safe = scanForStop(sp, all, safe, true);
                    long left = deadlineNanos - System.nanoTime();
                    if (safe < all.length && left > 0) {
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
            if (outcome != HANDED_OFF) { // else awaitHandedOff reports, once the claimant is known
                sp.stops.record(report(all, startNanos, System.nanoTime() - startNanos, outcome == STOPPED, sample));
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
     * goroutine's state before its read of it, and an unpark before our park is kept as a permit.
     */
    private static int parkForHandoff(Safepoints sp, Mutator[] all, int safe, long wakeNanos,
            StopHandoff handoff) {
        sp.operatorWaiting = true;
        try {
            int now = scanForStop(sp, all, safe, true);
            long left = wakeNanos - System.nanoTime();
            if (now < all.length && left > 0 && handoff.state() == StopHandoff.POSTED) {
                LockSupport.parkNanos(sp, left);
            }
            return now;
        } finally {
            sp.operatorWaiting = false;
        }
    }

    /** The goroutine seen safe last (or, if the stop failed, one still running), for the report. */
    private static StopReport report(Mutator[] all, long startNanos, long ttsNanos, boolean stopped, String sample) {
        Mutator last = null;
        for (Mutator m : all) {
            if (m.seenSafeNanos == 0) { // not safe: the stop missed its deadline waiting for it
                last = m;
                break;
            }
            if (last == null || m.seenSafeNanos - last.seenSafeNanos > 0) {
                last = m;
            }
        }
        if (last == null) {
            return StopReport.empty(ttsNanos, stopped);
        }
        long seen = last.seenSafeNanos == 0 ? ttsNanos : last.seenSafeNanos - startNanos;
        long arrived = last.seenSafeNanos != 0 && last.stateVolatile() == Mutator.STOPPED
                ? last.stoppedAtNanos - startNanos : seen;
        return new StopReport(ttsNanos, stopped, all.length, last.goroutine.id(), stateOf(last.stateAtRequest),
                arrived, seen, sample);
    }

    private static MutatorState stateOf(int s) {
        return switch (s) {
            case Mutator.RUNNING -> MutatorState.RUNNING;
            case Mutator.PARKED -> MutatorState.PARKED;
            case Mutator.HELD -> MutatorState.HELD;
            case Mutator.STOPPED -> MutatorState.STOPPED;
            case Mutator.NEW -> MutatorState.NEW;
            default -> MutatorState.DEREGISTERED;
        };
    }

    /** Debug: where {@code m} is now (a JVM handshake with its thread), as a few lines. */
    private static String sampleStack(Mutator m, long afterNanos) {
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                "goroutine %d %s at %.3f ms:", m.goroutine.id(), Mutator.stateName(m.stateVolatile()), afterNanos / 1e6));
        StackTraceElement[] frames = m.thread.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 24); i++) {
            b.append("\n\tat ").append(frames[i]);
        }
        return b.toString();
    }

    /** One pass over {@code all[safe..]}: moves the ones now safe to the front; returns the new count. */
    private static int scanForStop(Safepoints sp, Mutator[] all, int safe, boolean checkDead) {
        for (int i = safe; i < all.length; i++) {
            Mutator m = all[i];
            if (safeForStop(sp, m, checkDead)) {
                all[i] = all[safe];
                all[safe++] = m;
            }
        }
        return safe;
    }

    private static boolean safeForStop(Safepoints sp, Mutator m, boolean checkDead) {
        if (isSafe(sp, m, checkDead)) {
            m.seenSafeNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    /**
     * Whether {@code m} is safe for the stop: stopped, held or dead; a parked one is held first
     * (S3, a CAS). {@code checkDead}: a running one whose thread died is deregistered (the
     * operator only). Also a claiming goroutine's check ({@link StopHandoff#claimIfLastLocked}).
     */
    static boolean isSafe(Safepoints sp, Mutator m, boolean checkDead) {
        for (;;) {
            int s = m.stateVolatile();
            switch (s) {
                case Mutator.STOPPED, Mutator.HELD, Mutator.DEAD -> {
                    return true;
                }
                case Mutator.PARKED -> {
                    if (m.casState(Mutator.PARKED, Mutator.HELD)) { // step S3: it cannot unpark now
                        return true;
                    }
                    // lost to its unpark or deregister: look again
                }
                case Mutator.RUNNING -> {
                    return checkDead && Registration.abandonIfDead(sp, m);
                }
                default -> throw Errors.broken("a registered goroutine is never NEW", m, s);
            }
        }
    }

    /**
     * Step S6 (package-info "Stop"), also at a timeout: clears STOP, makes the stopped
     * goroutines of {@code all} running and the held ones parked, wakes every waiter, then ends
     * the operation.
     */
    static void release(Safepoints sp, Mutator[] all) {
        sp.lock.lock();
        try {
            releaseLocked(sp, all);
        } finally {
            sp.lock.unlock();
        }
        OperatorSlot.release(sp);
    }

    /**
     * Step S6 under the lock, without ending the operation: also a claiming goroutine's release
     * ({@link StopHandoff#runAndRelease}), after which the operator still holds the operation
     * until it has seen the release ({@link #awaitHandedOff}).
     */
    static void releaseLocked(Safepoints sp, Mutator[] all) {
        if ((sp.pendingVolatile() & Safepoints.STOP) == 0) {
            return; // released already: a stopped goroutine did at the deadline (StopHandoff)
        }
        OperatorSlot.setPendingLocked(sp, Safepoints.STOP, false);
        for (Mutator m : all) {
            int s = m.stateVolatile();
            if (s == Mutator.STOPPED) {
                m.setStateVolatile(Mutator.RUNNING);
            } else if (s == Mutator.HELD) {
                m.setStateVolatile(Mutator.PARKED);
            }
        }
        // The release point: every goroutine may run from here (a waiter's wake-up is up to
        // the schedulers). Taken before the wake-ups, which may preempt this thread.
        sp.stops.lastReleaseNanos = System.nanoTime();
        sp.released.signalAll();
    }

    /**
     * The operator of a stop whose work a goroutine claimed: waits until that goroutine has run
     * it and released the world, then lets go of goroutines the operator held after the release
     * (its unlocked scan can capture a goroutine that parked again: it is held for nothing,
     * and its unpark would wait for us), and ends the operation.
     */
    static void awaitHandedOff(Safepoints sp, StopHandoff handoff, Mutator[] all, long startNanos) {
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
            boolean heldAfterRelease = false;
            for (Mutator m : all) {
                if (m.stateVolatile() == Mutator.HELD) { // only this operator holds: a stale capture
                    m.setStateVolatile(Mutator.PARKED);
                    heldAfterRelease = true;
                }
            }
            if (heldAfterRelease) {
                sp.released.signalAll();
            }
            if (handoff.missedLocked()) { // a stopped goroutine abandoned it at the deadline
                sp.stops.record(report(all, startNanos, sp.stops.lastReleaseNanos - startNanos, false, null));
                return;
            }
            Mutator last = handoff.claimantLocked();
            long tts = handoff.claimedNanos() - startNanos;
            sp.stops.record(last == null ? StopReport.empty(tts, true)
                    : new StopReport(tts, true, all.length, last.goroutine.id(), stateOf(last.stateAtRequest),
                            last.stoppedAtNanos - startNanos, tts, null));
        } finally {
            sp.lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
