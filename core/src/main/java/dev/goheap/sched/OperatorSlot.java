package dev.goheap.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The operator of a {@link Safepoints}: the one thread at a time that runs a stop or a
 * handshake, which takes the slot by CAS at S1/H1 and gives it back at the end (package-info
 * "Stop", "Handshake"); the pending flag it raises for its operation; and the wake-ups the
 * mutators send it while it waits for them (race 4, "Lost wakeup of the operator").
 *
 * <p><b>Thread safety:</b> {@link #acquire}, {@link #release} and {@link #setPendingLocked} by
 * the operator; the wake-ups by any thread. The slot is the Safepoints' {@code operator} field,
 * the flag its {@code pending}, both volatile.
 */
final class OperatorSlot {
    private static final VarHandle OPERATOR;

    static {
        try {
            OPERATOR = MethodHandles.lookup().findVarHandle(Safepoints.class, "operator", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OperatorSlot() {}

    /** Makes the calling thread the operator, or throws if another operation runs. */
    static void acquire(Safepoints sp, String operation) {
        if (!OPERATOR.compareAndSet(sp, (Thread) null, Thread.currentThread())) {
            throw Errors.busy(operation, sp.operator);
        }
    }

    /** Ends the current operation: called by the operator, after it released every goroutine. */
    static void release(Safepoints sp) {
        assert sp.operator == Thread.currentThread();
        sp.operator = null;
    }

    /** Sets or clears {@code bit} of the pending flag (the operator, under the lock). */
    static void setPendingLocked(Safepoints sp, int bit, boolean on) {
        assert sp.lock.isHeldByCurrentThread();
        sp.pending = on ? sp.pending | bit : sp.pending & ~bit;
    }

    /** {@link #wakeLocked}, taking the lock. */
    static void signal(Safepoints sp) {
        sp.lock.lock();
        try {
            wakeLocked(sp);
        } finally {
            sp.lock.unlock();
        }
    }

    /**
     * Under the lock: wakes the operator, whether it waits on {@code arrived} or, in a stop
     * with posted work, parked without the lock ({@code WorldStop.awaitStopped}); a spurious
     * unpark only makes a waiting operator look again.
     */
    static void wakeLocked(Safepoints sp) {
        sp.arrived.signalAll();
        Thread op = sp.operator;
        if (op != null) {
            LockSupport.unpark(op);
        }
    }
}
