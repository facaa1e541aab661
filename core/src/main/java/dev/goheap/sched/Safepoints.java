package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Safepoints, stops of the world and handshakes for one runtime's goroutines (Go's
 * {@code stopTheWorld}, {@code forEachP} and {@code g.preempt}; DESIGN decisions 3 and 7). The
 * states, the protocols step by step, the races they prevent and the happens-before edges are in
 * package-info; this is the short version.
 *
 * <p><b>Mutators</b> are goroutines registered here: {@link dev.goheap.stack.Goroutines} does it
 * before a task runs (or when a thread attaches) and undoes it before the stack is freed. Each
 * is RUNNING, PARKED (outside goheap), STOPPED (at a safepoint, for a stop) or HELD (parked, and
 * held by the running stop or handshake).
 * <ol>
 *   <li><b>Safepoints</b>: a running goroutine calls {@link #poll()} at every heap allocation,
 *       push and pop, and wherever else it likes. With nothing pending that is one volatile read.</li>
 *   <li><b>Parking</b>: around a call that blocks outside goheap, a goroutine {@link #park}s and
 *       {@link #unpark}s (or wraps the call in {@link #parked}); no stop or handshake waits for a
 *       parked goroutine, and {@code unpark} waits while one holds it.</li>
 *   <li><b>Stop</b>: {@link #stopTheWorld} raises the pending flag, holds every parked goroutine
 *       and waits until every running one has stopped at its next safepoint (or the deadline
 *       passes: it then releases them and returns false); {@link #startTheWorld} releases them.</li>
 *   <li><b>Handshake</b>: {@link #handshake} posts an action to every goroutine; a running one
 *       runs it on its own thread at its next safepoint, a parked one is held while the caller
 *       runs it. At the deadline, actions not started are cancelled and reported.</li>
 * </ol>
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
 * Registration allocates a {@link Mutator}; a stop or handshake allocates a copy of the registry.
 */
public final class Safepoints {
    /** Bits of {@link #pending}. */
    static final int STOP = 1;
    static final int HANDSHAKE = 2;
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

    private static final VarHandle OPERATOR;
    static final Mutator[] NONE = {};

    static {
        try {
            OPERATOR = MethodHandles.lookup().findVarHandle(Safepoints.class, "operator", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** STOP | HANDSHAKE while an operation runs: written under lock, read racily by poll (its fast path). */
    private volatile int pending;
    /** The thread running the current stop or handshake, or null: set by CAS, cleared by it at the end. */
    private volatile Thread operator;
    /** Written by the operator under lock before it blocks; read racily by mutators after a state change. */
    volatile boolean operatorWaiting;
    /** Guards the registry, stats, pending's writes and every wait; see package-info "Lock". */
    final ReentrantLock lock = new SpinThenParkLock();
    /** Mutators wait here: stopped, held, or unparking during a stop. Signalled at every release. */
    final Condition released = lock.newCondition();
    /** The operator waits here. Signalled when a mutator it may wait for stops, parks, ends or finishes an action. */
    final Condition arrived = lock.newCondition();
    final Registry registry = new Registry();
    /** The work posted with the current stop, if any ({@link #stopTheWorldAndRun}). */
    final StopHandoff handoff = new StopHandoff();
    private final ThreadLocal<Mutator> current = new ThreadLocal<>();

    // The world stopped: operator only.
    private volatile boolean worldStopped;
    /** When the last stop was released: written by the operator in {@code WorldStop.release}. */
    volatile long lastReleaseNanos;
    /** When the last stop was requested (STOP set, step S1): written by the operator under the lock. */
    volatile long lastRequestNanos;
    /** Written by the operator at the end of each stop's wait; read by anyone (tracing). */
    private volatile StopReport lastStop;
    private volatile StopReport worstStop;
    private Mutator[] stopSet; // operator only: the stop's goroutines while the world is stopped
    private long stopStart;    // operator only: when the current stop was requested
    private long timeToSafepointOfStop = -1; // operator only: stopTheWorldAndRun's, until startTheWorld counts it

    final Figures figures = new Figures(); // guarded by lock

    private Safepoints() {}

    /** Returns a new instance with no mutators; {@code GoRuntime} makes one per runtime. */
    public static Safepoints create() {
        Safepoints sp = new Safepoints();
        HandedOffStop.warmUp(sp);
        return sp;
    }

    /**
     * Forgets the figures ({@link #stats}) and the stop reports of the operations so far: for a
     * warm-up's operations, which a runtime's user did not ask for.
     */
    public void forgetFigures() {
        lock.lock();
        try {
            forgetFiguresLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the figures and reports of the operations so far (the warm-up's). */
    void forgetFiguresLocked() {
        figures.resetLocked();
        lastStop = null;
        worstStop = null;
        lastReleaseNanos = 0;
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
        Mutator m = current.get();
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
        if (pending != 0) {
            MutatorPaths.pollSlow(this);
        }
        // Only the owner leaves RUNNING, so a plain volatile write is enough (no CAS).
        m.setStateVolatile(Mutator.PARKED);
        // Dekker with the operator's "operatorWaiting = true; scan states": one of us sees the
        // other's write, so a blocked operator is always woken for this park (package-info race 4).
        if (operatorWaiting) {
            signalOperator();
        }
    }

    /**
     * Unparks the calling goroutine: it runs goheap code again. Waits while the goroutine is
     * held by a stop or handshake (the collector may be scanning its stack) and while the world
     * is stopped, then runs a handshake action pending for it. Does nothing on a thread that is
     * no goroutine registered here.
     *
     * @throws IllegalStateException if the goroutine is not parked
     */
    public void unpark() {
        Mutator m = current.get();
        if (m == null) {
            return;
        }
        // Fast path: nothing pending, and no operator captured us (the CAS would fail) meanwhile.
        if (pending == 0 && m.casState(Mutator.PARKED, Mutator.RUNNING)) {
            return;
        }
        MutatorPaths.unparkSlow(this, m);
    }

    /**
     * Runs {@code call} with the calling goroutine parked and returns what it returns: {@code
     * safepoints.parked(queue::take)}. If the thread is no registered goroutine, or is parked
     * already (nested calls), it just runs the call.
     *
     * @throws X what the call throws; the goroutine is unparked first
     */
    public <T, X extends Throwable> T parked(BlockingCall<T, X> call) throws X {
        Objects.requireNonNull(call, "call");
        Mutator m = current.get();
        if (m == null || m.stateVolatile() != Mutator.RUNNING) {
            return call.call();
        }
        park();
        try {
            return call.call();
        } finally {
            unpark();
        }
    }

    /**
     * Returns whether the calling thread is a goroutine registered here that {@link #park} would
     * accept now and that no operation waits on while it is parked: running, not inside a
     * handshake action, and not the operator of a stop or handshake (the operation would wait
     * for its own operator). For code that chooses to wait parked rather than must, such as the
     * collector's assists: a false return means "do not wait here".
     */
    public boolean mayPark() {
        Mutator m = current.get();
        return m != null && m.stateVolatile() == Mutator.RUNNING && !m.inAction && operator != Thread.currentThread();
    }

    /** Returns whether the calling thread is a goroutine registered here and parked (or held). */
    public boolean isParked() {
        Mutator m = current.get();
        if (m == null) {
            return false;
        }
        int s = m.stateVolatile();
        return s == Mutator.PARKED || s == Mutator.HELD;
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
        checkOwn("register", m);
        Mutator cur = current.get();
        if (cur != null) {
            throw Errors.alreadyRegistered(m, cur);
        }
        lock.lock();
        try {
            if (m.stateVolatile() != Mutator.NEW) {
                throw Errors.alreadyRegistered(m, null);
            }
            m.setStateVolatile(Mutator.PARKED);
            registry.addLocked(m);
        } finally {
            lock.unlock();
        }
        current.set(m);
        unpark();
    }

    /**
     * Deregisters the calling goroutine when it ends or detaches, before its stack is freed:
     * from then on it counts as parked forever. It does not wait for a stop in progress (the
     * stopper stops waiting for it), only while a stop or handshake holds it (its stack may be
     * being scanned). Does nothing if {@code m} was never registered or is deregistered already.
     * For {@link dev.goheap.stack.Goroutines}.
     *
     * @throws WrongThreadException if called from another thread than the goroutine's
     */
    public void deregister(Mutator m) {
        checkOwn("deregister", m);
        lock.lock();
        try {
            MutatorPaths.deregisterLocked(this, m);
        } finally {
            lock.unlock();
        }
        if (current.get() == m) {
            current.remove();
        }
    }

    /**
     * Deregisters the goroutine of {@code m} whose thread terminated without deregistering (an
     * attached thread that died), from any thread. For {@link dev.goheap.stack.Goroutines}.
     *
     * @throws IllegalStateException if the goroutine's thread is alive
     */
    public void deregisterDead(Mutator m) {
        checkMine(m);
        if (m.thread.isAlive()) {
            throw Errors.threadAlive(m);
        }
        lock.lock();
        try {
            MutatorPaths.deregisterLocked(this, m);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of registered goroutines (a racy snapshot). */
    public int mutatorCount() {
        return registry.sizeRacy();
    }

    // ------------------------------------------------------------------ the collector's side

    /**
     * Stops the world: asks every registered goroutine to stop at its next safepoint, holds the
     * parked ones, and waits until all are stopped or held (or ended), or until {@code
     * deadlineNanos} ({@link System#nanoTime()} time) passes. Returns true with the world
     * stopped: no registered goroutine runs goheap code until {@link #startTheWorld()}, and the
     * caller may read and write what they own (package-info "Happens-before"). Returns false if
     * the deadline passed first: the goroutines that had stopped or were held are released, and
     * the world runs. The goroutines are looked at once before the deadline is checked, so with
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
        acquire("stopTheWorld");
        long start = System.nanoTime(); // replaced by the request's time once it is made
        Mutator[] all = NONE;
        boolean stopped = false;
        try {
            Mutator self = current.get();
            lock.lock();
            try {
                all = requestStopLocked(self);
                start = lastRequestNanos;
            } finally {
                lock.unlock();
            }
            stopped = WorldStop.awaitStopped(this, all, start, deadlineNanos, null) == WorldStop.STOPPED;
        } finally {
            if (!stopped) {
                long pause = System.nanoTime() - start;
                lock.lock();
                try {
                    figures.stopTimedOutLocked(pause);
                } finally {
                    lock.unlock();
                }
                WorldStop.release(this, all); // step S5: the world runs again
            }
        }
        if (!stopped) {
            return false;
        }
        long timeToSafepoint = System.nanoTime() - start;
        lock.lock();
        try {
            figures.stoppedLocked(timeToSafepoint);
        } finally {
            lock.unlock();
        }
        stopSet = all;
        stopStart = start;
        worldStopped = true;
        return true;
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
     * The operator of a stop with posted work claimed it (P3): the world is stopped by it from
     * here, as after {@link #stopTheWorld}; {@link #startTheWorld} counts the stop's time to
     * safepoint, after the work.
     */
    void enterStoppedWorld(Mutator[] all, long startNanos, long timeToSafepointNanos) {
        timeToSafepointOfStop = timeToSafepointNanos;
        stopSet = all;
        stopStart = startNanos;
        worldStopped = true;
    }

    /**
     * Releases the world stopped by this thread: the stopped goroutines run on, the held ones
     * are parked again (and may unpark), registrations waiting for the stop proceed.
     *
     * @throws IllegalStateException if this thread has not stopped the world
     */
    public void startTheWorld() {
        if (operator != Thread.currentThread() || !worldStopped) {
            throw Errors.notStopper(operator, worldStopped);
        }
        Mutator[] all = stopSet;
        stopSet = null;
        worldStopped = false;
        lock.lock(); // once: the figures with the release (S6), one fewer wait for a contended lock
        try {
            // A stopTheWorldAndRun the operator claimed: forget its work under the lock, since a
            // goroutine that stopped just before the operator's claim may still be in its own
            // claim attempt (StopHandoff#claimIfLastLocked, under this lock) reading it. Cleared
            // without the lock, that read found no goroutines and threw (found by StopBenchmark).
            handoff.clearLocked();
            WorldStop.releaseLocked(this, all);
            if (timeToSafepointOfStop >= 0) { // stopTheWorldAndRun's, counted here, after its work
                figures.stoppedLocked(timeToSafepointOfStop);
                timeToSafepointOfStop = -1;
            }
            figures.startedLocked(lastReleaseNanos - stopStart);
        } finally {
            lock.unlock();
        }
        releaseOperator();
    }

    /**
     * Returns the {@link System#nanoTime()} of the last release of a stop (by {@link
     * #startTheWorld} or by a {@link #stopTheWorld} that missed its deadline): the moment from
     * which every goroutine of that stop may run again. A pause is measured from the stop
     * request to this moment; the wake-up of the goroutines that blocked is the OS's and the
     * virtual-thread scheduler's and is not counted (as in Go's {@code startTheWorld}).
     * Meaningful to the operator thread after its release.
     */
    public long lastReleaseNanos() {
        return lastReleaseNanos;
    }

    /**
     * Returns the {@link System#nanoTime()} of the last stop's request: the moment the stop was
     * published to the goroutines (under the lock, as it set the flag their polls read). A pause
     * counts from here to {@link #lastReleaseNanos()}: before it no goroutine is asked to stop,
     * however long the operator took to get there. Meaningful to the operator thread once its
     * stop call has returned, or to the work of a stop while it runs.
     */
    public long lastRequestNanos() {
        return lastRequestNanos;
    }

    /** Returns whether the world is stopped now (by a successful {@link #stopTheWorld}). */
    public boolean isWorldStopped() {
        return worldStopped;
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
     * at once (the goroutines are stopped or held), and the deadline does not matter.
     *
     * @throws IllegalStateException if another thread is stopping the world or handshaking
     * @throws RuntimeException or {@link Error}: the first that an action threw, once the
     *     handshake is over (the others are suppressed into it; checked ones come wrapped in an
     *     {@link IllegalStateException})
     */
    public HandshakeResult handshakeReport(MutatorAction action, long deadlineNanos) {
        return runHandshake(null, Objects.requireNonNull(action, "action"), deadlineNanos);
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
        Objects.requireNonNull(goroutines, "goroutines");
        for (Goroutine g : goroutines) {
            checkMine(g.mutator());
        }
        return runHandshake(goroutines, Objects.requireNonNull(action, "action"), deadlineNanos);
    }

    /**
     * Returns who the last stop of the world (successful or not) waited for last, or null before
     * the first stop: to explain its time to safepoint (the collector puts it in its JFR pause
     * events).
     */
    public StopReport lastStopReport() {
        return lastStop;
    }

    /** Returns the report of the stop with the longest time to safepoint so far, or null. */
    public StopReport worstStopReport() {
        return worstStop;
    }

    /** The operator, at the end of a stop's wait. */
    void recordStop(StopReport r) {
        lastStop = r;
        StopReport w = worstStop;
        if (w == null || r.timeToSafepointNanos() > w.timeToSafepointNanos()) {
            worstStop = r;
        }
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
        return "safepoints[" + mutatorCount() + " mutators" + (worldStopped ? ", world stopped" : "")
                + (operator != null ? ", operator " + operator.getName() : "") + "]";
    }

    // ------------------------------------------------------------------ the operator's side

    Thread operator() {
        return operator;
    }

    void acquire(String operation) {
        if (!OPERATOR.compareAndSet(this, (Thread) null, Thread.currentThread())) {
            throw Errors.busy(operation, operator);
        }
    }

    /** Ends the current operation: called by the operator, after it released every goroutine. */
    void releaseOperator() {
        assert operator == Thread.currentThread();
        operator = null;
    }

    Mutator currentMutator() {
        return current.get();
    }

    /** A RUNNING goroutine whose thread died without deregistering: deregister it now. */
    boolean abandonIfDead(Mutator m) {
        if (m.thread.isAlive() || !m.casState(Mutator.RUNNING, Mutator.DEAD)) {
            return false;
        }
        lock.lock();
        try {
            registry.removeLocked(m);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Lets a goroutine the handshake held go: parked again, its unpark may proceed. */
    void releaseHeld(Mutator m) {
        lock.lock();
        try {
            m.setStateVolatile(Mutator.PARKED);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Step S1 under the lock: sets STOP and returns the copy of the registry, leaving out the
     * operator's own goroutine {@code self} (null if none); in one critical section, so that a
     * registration is either in the copy or sees STOP (race 2 in package-info).
     */
    Mutator[] requestStopLocked(Mutator self) {
        lastRequestNanos = System.nanoTime();
        setPendingLocked(STOP, true);
        return registry.snapshotLocked(self);
    }

    /** Sets or clears {@code bit} of the pending flag (the operator, under the lock). */
    void setPendingLocked(int bit, boolean on) {
        assert lock.isHeldByCurrentThread();
        pending = on ? pending | bit : pending & ~bit;
    }

    int pendingVolatile() {
        return pending;
    }

    void signalOperator() {
        lock.lock();
        try {
            wakeOperatorLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: wakes the operator, whether it waits on {@link #arrived} or, in a stop
     * with posted work, parked without the lock ({@code WorldStop.awaitStopped}); a spurious
     * unpark only makes a waiting operator look again.
     */
    void wakeOperatorLocked() {
        arrived.signalAll();
        Thread op = operator;
        if (op != null) {
            LockSupport.unpark(op);
        }
    }

    private HandshakeResult runHandshake(Collection<? extends Goroutine> only, MutatorAction action,
            long deadlineNanos) {
        if (operator == Thread.currentThread() && worldStopped) {
            return HandshakeRun.whileStopped(this, only, action);
        }
        acquire("handshake");
        HandshakeRun run = null;
        try {
            run = HandshakeRun.start(this, only, action);
            run.runOwn();
            run.await(deadlineNanos);
        } finally {
            try {
                if (run != null) {
                    run.finish();
                }
            } finally {
                releaseOperator();
            }
        }
        return run.result(); // rethrows what an action threw
    }

    private void checkOwn(String operation, Mutator m) {
        checkMine(m);
        if (Thread.currentThread() != m.thread) {
            throw Errors.notOwnThread(operation, m);
        }
    }

    private void checkMine(Mutator m) {
        Objects.requireNonNull(m, "mutator");
        if (m.safepoints != this) {
            throw Errors.foreignMutator(m);
        }
    }
}
