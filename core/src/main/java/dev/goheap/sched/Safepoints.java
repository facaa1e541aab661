package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;

/**
 * Safepoints, stops of the world and handshakes for one runtime's goroutines (Go's
 * {@code stopTheWorld}, {@code forEachP} and {@code g.preempt}; DESIGN decisions 3 and 7). The
 * states, the protocols step by step, the races they prevent and the happens-before edges are in
 * package-info, which opens with the short version (mutators, safepoints, parking, stop,
 * handshake).
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. {@link #poll}, {@link
 * #park}, {@link #unpark}, {@link #parked}, {@link #register} and {@link #deregister} act on the
 * calling thread's goroutine; the first four do nothing on a thread that is no goroutine
 * registered here. They may block (in a stop, or while held): call them holding no lock that a
 * stopper, a handshake action or another goroutine may need. Stops and handshakes are run by one thread at a time,
 * the <i>operator</i>; a second thread that tries gets {@link IllegalStateException} (the
 * collector drives them from one thread). The operator may itself be a goroutine: its own
 * goroutine is never stopped or held by its own operation, and its handshake action runs at once.
 * Shared fields are guarded by {@link #lock} or are volatile, as each says.
 * <p><b>Cost:</b> {@code poll()} with nothing pending reads one volatile field and allocates
 * nothing; {@code park()}/{@code unpark()} are one volatile write or CAS and a ThreadLocal read.
 * Registration allocates a {@link Mutator}; a handshake of given goroutines allocates their
 * list (one of every goroutine reuses the operator's array). Park
 * and unpark also add to a count of active goroutines (one atomic add each, to the goroutine's
 * own stripe of it), which is how a stop knows it is complete without visiting parked goroutines.
 */
public final class Safepoints {
    /** Bits of {@link #pending}. */
    static final int STOP = 1;
    static final int HANDSHAKE = 2;

    /** STOP | HANDSHAKE while an operation runs: written under lock (OperatorSlot), read racily by poll (its fast path). */
    volatile int pending;
    /** The thread running the current stop or handshake, or null: set by CAS, cleared by it at the end (OperatorSlot). */
    volatile Thread operator;
    /** Written by the operator under lock before it blocks; read racily by mutators after a state change. */
    volatile boolean operatorWaiting;
    /**
     * Registered goroutines that are RUNNING or STOPPED (not parked, held or ended): changed
     * atomically by each goroutine as it unparks (+1, before its CAS to RUNNING in U1 and U2),
     * parks (-1, after its write of PARKED) or ends while running (-1), and by the operator for
     * one whose thread died. A stop is complete when every one of them but the operator's own
     * goroutine has stopped (package-info "Stop", S2), so it never visits the parked ones. Striped ({@link ActiveCount}): each goroutine adds to its own stripe ({@link
     * Mutator#activeStripe}), each stripe on its own 128 bytes, so goroutines parking at once on
     * different cores write different lines, and none shares {@link #pending}'s, which every
     * poll reads; the stop reads the sum.
     */
    private final ActiveCount active = new ActiveCount();
    /**
     * Guards the registry, stats, pending's writes and the operator's waits; see package-info
     * "Lock". Goroutines wait for a release without it ({@link #unparkWaiters}, M3).
     */
    final SpinThenParkLock lock = new SpinThenParkLock();
    /** A deregistering goroutine that is held waits here ({@code Registration}). Signalled at every release. */
    final Condition released = lock.newCondition();
    /** Goroutines that wait to unpark (U2): held, or the world stopped. Woken at every release. */
    final ReleaseWaiters unparkWaiters = new ReleaseWaiters();
    /** The operator waits here. Signalled when a mutator it may wait for stops, parks, ends or finishes an action. */
    final Condition arrived = lock.newCondition();
    final Registry registry = new Registry();
    /** The operator's: a handshake of every goroutine copies the registry here ({@link Registry#snapshotLocked}). */
    Mutator[] handshakeTargets = new Mutator[16];
    /** The work posted with the current stop, if any ({@link #stopTheWorldAndRun}). */
    final StopHandoff handoff = new StopHandoff();
    final ThreadLocal<Mutator> current = new ThreadLocal<>(); // set and removed by Registration
    final StopState stops = new StopState(); // the world stopped, and the last stops' times and reports
    final Figures figures = new Figures(); // guarded by lock
    /** The stop listener's calls, or null if none: set once, before the instance is handed out. */
    private volatile StopListenerCalls listenerCalls;

