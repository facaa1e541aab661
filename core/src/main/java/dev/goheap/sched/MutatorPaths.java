package dev.goheap.sched;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The mutators' paths past {@link Safepoints#poll}'s fast path (package-info "Mutator paths"):
 * park (P) and unpark (U1-U3), and the slow paths, taken only when something is pending (Stop
 * M1-M3, Handshake O1-O2) or to unpark while held. Registration (R, D) is {@link Registration}'s.
 *
 * <p><b>Thread safety:</b> each method runs on the goroutine's own thread and shares its
 * mutator's {@code state} and {@code op} with the operator through the protocol in package-info.
 */
final class MutatorPaths {
    private MutatorPaths() {}

    /** The body of {@link Safepoints#park} (step P), which see. */
    static void park(Safepoints sp) {
        Mutator m = sp.current.get();
        if (m == null) {
            return;
        }
        int s = m.stateVolatile();
        if (s != Mutator.RUNNING) {
            throw Errors.cannotPark(m, s);
        }
        if (m.inAction) {
            throw Errors.parkInAction(m); // the operator would take the action for done while it runs
        }
        if (sp.pendingVolatile() != 0) {
            pollSlow(sp);
        }
        // Dekker with the operator's "operatorWaiting = true; look again": one of us sees the
        // other's write, so a blocked operator is always woken for this park (package-info race 4).
        parkWithoutPoll(sp, m);
    }

    /** The body of {@link Safepoints#unpark} (step U1; U2-U3 in {@link #unparkSlow}), which see. */
    static void unpark(Safepoints sp) {
        Mutator m = sp.current.get();
        if (m == null) {
            return;
        }
        if (!unparkFast(sp, m)) {
            unparkSlow(sp, m);
        }
    }

    /** The body of {@link Safepoints#tryUnpark} (step U1 alone), which see. */
    static boolean tryUnpark(Safepoints sp) {
        Mutator m = sp.current.get();
        if (m == null) {
            return true;
        }
        if (unparkFast(sp, m)) {
            return true;
        }
        int s = m.stateVolatile();
        if (s != Mutator.PARKED && s != Mutator.HELD) {
            throw Errors.notParked(m, s);
        }
        return false;
    }

    /** Step U1: true if the goroutine is RUNNING now; false if it is still parked (U2 must wait). */
    private static boolean unparkFast(Safepoints sp, Mutator m) {
        // Fast path: nothing pending. Count ourselves active first (in our own stripe), then look
        // again (Dekker with a stop's request, which sets STOP and then reads every stripe: race
        // 3): a stop that did not count us is seen here, and we leave the count as it was; one
        // that did waits for us to stop at our next safepoint. Then the CAS, which fails if a
        // handshake holds us.
        if (sp.pendingVolatile() == 0) {
            sp.addActive(m, 1);
            if (sp.pendingVolatile() == 0 && m.casState(Mutator.PARKED, Mutator.RUNNING)) {
                return true;
            }
            sp.addActive(m, -1);
            if (sp.operatorWaiting) {
                OperatorSlot.signal(sp); // it may have counted us and wait for us: as for a park
            }
        }
        return false;
    }

    /** The body of {@link Safepoints#parked}, which see. */
    static <T, X extends Throwable> T parked(Safepoints sp, BlockingCall<T, X> call) throws X {
        Objects.requireNonNull(call, "call");
        Mutator m = sp.current.get();
        if (m == null || m.stateVolatile() != Mutator.RUNNING) {
            return call.call();
        }
        park(sp);
        try {
            return call.call();
        } finally {
            unpark(sp);
        }
    }

    /** The body of {@link Safepoints#mayPark}, which see. */
    static boolean mayPark(Safepoints sp) {
        Mutator m = sp.current.get();
        return m != null && m.stateVolatile() == Mutator.RUNNING && !m.inAction && sp.operator() != Thread.currentThread();
    }

    /** The body of {@link Safepoints#isParked}, which see. */
    static boolean isParked(Safepoints sp) {
        Mutator m = sp.current.get();
        if (m == null) {
            return false;
        }
        int s = m.stateVolatile();
        return s == Mutator.PARKED || s == Mutator.HELD;
    }

    static void pollSlow(Safepoints sp) {
        Mutator m = sp.current.get();
        if (m == null || m.inAction) {
            return; // no goroutine of ours, or an action polls (allocates, say) on its owner
        }
        int s = m.stateVolatile();
        if (s != Mutator.RUNNING) {
            throw Errors.touchedWhileParked(m, s);
        }
        if (sp.operator() == Thread.currentThread()) {
            return; // the operator's own goroutine never waits for its own operation
        }
        for (;;) {
            int p = sp.pendingVolatile();
            if ((p & Safepoints.STOP) != 0) {
                if (sp.handoff.isAbandoned()) {
                    return; // read after STOP: this stop's, dead at its deadline (package-info "Abandon")
                }
                stopHere(sp, m);
            } else if ((p & Safepoints.HANDSHAKE) != 0 && m.opVolatile() == Mutator.OP_REQUESTED
                    && m.casOp(Mutator.OP_REQUESTED, Mutator.OP_CLAIMED)) {
                runOwnAction(sp, m);
            } else {
                return;
            }
        }
    }

