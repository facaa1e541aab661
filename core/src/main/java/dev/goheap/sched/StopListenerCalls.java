package dev.goheap.sched;

import java.util.Optional;

/**
 * Calls a runtime's {@link StopListener} for its stops, so that a listener that throws never
 * breaks a stop: the stop goes on as if it had returned, and the first exception is kept.
 *
 * <p><b>Thread safety:</b> {@link #beforeStop} is called by the operator holding no lock, {@link
 * #afterReleaseLocked} under the safepoints' lock; the operation (OperatorSlot) orders them.
 * The failure is guarded by the safepoints' lock.
 */
final class StopListenerCalls {
    private final SpinThenParkLock lock;
    private final StopListener listener;
    private Throwable failure;

    StopListenerCalls(SpinThenParkLock lock, StopListener listener) {
        this.lock = lock;
        this.listener = listener;
    }

    /** S1, before the request and outside the lock: the world still runs, so not the pause's time. */
    void beforeStop() {
        try {
            listener.beforeStop();
        } catch (Throwable t) { // the stop goes on: see StopListener
            lock.lock();
            try {
                failedLocked(t);
            } finally {
                lock.unlock();
            }
        }
    }

    /** S6, under the lock, after the release point. */
    void afterReleaseLocked() {
        try {
            listener.afterRelease();
        } catch (Throwable t) {
            failedLocked(t);
        }
    }

    Optional<Throwable> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    private void failedLocked(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }
}