    private Safepoints() {}

    /**
     * Adds {@code delta} to {@code m}'s stripe of {@link #active} ({@code m} left or entered
     * PARKED, or ended running): a volatile read-modify-write on {@link Mutator#activeStripe}.
     */
    void addActive(Mutator m, int delta) {
        assert m.safepoints == this : m; // its stripe is one of this count's
        m.activeStripe.add(delta);
    }

    /**
     * {@link #active}: the sum of its stripes, each a volatile read, in order (not a snapshot;
     * {@link ActiveCount} says why S2 may use it). Read after the stopped count.
     */
    int activeVolatile() {
        return active.sumVolatile();
    }

    /** The stripe of {@link #active} of the goroutine with id {@code goroutineId} ({@link Mutator#activeStripe}). */
    ActiveStripe activeStripeOf(long goroutineId) {
        return active.stripeOf(goroutineId);
    }

    /** The count's stripe {@code stripe} alone, a volatile read: for tests. */
    int activeStripeVolatile(int stripe) {
        return active.stripe(stripe).getVolatile();
    }

    /** The number of stripes of {@link #active}: for tests. */
    int activeStripeCount() {
        return active.stripeCount();
    }

    /** Returns a new instance with no mutators; {@code GoRuntime} makes one per runtime. */
    public static Safepoints create() {
        Safepoints sp = new Safepoints();
        HandedOffStop.warmUp(sp);
        return sp;
    }

    /**
     * Returns a new instance with no mutators whose stops are told to {@code listener} (see
     * there for when and on which thread); the warm-up stops made here are not.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public static Safepoints create(StopListener listener) {
        Objects.requireNonNull(listener, "listener");
        Safepoints sp = create();
        sp.listenerCalls = new StopListenerCalls(sp.lock, listener);
        return sp;
    }

    /**
     * Returns the first exception that this instance's {@link StopListener} threw, if any. The
     * stop it was thrown in went on as if the listener had returned.
     */
    public Optional<Throwable> stopListenerFailure() {
        StopListenerCalls calls = listenerCalls;
        return calls == null ? Optional.empty() : calls.failure();
    }

    /** The operator, before a stop's request (S1) and outside the lock: tells the listener, if any. */
    void beforeStop() {
        StopListenerCalls calls = listenerCalls;
        if (calls != null) {
            calls.beforeStop();
        }
    }

    /** Under the lock, at a stop's release (S6): tells the listener, if any. */
    void afterReleaseLocked() {
        StopListenerCalls calls = listenerCalls;
        if (calls != null) {
            calls.afterReleaseLocked();
        }
    }

