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
 * goroutine, the same CAS); a goroutine's claim ends in DONE, written under the lock with its
 * release; an abandoned stop stays ABANDONED until the operator's cleanup clears it (NONE).
 *
 * <p><b>Thread safety:</b> {@code state} is volatile and moves by CAS; the other fields are
 * guarded by the owning {@link Safepoints}' lock (written by the operator before POSTED, by the
 * claimant before DONE), but for {@code claimedNanos} when the operator claims (lock-free, P3):
 * then only the operator reads it; {@code abandonedNanos} is volatile, written by the abandoner. The operator clears the fields only under the lock, since a
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
    private volatile long abandonedNanos; // when abandonAt's CAS succeeded; 0 before
    private int waitedFor;       // the goroutines stopped when a goroutine claimed the work
    private boolean result;
    private Throwable failure;
    private long claimedNanos;
    private Mutator claimant; // the goroutine that claimed the work, or null

    /** Operator, under the lock, with the stop's request (S1): posts {@code w}. */
    void postLocked(StopWork w, long deadline) {
        work = w;
        deadlineNanos = deadline;
        abandonedNanos = 0;
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

    /**
     * The stop's deadline passed ({@code nowNanos}), seen by the operator or by a stopped
     * goroutine: abandons the stop if no goroutine claimed the work first, and returns whether
     * this call did. Lock-free, and the release point of the stop (package-info "Abandon"): from
     * here every stopped goroutine may run (it releases itself, {@code MutatorPaths.awaitRelease}),
     * a goroutine that reaches its poll does not stop, and one waiting to unpark runs; the
     * operator's cleanup under the lock (STOP cleared, the stopped list emptied) may come later.
     * Why: the cleanup needs the safepoints' lock, and a goroutine that took it to stop just
     * before the deadline was seen blocked inside it for 2.6 ms (a compile request waiting for a
     * compiler thread off its CPU), the world with it.
     */
    boolean abandonAt(long nowNanos) {
        if (STATE.compareAndSet(this, POSTED, ABANDONED)) {
            abandonedNanos = nowNanos;
            return true;
        }
        return false;
    }

    /** Whether the stop was abandoned at its deadline and not cleaned up yet: it stops no one any more. */
    boolean isAbandoned() {
        return state == ABANDONED;
    }

    /**
     * When the stop was abandoned ({@link #abandonAt}), or 0 if its abandoner has not written it
     * yet (it writes just after its CAS): under the lock, by the operator's cleanup.
     */
    long abandonedNanos() {
        return abandonedNanos;
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
     * Whether the stop may still end at its deadline (posted and unclaimed, or abandoned and not
     * cleaned up yet): stopped goroutines then wait only until {@link #deadlineNanos}, then
     * {@link #abandonAt} it themselves if the operator has not.
     */
    boolean mayTimeOut() {
        int s = state;
        return s == POSTED || s == ABANDONED;
    }

    long deadlineNanos() {
        return deadlineNanos;
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
