package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes a {@link ReentrantLock} held mostly for short critical sections (a central list's: tens of
 * nanoseconds; the page heap's around a large object's allocation or free: a few hundred) by
 * spinning on {@link ReentrantLock#tryLock()} before blocking.
 *
 * <p>Why: a contended {@code lock()} enqueues the caller in the lock's wait queue, and each
 * wait costs a queue node on the Java heap (measured: 0.6 B per cross-thread free on average,
 * against DESIGN decision 8's "nothing on the Java heap per operation"), plus a park and an
 * unpark. A holder that is running leaves within a few spins; one that was descheduled does not,
 * and then the caller blocks as before, so spinning never waits for more than {@value #SPINS}
 * tries.
 */
final class SpinLocks {
    /** About a microsecond of {@link Thread#onSpinWait()} on current x86 and ARM cores. */
    static final int SPINS = 64;

    private SpinLocks() {}

    /** Acquires {@code lock}, spinning first. */
    static void lock(ReentrantLock lock) {
        for (int i = 0; i < SPINS; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    /**
     * Acquires {@code lock} for a pause's work without joining its queue: spins on {@link
     * ReentrantLock#tryLock()}, which takes a free lock even ahead of queued threads, yielding now
     * and then (a holder that is a virtual thread may need this carrier). Why: threads no stop
     * waits for (goroutines that have ended, and goroutines that wait for a lock parked) may
     * queue for the lock by hundreds while the world is stopped, and {@code lock()} made the
     * pause wait behind each of them in turn (a mark start waited 4-50 ms for the thread caches'
     * lock behind 100-250 ending goroutines).
     */
    static void lockBarging(ReentrantLock lock) {
        for (int i = 1; !lock.tryLock(); i++) {
            if ((i & (SPINS - 1)) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Acquires {@code lock}, spinning first, then waiting through {@code hooks}'
     * {@link GcHooks#lockParked} (parked, for a goroutine at an allocation's safepoint that holds
     * no heap lock). Returns whether it waited parked: a mark start or termination may have come
     * meanwhile.
     */
    static boolean lockParked(ReentrantLock lock, GcHooks hooks) {
        for (int i = 0; i < SPINS; i++) {
            if (lock.tryLock()) {
                return false;
            }
            Thread.onSpinWait();
        }
        return hooks.lockParked(lock);
    }
}