    /**
     * Forgets the figures ({@link #stats}) and the stop reports of the operations so far: for a
     * warm-up's operations, which a runtime's user did not ask for.
     */
    public void forgetFigures() {
        lock.lock();
        try {
            figures.resetLocked();
            stops.forgetReports();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ mutators: the fast paths

    /**
     * A safepoint: returns at once unless a stop or handshake is pending. Then, if the calling
     * thread is a running goroutine registered here, it stops until the world is released, or
     * runs the handshake action posted to it, and returns. A thread that is no registered
     * goroutine returns at once. With nothing pending: one volatile read, no allocation.
     *
     * @throws IllegalStateException if the calling goroutine is parked (it may not use goheap
     *     until it unparks); detected only while something is pending
     */
    public void poll() {
        if (pending != 0) {
            MutatorPaths.pollSlow(this);
        }
    }

    /**
     * Returns whether a stop or handshake is pending: one volatile read, as {@link #poll}'s fast
     * path. Work that runs long between two safepoints (a mutator assist) checks it to end early,
     * so that its goroutine reaches its next poll and does not hold the pause up.
     */
    public boolean actionPending() {
        return pending != 0;
    }

    /**
     * Parks the calling goroutine: until {@link #unpark}, no stop or handshake waits for it, and
     * it must not use goheap (heap, stacks, fixed segments; checked at its safepoints while a
     * stop or handshake is pending). Park is a safepoint: it first stops or runs a pending action,
     * and pointers kept only in Java locals are not roots while parked (keep them in a frame).
     * Does nothing on a thread that is no goroutine registered here.
     *
     * @throws IllegalStateException if the goroutine is already parked, or runs a handshake action
     */
    public void park() {
        MutatorPaths.park(this);
    }

    /**
     * Unparks the calling goroutine: it runs goheap code again. Waits while the goroutine is
     * held by a handshake (the collector may be scanning its stack) and while the world is
     * stopped, then runs a handshake action pending for it. Does nothing on a thread that is
     * no goroutine registered here.
     *
     * @throws IllegalStateException if the goroutine is not parked
     */
    public void unpark() {
        MutatorPaths.unpark(this);
    }

    /**
     * Unparks the calling goroutine if that needs no wait (step U1 alone): returns true, with
     * the goroutine running, if no stop or handshake is pending and none holds it; else false,
     * with the goroutine still parked, where {@link #unpark} would wait. For a goroutine that
     * parked while it waits for a lock and must not hold that lock through a stop: on false, it
     * lets the lock go before it calls {@link #unpark}. Returns true, doing nothing, on a thread
     * that is no goroutine registered here.
     *
     * @throws IllegalStateException if the goroutine is not parked
     */
    public boolean tryUnpark() {
        return MutatorPaths.tryUnpark(this);
    }

    /**
     * Runs {@code call} with the calling goroutine parked and returns what it returns: {@code
     * safepoints.parked(queue::take)}. If the thread is no registered goroutine, or is parked
     * already (nested calls), it just runs the call.
     *
     * @throws X what the call throws; the goroutine is unparked first
     */
    public <T, X extends Throwable> T parked(BlockingCall<T, X> call) throws X {
        return MutatorPaths.parked(this, call);
    }

    /**
     * Returns whether the calling thread is a goroutine registered here that {@link #park} would
     * accept now and that no operation waits on while it is parked: running, not inside a
     * handshake action, and not the operator of a stop or handshake (the operation would wait
     * for its own operator). For code that chooses to wait parked rather than must, such as the
     * collector's assists: a false return means "do not wait here".
     */
    public boolean mayPark() {
        return MutatorPaths.mayPark(this);
    }

    /** Returns whether the calling thread is a goroutine registered here and parked (or held). */
    public boolean isParked() {
        return MutatorPaths.isParked(this);
    }

    // ------------------------------------------------------------------ registration (for Goroutines)

    /**
     * Makes the safepoint record of a goroutine, not registered yet. For {@link
     * dev.goheap.stack.Goroutines}, which makes one per goroutine.
     */
    public Mutator newMutator(Goroutine goroutine) {
        return new Mutator(this, Objects.requireNonNull(goroutine, "goroutine"));
    }

    /**
     * Registers {@code m}'s goroutine on its own thread, before its task runs (or when a thread
     * attaches): from then on stops and handshakes include it. It enters PARKED and unparks, so
     * it waits here while the world is stopped. For {@link dev.goheap.stack.Goroutines}.
     *
     * @throws IllegalArgumentException if {@code m} was made by another Safepoints
     * @throws WrongThreadException if called from another thread than the goroutine's
     * @throws IllegalStateException if {@code m} was registered before, or the thread is
     *     registered as another goroutine
     */
    public void register(Mutator m) {
        Registration.register(this, m);
    }

    /**
     * Deregisters the calling goroutine when it ends or detaches, before its stack is freed:
     * from then on it counts as parked forever. It does not wait for a stop in progress (the
     * stopper stops waiting for it), only while a handshake holds it (its stack may be being
     * scanned). Does nothing if {@code m} was never registered or is deregistered already.
     * For {@link dev.goheap.stack.Goroutines}.
     *
     * @throws WrongThreadException if called from another thread than the goroutine's
     */
    public void deregister(Mutator m) {
        Registration.deregister(this, m);
    }

    /**
     * Deregisters the goroutine of {@code m} whose thread terminated without deregistering (an
     * attached thread that died), from any thread. For {@link dev.goheap.stack.Goroutines}.
     *
     * @throws IllegalStateException if the goroutine's thread is alive
     */
    public void deregisterDead(Mutator m) {
        Registration.deregisterDead(this, m);
    }

    /** Returns the number of registered goroutines (a racy snapshot). */
    public int mutatorCount() {
        return registry.sizeRacy();
    }

    // ------------------------------------------------------------------ the collector's side

    /**
     * Stops the world: asks every registered goroutine to stop at its next safepoint and waits
     * until every running one has stopped (or ended), or until {@code deadlineNanos} ({@link
     * System#nanoTime()} time) passes. Parked goroutines are not waited for, nor visited: their
     * unpark waits for the release. Returns true with the world
     * stopped: no registered goroutine runs goheap code until {@link #startTheWorld()}, and the
     * caller may read and write what they own (package-info "Happens-before"). Returns false if
     * the deadline passed first: the goroutines that had stopped are released, and the world
     * runs. The goroutines are counted once before the deadline is checked, so with
     * a deadline in the past the stop succeeds only if no goroutine is running at that look
     * (all are parked or ended).
     *
     * <p>Goroutines that register during the stop wait in their registration until the release.
     * The caller's own goroutine, if it is one, keeps running: it is the stopper.
     *
     * @throws IllegalStateException if another thread is stopping the world or handshaking, or
     *     this thread has stopped the world already
     */
    public boolean stopTheWorld(long deadlineNanos) {
        return PlainStop.stop(this, deadlineNanos);
    }

    /**
     * Stops the world as {@link #stopTheWorld} does and runs {@code work} once with it stopped,
     * then releases it, all before returning. The work runs on whichever thread completes the
     * stop: this one if it sees every goroutine at a safepoint first, or else the last goroutine
     * to stop, on its own thread, which then releases the world itself (package-info "Stop
     * handoff"): so the pause does not wait for this thread to be woken and scheduled after the
     * last goroutine stopped. Either way the work happens-before this method returns, and the
     * world is released before it returns. If the deadline passes before every goroutine is at a
     * safepoint, the world is released and the work never runs.
     *
     * <p>The pause is recorded as for {@link #stopTheWorld}: from the request ({@link
     * #lastRequestNanos()}) to {@link #lastReleaseNanos()}; {@link
     * SafepointStats#stopsRunByGoroutine()} counts the handoffs.
     *
     * @param deadlineNanos when to give up waiting for the safepoints ({@link System#nanoTime()} time)
     * @param work          what to run with the world stopped (see {@link StopWork} for what it may do)
     * @return whether the work ran, and if so what it returned
     * @throws IllegalStateException if another thread is stopping the world or handshaking, or
     *     this thread has stopped the world already
     * @throws RuntimeException or {@link Error}: what the work threw, after the world is released
     *     (a checked one comes wrapped in an {@link IllegalStateException})
     */
    public StopOutcome stopTheWorldAndRun(long deadlineNanos, StopWork work) {
        return HandedOffStop.run(this, Objects.requireNonNull(work, "work"), deadlineNanos, false);
    }

    /**
     * {@link #stopTheWorldAndRun} with the deadline counted from the stop request: the wait for
     * the safepoints is given up {@code timeoutNanos} after {@link #lastRequestNanos()}, however
     * long this thread took to make the request. Why: the operator can lose its CPU between its
     * decision to stop and the request (at start-up, to the JIT's compiler threads, for up to
     * 11 ms on two CPUs); a deadline fixed before that has passed by the time any goroutine
     * hears of the stop, which then could only be given up.
     *
     * @param timeoutNanos how long after the request to give up waiting for the safepoints, {@code >= 0}
     * @param work         what to run with the world stopped (see {@link StopWork} for what it may do)
     * @return whether the work ran, and if so what it returned
     * @throws IllegalArgumentException if {@code timeoutNanos} is negative
     * @throws IllegalStateException as {@link #stopTheWorldAndRun}
     * @throws RuntimeException or {@link Error}: as {@link #stopTheWorldAndRun}
     */
    public StopOutcome stopTheWorldAndRunWithin(long timeoutNanos, StopWork work) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout " + timeoutNanos + " ns (expected: >= 0)");
        }
        return HandedOffStop.run(this, Objects.requireNonNull(work, "work"), timeoutNanos, true);
    }

