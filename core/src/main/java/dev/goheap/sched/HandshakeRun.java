package dev.goheap.sched;

import static dev.goheap.sched.Mutator.DEAD;
import static dev.goheap.sched.Mutator.HELD;
import static dev.goheap.sched.Mutator.OP_CLAIMED;
import static dev.goheap.sched.Mutator.OP_DONE;
import static dev.goheap.sched.Mutator.OP_NONE;
import static dev.goheap.sched.Mutator.OP_REQUESTED;
import static dev.goheap.sched.Mutator.PARKED;
import static dev.goheap.sched.Mutator.RUNNING;
import static dev.goheap.sched.Mutator.STOPPED;

import dev.goheap.stack.Goroutine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One handshake, run by the operator (package-info "Handshake", steps H1-H6): posts the action
 * to its goroutines, runs it for the parked ones while holding them, waits for the running ones
 * to run it themselves, cancels the rest at the deadline, and counts.
 *
 * <p><b>Thread safety:</b> the operator thread only; it shares the mutators' {@code op} and
 * {@code state} with their owners through the CAS protocol in package-info.
 */
final class HandshakeRun {
    private static final Mutator[] NO_TARGETS = new Mutator[0];

    private final Safepoints sp;
    private final MutatorAction action;
    private final Mutator self;      // the caller's own goroutine if it is one of the targets
    private final Mutator[] targets; // the others in [0, count): [0, finished) are finished
    private final int count;
    private final boolean everyGoroutine; // targets is then the operator's array, given back at the end
    private int finished;
    private int byOwner;
    private int byCaller;
    private int ended;
    private final List<Goroutine> notDone = new ArrayList<>();
    private Throwable failure;

    private HandshakeRun(Safepoints sp, MutatorAction action, Mutator self, Mutator[] targets, int count,
            boolean everyGoroutine, int ended) {
        this.sp = sp;
        this.action = action;
        this.self = self;
        this.targets = targets;
        this.count = count;
        this.everyGoroutine = everyGoroutine;
        this.ended = ended;
    }

    /**
     * Under the lock: the goroutines the handshake goes to, {@code me} left out, in an array whose
     * first {@link Registry#countExceptLocked} ({@code only} null) or {@code length} entries
     * count; every one ({@code only} null) into the operator's reused array.
     */
    private static Mutator[] targetsLocked(Safepoints sp, Collection<? extends Goroutine> only, Mutator me,
            int[] unregistered) {
        if (only != null) {
            return sp.registry.selectLocked(only, me, unregistered);
        }
        Mutator[] reuse = sp.handshakeTargets;
        sp.handshakeTargets = NO_TARGETS; // taken until finish() gives it back: a nested handshake copies anew
        return sp.registry.snapshotLocked(me, reuse);
    }

    /**
     * The body of {@link Safepoints#handshakeReport}, which see: {@code only} the given
     * goroutines, or (null) every registered one.
     */
    static HandshakeResult run(Safepoints sp, Collection<? extends Goroutine> only, MutatorAction action,
            long deadlineNanos) {
        if (sp.operator() == Thread.currentThread() && sp.stops.worldStopped) {
            return whileStopped(sp, only, action);
        }
        OperatorSlot.acquire(sp, "handshake");
        HandshakeRun run = null;
        try {
            run = start(sp, only, action);
            run.runOwn();
            run.await(deadlineNanos);
        } finally {
            try {
                if (run != null) {
                    run.finish();
                }
            } finally {
                OperatorSlot.release(sp);
            }
        }
        return run.result(); // rethrows what an action threw
    }

    /** Steps H1-H2: picks the goroutines registered now and posts the action to them. */
    private static HandshakeRun start(Safepoints sp, Collection<? extends Goroutine> only, MutatorAction action) {
        Mutator me = sp.current.get();
        sp.lock.lock();
        try {
            int[] unregistered = {0};
            Mutator[] targets = targetsLocked(sp, only, me, unregistered);
            int count = only == null ? sp.registry.countExceptLocked(me) : targets.length;
            for (int i = 0; i < count; i++) {
                Mutator m = targets[i];
                m.action = action;
                m.failure = null;
                m.setOpVolatile(OP_REQUESTED); // releases the action to whoever claims the op
            }
            OperatorSlot.setPendingLocked(sp, Safepoints.HANDSHAKE, true); // after the ops: a poll that sees it finds its op
            sp.figures.handshakes++;
            return new HandshakeRun(sp, action, includesSelf(me, only) ? me : null, targets, count, only == null,
                    unregistered[0]);
        } finally {
            sp.lock.unlock();
        }
    }

