package dev.goheap.sched;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The goroutines that wait, parked and holding no lock, to unpark (step U2 in package-info):
 * while a stop is pending or a handshake holds them. A stack of their threads (Treiber), which
 * every release takes whole and unparks ({@link #wakeAll}).
 *
 * <p>Why not {@code Safepoints.released}, a condition of the safepoints' lock: a condition's
 * waiter takes the lock again to leave, so at each release the goroutines that had started or
 * unparked during the stop (a thousand and more in the many-goroutines runner) queued for the
 * lock, each hand-over waited for a carrier, and the next stop's request, arrivals and release
 * waited behind the queue (a release held up 7-40 ms).
 *
 * <p>The handshake between a waiter and a release (Dekker, on volatile accesses, sequentially
 * consistent): the waiter pushes itself and only then looks at the state it waits on; the
 * release changes that state and only then takes the stack. Either the release takes the
 * waiter's entry and unparks it, or the waiter's look sees the release. An entry whose
 * waiter did not park stays until the next release, whose unpark is then spurious: every park
 * here and in {@code java.util.concurrent} looks again after waking.
 *
 * <p><b>Thread safety:</b> lock-free; any thread may push or wake.
 */
final class ReleaseWaiters {
    private static final class Waiter {
        final Thread thread;
        Waiter next;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    private final AtomicReference<Waiter> top = new AtomicReference<>();

    /** Adds the calling thread, to be unparked by the next {@link #wakeAll}. */
    void push() {
        Waiter w = new Waiter(Thread.currentThread());
        Waiter t;
        do {
            t = top.get();
            w.next = t;
        } while (!top.compareAndSet(t, w));
    }

    /** Unparks every thread pushed so far, and forgets them. Call after the release's state change. */
    void wakeAll() {
        for (Waiter w = top.getAndSet(null); w != null; w = w.next) {
            LockSupport.unpark(w.thread);
        }
    }

    /** Whether no thread waits (for tests). */
    boolean isEmpty() {
        return top.get() == null;
    }
}