    /**
     * Releases the world stopped by this thread: the stopped goroutines run on, unparks and
     * registrations waiting for the stop proceed.
     *
     * @throws IllegalStateException if this thread has not stopped the world
     */
    public void startTheWorld() {
        PlainStop.start(this);
    }

    /**
     * Returns the {@link System#nanoTime()} of the last release of a stop (by {@link
     * #startTheWorld} or by a {@link #stopTheWorld} that missed its deadline; for a stop with
     * posted work that missed it, the moment it was abandoned, before the operator's cleanup):
     * the moment from which every goroutine of that stop may run again. A pause is measured from the stop
     * request to this moment; the wake-up of the goroutines that blocked is the OS's and the
     * virtual-thread scheduler's and is not counted (as in Go's {@code startTheWorld}).
     * Meaningful to the operator thread after its release.
     */
    public long lastReleaseNanos() {
        return stops.lastReleaseNanos;
    }

    /**
     * Returns the {@link System#nanoTime()} of the last stop's request: the moment the stop was
     * published to the goroutines (under the lock, as it set the flag their polls read). A pause
     * counts from here to {@link #lastReleaseNanos()}: before it no goroutine is asked to stop,
     * however long the operator took to get there. Meaningful to the operator thread once its
     * stop call has returned, or to the work of a stop while it runs.
     */
    public long lastRequestNanos() {
        return stops.lastRequestNanos;
    }

