package dev.goheap.sched;

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
 */
final class SpinThenParkLock extends ReentrantLock {
    /** Tries before parking: each a CAS and a spin-wait hint, some microseconds in all. */
    static final int SPINS = 100;

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
