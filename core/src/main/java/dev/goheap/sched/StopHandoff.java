package dev.goheap.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The work posted with a stop of the world ({@link Safepoints#stopTheWorldAndRun}) and who runs
 * it: the operator if it sees the world stopped first, else the last goroutine to stop, which
 * runs it on its own thread and releases the world itself (package-info "Stop handoff").
 *
 * <p>Why: the operator blocks while it waits for the goroutines, and the last one to stop wakes
 * it. On two CPUs, with the JIT's compiler threads runnable, that wake-up was measured at
 * 1.3-4 ms (perf sched traces: the operator queued behind a compiler thread on one CPU while the
 * other went idle), most of the demo's longer pauses. The last goroutine is on a CPU already.
 *
 * <p>States: NONE, POSTED (the stop waits), then exactly one of CLAIMED (by the operator or by
 * the last goroutine, one CAS) or ABANDONED (at the deadline, by the operator or by a stopped
 * goroutine, the same CAS); a goroutine's claim or abandonment ends in DONE, written under the
 * lock with its release.
 *
 * <p><b>Thread safety:</b> {@code state} is volatile and moves by CAS; the other fields are
 * guarded by the owning {@link Safepoints}' lock (written by the operator before POSTED, by the
 * claimant before DONE), but for {@code claimedNanos} when the operator claims (lock-free, P3):
 * then only the operator reads it. The operator clears the fields only under the lock, since a
 * goroutine that stopped just before the operator's claim may still be reading them in its own
 * claim attempt (jcstress {@code SafepointStress.HandoffClaimRace}).
 */
final class StopHandoff {
    static final int NONE = 0;
    static final int POSTED = 1;
    static final int CLAIMED = 2;
    static final int DONE = 3;
    static final int ABANDONED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(StopHandoff.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private StopWork work;
    private long deadlineNanos;  // the stop's deadline: stopped goroutines abandon it there themselves
    private boolean missed;      // a stopped goroutine abandoned the stop at its deadline
    private int waitedFor;       // the goroutines stopped when a goroutine claimed the work
    private boolean result;
    private Throwable failure;
    private long claimedNanos;
    private Mutator claimant; // the goroutine that claimed the work, or null

    /** Operator, under the lock, with the stop's request (S1): posts {@code w}. */
    void postLocked(StopWork w, long deadline) {
        work = w;
        deadlineNanos = deadline;
        missed = false;
        waitedFor = 0;
        result = false;
        failure = null;
        claimedNanos = 0;
        claimant = null;
        state = POSTED;
    }

    /** Operator, under the lock, once the stop is over: forgets the work. */
    void clearLocked() {
        work = null;
        failure = null;
        claimant = null;
        state = NONE;
    }

    int state() {
        return state;
    }

    /** The operator saw every goroutine safe: returns true if the work is its to run. */
    boolean claimByOperator() {
        if (STATE.compareAndSet(this, POSTED, CLAIMED)) {
            claimedNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    /** The operator's deadline passed: returns true if no goroutine claimed the work first. */
    boolean abandon() {
        return STATE.compareAndSet(this, POSTED, ABANDONED);
    }

    /**
     * A goroutine that has just stopped (step M2, under the lock): claims the work if every
     * active goroutine has stopped now ({@link WorldStop#allStopped}: parked ones are not
     * looked at). A goroutine running or dead-but-registered leaves it to the operator.
     */
    boolean claimIfLastLocked(Safepoints sp, Mutator self) {
        if (state != POSTED || !WorldStop.allStopped(sp)) {
            return false;
        }
        if (STATE.compareAndSet(this, POSTED, CLAIMED)) {
            claimedNanos = System.nanoTime();
            claimant = self;
            waitedFor = sp.stops.stoppedCount;
            return true;
        }
        return false;
    }

    /** Under the lock, after DONE: how many goroutines had stopped when the work was claimed. */
    int waitedForLocked() {
        return waitedFor;
    }

    /**
     * Whether the stop may still end at its deadline (posted and unclaimed, or abandoned by the
     * operator and maybe not released yet): stopped goroutines then wait only until {@link
     * #deadlineNanos}, then {@link #abandonByGoroutineLocked}.
     */
    boolean mayTimeOut() {
        int s = state;
        return s == POSTED || s == ABANDONED;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * A stopped goroutine, under the lock, when the stop's deadline has passed and the world is
     * still not stopped: abandons the stop (the same CAS as the operator's {@link #abandon}) and
     * releases the world as the operator would at its deadline (S5), reporting DONE with
     * {@code missed}. Why not leave it to the operator: on two busy CPUs the operator can be
     * off-CPU for milliseconds past the deadline (a 16 ms aborted stop was measured) while the
     * stopped goroutines wait for it. Returns whether this goroutine abandoned it.
     */
    boolean abandonByGoroutineLocked(Safepoints sp) {
        int s = state;
        boolean ours = s == POSTED && STATE.compareAndSet(this, POSTED, ABANDONED);
        if (!ours && state != ABANDONED) {
            return false; // claimed (the claimant releases), or over
        }
        // Ours, or the operator abandoned it and has not released yet: release for it (its own
        // release is then a no-op, WorldStop#releaseLocked), so the pause ends at the deadline.
        if ((sp.pendingVolatile() & Safepoints.STOP) != 0) {
            missed = true;
            WorldStop.releaseLocked(sp);
        }
        if (ours) {
            state = DONE; // the operator waits for it (awaitHandedOff)
            OperatorSlot.wakeLocked(sp);
        }
        return true;
    }

    /** Under the lock, after DONE: whether a goroutine abandoned the stop at its deadline. */
    boolean missedLocked() {
        return missed;
    }

    /**
     * The claimant goroutine, outside the lock: runs the work with its own safepoints off, then
     * releases the world as S6 does (the operator stays the operator until it returns) and
     * reports DONE to the operator. {@code self} is STOPPED until the release makes it RUNNING.
     */
    void runAndRelease(Safepoints sp, Mutator self) {
        boolean r = false;
        Throwable f = null;
        self.inAction = true; // its polls in the work return at once; park refuses
        try {
            r = work.run();
        } catch (Throwable t) {
            f = t; // rethrown by the operator
        } finally {
            self.inAction = false;
        }
        sp.lock.lockBarging(); // the world waits for this release
        try {
            result = r;
            failure = f;
            WorldStop.releaseLocked(sp);
            state = DONE;
            OperatorSlot.wakeLocked(sp);
        } finally {
            sp.lock.unlock();
        }
    }

    /** Under the lock, after DONE: what the work returned. */
    boolean resultLocked() {
        return result;
    }

    /** Under the lock, after DONE: what the work threw, or null. */
    Throwable failureLocked() {
        return failure;
    }

    /** When the stop was claimed: every goroutine was safe by then (its time to safepoint). */
    long claimedNanos() {
        return claimedNanos;
    }

    /** Under the lock, after DONE: the goroutine that ran the work. */
    Mutator claimantLocked() {
        return claimant;
    }
}