    /** Returns whether the world is stopped now (by a successful {@link #stopTheWorld}). */
    public boolean isWorldStopped() {
        return stops.worldStopped;
    }

    /**
     * Runs {@code action} once for every registered goroutine and returns whether it ran for all
     * of them by {@code deadlineNanos}: the same as {@code handshakeReport(action,
     * deadlineNanos).isComplete()}, which see. When it returns false, the goroutines whose action
     * was cancelled are not named: use {@link #handshakeReport} to retry only those.
     */
    public boolean handshake(MutatorAction action, long deadlineNanos) {
        return handshakeReport(action, deadlineNanos).isComplete();
    }

    /**
     * Runs {@code action} once for every goroutine registered when the handshake starts: a
     * running goroutine runs it on its own thread at its next safepoint; for a parked one the
     * caller holds it (it cannot unpark meanwhile) and runs it on the calling thread; the
     * caller's own goroutine runs it at once. Goroutines that ended meanwhile are counted as
     * ended. When {@code deadlineNanos} passes, the actions not started yet are cancelled (they
     * will never run) and returned in {@link HandshakeResult#notDone()}; actions already running
     * on their goroutines are waited for. The handshake returns only when no action of it runs
     * any more. Goroutines that register during the handshake are left out: their stacks are
     * empty (package-info "Handshake").
     *
     * <p>If the world is stopped by the calling thread, every action runs on the calling thread
     * at once (the goroutines are stopped, or parked and held for the action), and the deadline
     * does not matter.
     *
     * @throws IllegalStateException if another thread is stopping the world or handshaking
     * @throws RuntimeException or {@link Error}: the first that an action threw, once the
     *     handshake is over (the others are suppressed into it; checked ones come wrapped in an
     *     {@link IllegalStateException})
     */
    public HandshakeResult handshakeReport(MutatorAction action, long deadlineNanos) {
        return HandshakeRun.run(this, null, Objects.requireNonNull(action, "action"), deadlineNanos);
    }

    /**
     * Like {@link #handshakeReport(MutatorAction, long)} for those of {@code goroutines} that are
     * still registered (the rest count as ended): to retry the {@code notDone()} of an earlier
     * result.
     *
     * @throws IllegalArgumentException if a goroutine belongs to another runtime
     */
    public HandshakeResult handshakeReport(Collection<? extends Goroutine> goroutines, MutatorAction action,
            long deadlineNanos) {
        Registration.checkAllMine(this, goroutines);
        return HandshakeRun.run(this, goroutines, Objects.requireNonNull(action, "action"), deadlineNanos);
    }

    /**
     * Returns who the last stop of the world (successful or not) waited for last, or null before
     * the first stop: to explain its time to safepoint (the collector puts it in its JFR pause
     * events).
     */
    public StopReport lastStopReport() {
        return stops.lastStop;
    }

    /** Returns the report of the stop with the longest time to safepoint so far, or null. */
    public StopReport worstStopReport() {
        return stops.worstStop;
    }

    /** Returns a snapshot of the figures. */
    public SafepointStats stats() {
        lock.lock();
        try {
            return figures.snapshotLocked(registry.sizeRacy());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "safepoints[" + mutatorCount() + " mutators" + (stops.worldStopped ? ", world stopped" : "")
                + (operator != null ? ", operator " + operator.getName() : "") + "]";
    }

    // ------------------------------------------------------------------ for the package's paths

    Thread operator() {
        return operator;
    }

    int pendingVolatile() {
        return pending;
    }
}
