package dev.goheap.sched;

/** Builds the sched package's exceptions in one place, so their wording stays consistent (STYLE "Errors"). */
final class Errors {
    private Errors() {}

    static IllegalStateException busy(String operation, Thread operator) {
        if (operator == Thread.currentThread()) {
            return new IllegalStateException(operation + ": this thread runs a stop or handshake already (expected:"
                    + " startTheWorld() or the handshake's end first; one at a time, and none from an action)");
        }
        return new IllegalStateException(operation + ": a stop or handshake is in progress on " + operator
                + " (expected: one stopper or handshaker at a time)");
    }

    static IllegalStateException notStopper(Thread operator, boolean stopped) {
        return new IllegalStateException("startTheWorld: called by " + Thread.currentThread() + " (expected: the "
                + "thread that stopped the world; " + (stopped ? "it was stopped by " + operator
                : "the world is not stopped") + ")");
    }

    static IllegalStateException touchedWhileParked(Mutator m, int state) {
        return new IllegalStateException("goroutine " + m.goroutine.id() + ": used goheap while "
                + Mutator.stateName(state) + " (expected: RUNNING; call unpark() before touching the heap, a stack"
                + " or the fixed segments again)");
    }

    static IllegalStateException cannotPark(Mutator m, int state) {
        return new IllegalStateException("park: goroutine " + m.goroutine.id() + " is " + Mutator.stateName(state)
                + " (expected: RUNNING; park and unpark come in pairs)");
    }

    static IllegalStateException parkInAction(Mutator m) {
        return new IllegalStateException("park: goroutine " + m.goroutine.id() + " runs a handshake action"
                + " (expected: actions never park; they run inside a safepoint)");
    }

    static IllegalStateException notParked(Mutator m, int state) {
        return new IllegalStateException("unpark: goroutine " + m.goroutine.id() + " is " + Mutator.stateName(state)
                + " (expected: PARKED; park and unpark come in pairs)");
    }

    static IllegalArgumentException foreignMutator(Mutator m) {
        return new IllegalArgumentException("mutator: " + m + " belongs to another runtime's safepoints"
                + " (expected: one made by this Safepoints' newMutator)");
    }

    static WrongThreadException notOwnThread(String operation, Mutator m) {
        return new WrongThreadException(operation + ": goroutine " + m.goroutine.id() + " from "
                + Thread.currentThread() + " (expected: its own thread " + m.thread + ")");
    }

    static IllegalStateException alreadyRegistered(Mutator m, Mutator current) {
        String why = current != null
                ? Thread.currentThread() + " is already registered as goroutine " + current.goroutine.id()
                : "it was registered before (state " + m.state() + ")";
        return new IllegalStateException("register: goroutine " + m.goroutine.id() + ": " + why
                + " (expected: a new goroutine, registered once on its own thread)");
    }

    static IllegalStateException threadAlive(Mutator m) {
        return new IllegalStateException("deregisterDead: goroutine " + m.goroutine.id() + " runs on "
                + m.thread + ", which is alive (expected: a terminated thread; a live one deregisters itself)");
    }

    static InternalError broken(String invariant, Mutator m, int state) {
        return new InternalError("safepoints: " + invariant + " (goroutine " + m.goroutine.id() + " is "
                + Mutator.stateName(state) + ")");
    }

    /** Rethrows what an action threw: unchecked as it is, anything else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        return rethrow(t, "handshake: an action threw " + t);
    }

    /** Rethrows {@code t}: unchecked as it is, anything else wrapped with {@code wrappedMessage}. */
    static RuntimeException rethrow(Throwable t, String wrappedMessage) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(wrappedMessage, t);
    }
}
