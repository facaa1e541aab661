package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A goroutine's safepoint record (Go's {@code g.atomicstatus} and {@code g.preempt}): its state
 * and the handshake action posted to it. Made with the goroutine ({@link Safepoints#newMutator}),
 * registered on its thread before its task runs and deregistered before its stack is freed.
 *
 * <p><b>Thread safety:</b> the public methods may be called from any thread; {@link #state()}
 * is a racy snapshot unless the caller holds the goroutine (then it is exact). The fields are
 * guarded as each says; the transitions are in package-info "States".
 */
public final class Mutator {
    // States (package-info "States"). Only the owner leaves RUNNING; only the operator (the
    // thread running a handshake) enters and leaves HELD; only a stop's leaves STOPPED.
    static final int NEW = 0;
    static final int RUNNING = 1;
    static final int PARKED = 2;
    static final int HELD = 3;
    static final int STOPPED = 4;
    static final int DEAD = 5;

    // Handshake operation states: REQUESTED by the operator; CLAIMED by CAS by exactly one of the
    // owner (at a safepoint) and the operator (while it holds the goroutine), or cancelled
    // (REQUESTED -> NONE) by the operator at the deadline or when the goroutine ended.
    static final int OP_NONE = 0;
    static final int OP_REQUESTED = 1;
    static final int OP_CLAIMED = 2;
    static final int OP_DONE = 3;

    private static final VarHandle STATE;
    private static final VarHandle OP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Mutator.class, "state", int.class);
            OP = l.findVarHandle(Mutator.class, "op", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Safepoints safepoints;
    final Goroutine goroutine;
    final Thread thread;
    /**
     * This goroutine's stripe of {@code Safepoints.active} ({@link ActiveCount}), fixed here from
     * its id: every add for it (park, unpark, end, the operator's removal of a dead one) goes there.
     * Held directly, so that an add is one load of this field and one atomic add.
     */
    final ActiveStripe activeStripe;

    @SuppressWarnings("unused") // through STATE
    private volatile int state = NEW;
    @SuppressWarnings("unused") // through OP
    private volatile int op = OP_NONE;
    /** Written by the operator before {@code op = REQUESTED}, read by whoever claimed the op. */
    MutatorAction action;
    /** What the action threw on the owner's thread: written before {@code op = DONE}, read after. */
    Throwable failure;
    /** Owner thread only: the owner runs a handshake action now (its safepoints do nothing). */
    boolean inAction;
    /** Guarded by safepoints.lock: the slot in the registry, -1 when not registered. */
    int index = -1;
    /** When the owner stopped (M2): written before {@code state = STOPPED}, read by the operator after. */
    long stoppedAtNanos;

    Mutator(Safepoints safepoints, Goroutine goroutine) {
        this.safepoints = safepoints;
        this.goroutine = goroutine;
        this.thread = goroutine.thread();
        this.activeStripe = safepoints.activeStripeOf(goroutine.id());
    }

    /** Returns the goroutine this record belongs to. */
    public Goroutine goroutine() {
        return goroutine;
    }

    /** Returns the goroutine's safepoint state now (a racy snapshot unless the caller holds it). */
    public MutatorState state() {
        return switch (stateVolatile()) {
            case NEW -> MutatorState.NEW;
            case RUNNING -> MutatorState.RUNNING;
            case PARKED -> MutatorState.PARKED;
            case HELD -> MutatorState.HELD;
            case STOPPED -> MutatorState.STOPPED;
            default -> MutatorState.DEREGISTERED;
        };
    }

    /**
     * Returns whether the calling thread holds this goroutine: it runs the current stop or
     * handshake, and the goroutine is stopped or parked and held by it. The holder may then read
     * and write what the goroutine owns (its stack), as the goroutine cannot run until released.
     */
    public boolean isHeldByCurrentThread() {
        if (safepoints.operator() != Thread.currentThread()) {
            return false;
        }
        int s = stateVolatile();
        return s == HELD || s == STOPPED;
    }

    @Override
    public String toString() {
        return "mutator of goroutine " + goroutine.id() + " (" + state() + ")";
    }

    // --- state and op, accessors named by their memory ordering ---

    int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    void setStateVolatile(int s) {
        STATE.setVolatile(this, s);
    }

    boolean casState(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    int opVolatile() {
        return (int) OP.getVolatile(this);
    }

    void setOpVolatile(int o) {
        OP.setVolatile(this, o);
    }

    boolean casOp(int expected, int next) {
        return OP.compareAndSet(this, expected, next);
    }

    static String stateName(int s) {
        return switch (s) {
            case NEW -> "NEW";
            case RUNNING -> "RUNNING";
            case PARKED -> "PARKED";
            case HELD -> "HELD";
            case STOPPED -> "STOPPED";
            case DEAD -> "DEREGISTERED";
            default -> "state " + s;
        };
    }
}