    /**
     * A handshake by the thread that stopped the world: every goroutine registered now is
     * stopped, or parked (its unpark waits for the release; the stop does not hold it), so the
     * caller runs every action itself at once, holding each parked one for its action.
     */
    private static HandshakeResult whileStopped(Safepoints sp, Collection<? extends Goroutine> only, MutatorAction action) {
        Mutator me = sp.current.get();
        Mutator[] targets;
        int count;
        int[] unregistered = {0};
        sp.lock.lock();
        try {
            targets = targetsLocked(sp, only, me, unregistered);
            count = only == null ? sp.registry.countExceptLocked(me) : targets.length;
            sp.figures.handshakes++;
        } finally {
            sp.lock.unlock();
        }
        HandshakeRun run = new HandshakeRun(sp, action, includesSelf(me, only) ? me : null, targets, count,
                only == null, unregistered[0]);
        run.runOwn();
        for (int i = 0; i < count; i++) {
            run.runStopped(targets[i]);
        }
        run.finished = count;
        run.finish();
        return run.result();
    }

    /** Step H3: the caller's own goroutine runs the action at once, as its owner. */
    private void runOwn() {
        if (self != null) {
            self.inAction = true;
            try {
                runAction(self);
            } finally {
                self.inAction = false;
            }
            byOwner++;
        }
    }