    /**
     * Step M1-M3 (package-info "Stop"): stop under the lock, wait for the release without it. If the lock
     * stays taken through a short spin and threads already wait queued for it, M0 instead: stop
     * by parking (see {@link #stopByParking}). Why not at any contention: a goroutine that parks
     * does not claim the stop's work, so the stopper thread must be woken to run it (1-4 ms late
     * on two busy CPUs); a holder with no queue behind it passes the lock on in microseconds.
     */
    private static void stopHere(Safepoints sp, Mutator m) {
        if (!sp.lock.tryLockSpinning()) {
            if (!m.inAction && sp.lock.hasQueuedThreads()) {
                stopByParking(sp, m);
                return;
            }
            sp.lock.lock(); // no queue, or an action's poll (parking would end its action)
        }
        boolean claimed = false;
        boolean stopped = false;
        try {
            if ((sp.pendingVolatile() & Safepoints.STOP) == 0 || sp.handoff.isAbandoned()) {
                return; // released, or abandoned at its deadline, between our read of pending and the lock
            }
            stopped = true;
            m.stoppedAtNanos = System.nanoTime(); // for StopReport: published by the state write
            m.setStateVolatile(Mutator.STOPPED); // releases everything this goroutine did
            sp.stops.addStoppedLocked(m);
            // The last to stop runs the stop's work itself, if one was posted (package-info
            // "Stop handoff"); it need not wake the operator then.
            claimed = sp.handoff.claimIfLastLocked(sp, m);
            if (!claimed && sp.operatorWaiting && !sp.handoff.mayTimeOut()) {
                // Without posted work the operator completes the stop: wake it. With posted work,
                // whoever makes the last goroutine safe completes it (a later arrival claims; a
                // park or an end signals the operator itself), so waking it here would only
                // take a CPU and the lock from the goroutines.
                OperatorSlot.wakeLocked(sp);
            }
        } finally {
            sp.lock.unlock();
        }
        if (claimed) {
            sp.handoff.runAndRelease(sp, m); // then RUNNING again
        } else if (stopped) {
            awaitRelease(sp, m);
        }
    }

