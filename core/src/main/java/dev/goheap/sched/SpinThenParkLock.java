package dev.goheap.sched;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The safepoint lock: a {@link ReentrantLock} whose {@link #lock} tries a few times, spinning,
 * before it queues and parks.
 *
 * <p>Why: the lock's critical sections take microseconds, but a goroutine is a virtual thread,
 * and a virtual thread that parks on a contended lock unmounts and must wait for a carrier to be
 * scheduled again when the lock is released. Measured on two CPUs (binary-trees, two goroutines,
 * {@code goheap.sched.sampleStopsAfterMicros}): a stop's last goroutine, already at its poll,
 * still parked in the stop's lock 0.4 ms after the request. A short spin rides out the holder's
 * critical section; a holder that has lost its CPU costs the spin and then the park, as before.
 * Conditions and {@link #tryLock} are {@link ReentrantLock}'s own.
 *
 * <p>Whoever ends a pause (or starts one) takes it with {@link #lockBarging}, never queued.
 */
final class SpinThenParkLock extends ReentrantLock {
    /** Tries before parking: each a CAS and a spin-wait hint, some microseconds in all. */
    static final int SPINS = 100;
    /** {@link #lockBarging} on a platform thread: tries between two naps, some microseconds. */
    static final int BARGING_TRIES_PER_NAP = 256;
    /** {@link #lockBarging} on a platform thread: each nap's length. */
    static final long BARGING_NAP_NANOS = 10_000;
    /** {@link #lockBarging} on a virtual thread: tries between two yields, a few milliseconds. */
    static final int BARGING_TRIES_PER_YIELD = 1 << 16;

    /**
     * Takes the lock without joining its queue: tries again and again ({@link #tryLock} takes a
     * free lock even ahead of queued threads). For the release of a stop (S5, S6, the
     * claimant's and a deadline's) and its request (S1). Why: goroutines that start, end or
     * unpark queued for this lock by hundreds in the many-goroutines runner, each hand-over
     * waited for a carrier, and {@code lock()} made a release wait for the whole queue: an
     * operator awake at its deadline took the lock 128-206 ms later, and aborted stops ran
     * 15-36 ms against a 10 ms bound.
     *
     * <p>Between tries: a platform thread (the operator) naps now and then, so that a holder
     * that needs this CPU gets it, and is woken with a sleeper's priority; it does not yield,
     * since the kernel's fair scheduler moves a yielding thread behind the busy carriers (a
     * yielding operator still took the lock 20-30 ms late). A virtual thread (a claimant)
     * only spins, yielding once in a long while: a yield or a nap puts it behind every
     * runnable virtual thread, and the holder runs on the other carrier meanwhile.
     */
    void lockBarging() {
        boolean virtual = Thread.currentThread().isVirtual();
        for (int i = 1; !tryLock(); i++) {
            if (!virtual && i % BARGING_TRIES_PER_NAP == 0) {
                LockSupport.parkNanos(this, BARGING_NAP_NANOS);
            } else if (virtual && i % BARGING_TRIES_PER_YIELD == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The spin of {@link #lock} alone: whether it took the lock within {@value #SPINS} tries. */
    boolean tryLockSpinning() {
        for (int i = 0; i < SPINS; i++) {
            if (tryLock()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    @Override
    public void lock() {
        for (int i = 0; i < SPINS; i++) {
            if (tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        super.lock();
    }
}