    /** Steps H4-H5: until every target is finished, or the deadline passes and the rest are cancelled. */
    private void await(long deadlineNanos) {
        boolean interrupted = false;
        try {
            for (int round = 0; ; round++) {
                scan(round >= WorldStop.SPIN_ROUNDS);
                if (finished == count) {
                    return;
                }
                if (System.nanoTime() - deadlineNanos >= 0) {
                    cancelRest();
                    return;
                }
                if (round < WorldStop.SPIN_ROUNDS) {
                    Thread.onSpinWait();
                    continue;
                }
                sp.lock.lock();
                try {
                    sp.operatorWaiting = true; // then look again (Dekker with park and runOwnAction)
                    long left = deadlineNanos - System.nanoTime();
                    if (left > 0 && !actionable()) {
                        sp.arrived.awaitNanos(Math.min(left, WorldStop.RESCAN_NANOS));
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the deadline bounds the wait; keep the interrupt for the caller
                } finally {
                    sp.operatorWaiting = false;
                    sp.lock.unlock();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Step H6: clears the pending bit and the posted actions, counts; no op is left CLAIMED. */
    private void finish() {
        if (finished < count) {
            cancelRest(); // only on an unexpected exception: never leave an op behind
        }
        sp.lock.lock();
        try {
            OperatorSlot.setPendingLocked(sp, Safepoints.HANDSHAKE, false);
            for (int i = 0; i < count; i++) {
                Mutator m = targets[i];
                m.action = null;
                m.failure = null;
                m.setOpVolatile(OP_NONE); // every op is DONE or NONE here: nobody else writes it now
                targets[i] = null; // the array may be the operator's, kept: it must not keep ended goroutines
            }
            if (everyGoroutine) {
                sp.handshakeTargets = targets;
            }
            sp.figures.handshakeEndedLocked(byOwner, byCaller, notDone.size());
        } finally {
            sp.lock.unlock();
        }
    }

    private HandshakeResult result() {
        if (failure != null) {
            throw Errors.rethrow(failure);
        }
        return new HandshakeResult(byOwner, byCaller, ended, notDone);
    }

    // ------------------------------------------------------------------ internals

    private void scan(boolean checkDead) {
        for (int i = finished; i < count; i++) {
            Mutator m = targets[i];
            if (tryFinish(m, checkDead)) {
                targets[i] = targets[finished];
                targets[finished++] = m;
            }
        }
    }

    /** Finishes {@code m} if it can be now: done by its owner, ended, or parked (then run here). */
    private boolean tryFinish(Mutator m, boolean checkDead) {
        int op = m.opVolatile();
        if (op == OP_DONE) {
            doneByOwner(m);
            return true;
        }
        if (op != OP_REQUESTED) {
            return false; // CLAIMED: its owner runs it now
        }
        int s = m.stateVolatile();
        if (s == DEAD || (checkDead && s == RUNNING && Registration.abandonIfDead(sp, m))) {
            // A deregistered goroutine never polls again. If the CAS fails, the goroutine claimed
            // and ran the action between our read of op and our read of its state, then ended
            // (found by jcstress HandshakeVsPark): op is DONE, and the next pass counts it.
            if (!m.casOp(OP_REQUESTED, OP_NONE)) {
                return false;
            }
            ended++;
            return true;
        }
        if (s == PARKED && m.casState(PARKED, HELD)) { // step H4: it cannot unpark now
            try {
                if (m.casOp(OP_REQUESTED, OP_CLAIMED)) {
                    runAction(m);
                    m.setOpVolatile(OP_DONE);
                    byCaller++;
                } else {
                    doneByOwner(m); // it ran the action itself, then parked
                }
            } finally {
                releaseHeld(sp, m);
            }
            return true;
        }
        return false; // running: it will run the action at its next safepoint, or park
    }

    /**
     * Whether a scan would finish some target now (under the lock, after {@code operatorWaiting
     * = true}): every change that makes one finishable signals {@code arrived} after it.
     */
    private boolean actionable() {
        for (int i = finished; i < count; i++) {
            Mutator m = targets[i];
            int s = m.stateVolatile();
            if (m.opVolatile() == OP_DONE || s == PARKED || s == DEAD) {
                return true;
            }
        }
        return false;
    }

    /** Step H5: cancels every op not claimed yet; waits for those their owners run now. */
    private void cancelRest() {
        for (int i = finished; i < count; i++) {
            Mutator m = targets[i];
            if (m.casOp(OP_REQUESTED, OP_NONE)) {
                notDone.add(m.goroutine);
            } else {
                awaitOwner(m);
                doneByOwner(m);
            }
        }
        finished = count;
    }

    /** Waits until the owner of {@code m}, which claimed the op, has run the action. */
    private void awaitOwner(Mutator m) {
        boolean interrupted = false;
        sp.lock.lock();
        try {
            sp.operatorWaiting = true;
            while (m.opVolatile() == OP_CLAIMED) {
                try {
                    sp.arrived.awaitNanos(WorldStop.RESCAN_NANOS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            sp.operatorWaiting = false;
            sp.lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For {@link #whileStopped}: runs the action for {@code m} on the caller. */
    private void runStopped(Mutator m) {
        for (;;) {
            int s = m.stateVolatile();
            if (s == STOPPED || s == HELD) { // stopped by our stop (or held): it stays so
                runAction(m);
                byCaller++;
                return;
            }
            if (s == DEAD) {
                ended++;
                return;
            }
            if (s == PARKED && m.casState(PARKED, HELD)) { // the stop does not hold the parked ones
                try {
                    runAction(m);
                    byCaller++;
                } finally {
                    releaseHeld(sp, m); // parked again; its unpark still waits for the release
                }
                return;
            }
            if (s == RUNNING) {
                throw Errors.broken("no goroutine runs while the world is stopped", m, s);
            }
        }
    }

    private void runAction(Mutator m) {
        try {
            action.run(m.goroutine);
        } catch (Throwable t) {
            addFailure(t);
        }
    }

    private void doneByOwner(Mutator m) {
        byOwner++;
        Throwable t = m.failure; // visible: written before op = DONE, which we read
        if (t != null) {
            addFailure(t);
        }
    }

    private void addFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        } else if (failure != t) {
            failure.addSuppressed(t);
        }
    }

    private static boolean includesSelf(Mutator me, Collection<? extends Goroutine> only) {
        if (me == null) {
            return false;
        }
        if (only == null) {
            return true;
        }
        for (Goroutine g : only) {
            if (g == me.goroutine) {
                return true;
            }
        }
        return false;
    }

    /** Lets a goroutine the handshake held go: parked again, its unpark may proceed. */
    private static void releaseHeld(Safepoints sp, Mutator m) {
        sp.lock.lock();
        try {
            m.setStateVolatile(Mutator.PARKED);
            sp.unparkWaiters.wakeAll();
            sp.released.signalAll();
        } finally {
            sp.lock.unlock();
        }
    }
}