    /**
     * Step M3: parks, holding no lock, while {@code m} is STOPPED; the release (S6) makes it
     * RUNNING and unparks it. In a stop with posted work, at the deadline, abandons the stop
     * itself if the operator has not ({@link StopHandoff#abandonAt}), and once the stop is
     * abandoned, releases itself: a CAS from STOPPED to RUNNING, which the operator's cleanup
     * under the lock makes too (package-info "Abandon"). Why not wait for the operator, or take
     * the lock to release: either may be off its CPU or blocked for milliseconds past the
     * deadline. Why not wait on {@code released} under the lock: a condition's waiter takes the
     * lock again to leave, behind everyone queued for it, so the released goroutines queued by
     * hundreds in the many-goroutines runner. The state's volatile write and read order the
     * stop's work before what we do next. Uninterruptible, as a stop always was: an interrupt
     * is kept for later.
     */
    private static void awaitRelease(Safepoints sp, Mutator m) {
        StopHandoff handoff = sp.handoff;
        boolean interrupted = false;
        while (m.stateVolatile() == Mutator.STOPPED) {
            // Still STOPPED, so still this stop's handoff (cleared only after its release). Read
            // racily, a release meanwhile leaves a permit: the park below returns at once.
            if (handoff.isAbandoned()) {
                m.casState(Mutator.STOPPED, Mutator.RUNNING); // fails only if the cleanup did it
                break;
            }
            if (!handoff.mayTimeOut()) {
                LockSupport.park(sp);
            } else {
                long now = System.nanoTime();
                long left = handoff.deadlineNanos() - now;
                if (left > 0) {
                    LockSupport.parkNanos(sp, left);
                } else if (handoff.abandonAt(now)) {
                    wakeAtAbandon(sp); // the stopped goroutines' own deadlines wake them
                }
            }
            interrupted |= Thread.interrupted(); // else park returns at once, again and again
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * After {@link StopHandoff#abandonAt}, lock-free: wakes the goroutines waiting in U2, R or D
     * (they may run now), and the operator, parked without the lock until the deadline, for its
     * cleanup.
     */
    static void wakeAtAbandon(Safepoints sp) {
        sp.unparkWaiters.wakeAll();
        Thread op = sp.operator();
        if (op != null && op != Thread.currentThread()) {
            LockSupport.unpark(op);
        }
    }

    /**
     * Step M0 (package-info "Stop"): with the lock queued for (thousands of goroutines starting,
     * stopping or ending at once), park rather than queue for it running: a parked goroutine is
     * as safe for the stop as a stopped one, and the stop no longer waits for the queue. Then
     * wait parked (U2) for the release, and go back to the poll's loop, running. Why: every
     * goroutine queued for a contended lock is a virtual thread that unmounts, and each
     * hand-over of the lock waited for a carrier behind hundreds of runnable virtual threads;
     * the stop waited for the whole queue (aborted stops of 5-30 ms in the many-goroutines
     * runner). Park's signal to a waiting operator (race 4) tells the stop it need not wait.
     */
    private static void stopByParking(Safepoints sp, Mutator m) {
        parkWithoutPoll(sp, m); // stamps its arrival while the stop is pending, for the stop's report
        awaitUnparked(sp, m);
    }

    /**
     * Step P without its poll: RUNNING to PARKED, out of the count, and race 4's signal. For M0
     * and for an ending goroutine (D), which leaves rather than stops. An action requested
     * meanwhile is the handshake's to run on the parked goroutine (race 2), as after any park.
     */
    static void parkWithoutPoll(Safepoints sp, Mutator m) {
        if ((sp.pendingVolatile() & Safepoints.STOP) != 0) {
            // Safe for the stop from here, and perhaps the last: for its report (published by
            // the state write below). Only during a stop: a park is a fast path.
            m.stoppedAtNanos = System.nanoTime();
            sp.stops.lastParked = m;
        }
        // Only the owner leaves RUNNING, so a plain volatile write is enough (no CAS).
        m.setStateVolatile(Mutator.PARKED);
        sp.addActive(m, -1);
        if (sp.operatorWaiting) {
            OperatorSlot.signal(sp);
        }
    }

    private static void runOwnAction(Safepoints sp, Mutator m) {
        MutatorAction a = m.action; // visible: written before op = REQUESTED, read after our CAS
        m.inAction = true;
        try {
            a.run(m.goroutine);
        } catch (Throwable t) {
            m.failure = t;
        } finally {
            m.inAction = false;
        }
        m.setOpVolatile(Mutator.OP_DONE); // releases what the action did to the operator
        if (sp.operatorWaiting) {
            OperatorSlot.signal(sp);
        }
    }

    static void unparkSlow(Safepoints sp, Mutator m) {
        awaitUnparked(sp, m);
        if (sp.pendingVolatile() != 0) {
            pollSlow(sp); // run a handshake action posted while we were parked, on our own thread
        }
    }

    /**
     * Step U2: waits, parked and holding no lock, while held or while the world is stopped;
     * then counts itself active and CASes PARKED to RUNNING, as U1 does (race 3: count first,
     * then look at STOP again). The wait is {@link ReleaseWaiters}' (which says why not a
     * condition of the lock); an operator's own goroutine does not wait for its own stop.
     * Uninterruptible, as it always was: an interrupt is kept for later.
     */
    private static void awaitUnparked(Safepoints sp, Mutator m) {
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        for (;;) {
            int s = m.stateVolatile();
            if (s == Mutator.PARKED && mayRunNow(sp, me)) {
                sp.addActive(m, 1);
                if (mayRunNow(sp, me) && m.casState(Mutator.PARKED, Mutator.RUNNING)) {
                    break;
                }
                sp.addActive(m, -1); // a stop came, or a handshake holds us: as U1's undo
                if (sp.operatorWaiting) {
                    OperatorSlot.signal(sp); // it may have counted us and wait for us: as for a park
                }
                continue;
            }
            if (s != Mutator.PARKED && s != Mutator.HELD) {
                throw Errors.notParked(m, s);
            }
            sp.unparkWaiters.push(); // then look again (ReleaseWaiters: Dekker with the release)
            s = m.stateVolatile();
            if (s == Mutator.HELD || (s == Mutator.PARKED && !mayRunNow(sp, me))) {
                LockSupport.park(sp); // a virtual thread unmounts here
            }
            interrupted |= Thread.interrupted(); // else park returns at once, again and again
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /**
     * Before R and D take the lock: waits, parked and holding no lock ({@link ReleaseWaiters}),
     * while a stop is pending, unless the caller is its operator. The caller is not running
     * (not registered yet, or parked to deregister), so no stop waits for it. Why: goroutines
     * that start or end during a stop, by hundreds in the many-goroutines runner, queued for
     * the lock that the stop's claimant and operator need to release it (a queue of 250 was
     * seen ahead of a release).
     */
    static void awaitNoStop(Safepoints sp) {
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        while (!mayRunNow(sp, me)) {
            sp.unparkWaiters.push(); // then look again (ReleaseWaiters: Dekker with the release)
            if (!mayRunNow(sp, me)) {
                LockSupport.park(sp);
            }
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /**
     * U2: whether a parked goroutine may run now, held by no one: no stop pending, or the stop
     * pending was abandoned at its deadline (read after STOP, so it is that stop's state or a
     * later one's: package-info "Abandon"), or its thread is the operator.
     */
    private static boolean mayRunNow(Safepoints sp, Thread me) {
        return (sp.pendingVolatile() & Safepoints.STOP) == 0 || sp.handoff.isAbandoned() || sp.operator() == me;
    }
}
