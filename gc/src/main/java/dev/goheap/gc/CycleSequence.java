package dev.goheap.gc;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The collector's cycle counts and the waits on them: cycles forced by {@code gc()} callers,
 * started (past their mark-start pause), completed, and whether the collector is stopping.
 * The collector thread advances the counts; callers of {@code gc()} and {@code close()} wait on
 * them (Go's {@code work.cycles} and {@code gcWaitOnMark}).
 *
 * <p><b>Thread safety:</b> every method takes {@link #lock}; no other lock is taken under it.
 */
final class CycleSequence {
    /** What the collector thread does next. */
    enum Next {
        /** The collector is stopping: end the thread. */
        STOP,
        /** A {@code gc()} caller waits for a whole cycle. */
        FORCED,
        /** Nothing asked for: sweep, then start a cycle when the heap reaches the trigger. */
        PACED
    }

    /** The cycles completed and how many of them were forced, read together. */
    record Counts(long completed, long forced) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition cycleDone = lock.newCondition();
    private long requested; // forced cycles asked for, as the number the last one will have
    private long started;   // cycles past their mark-start pause
    private long completed;
    private long forced;
    private boolean stopping;

    /** Collector thread: what to do next. */
    Next next() {
        lock.lock();
        try {
            return stopping ? Next.STOP : requested > completed ? Next.FORCED : Next.PACED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Collector thread, in the mark-start pause: the cycle has started. Being in the pause, a
     * {@link #awaitNextCycle} call is either before this cycle's snapshot or counts it out.
     */
    void cycleStarted() {
        lock.lock();
        try {
            started++;
        } finally {
            lock.unlock();
        }
    }

    /** Collector thread: a cycle completed; wakes the callers waiting for it. */
    void cycleCompleted(boolean wasForced) {
        lock.lock();
        try {
            completed++;
            if (wasForced) {
                forced++;
            }
            cycleDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a whole cycle that starts after now and waits until it completes: a cycle that
     * started marking before this call does not count (Go's {@code runtime.GC} likewise waits for
     * the next one to start). {@code wakeCollector} runs under the lock once the request is
     * recorded. An interrupt is kept for the caller and does not end the wait.
     *
     * @throws IllegalStateException if the collector is stopped or stops before the cycle ran;
     *     {@code failure} says whether it failed, and why
     */
    void awaitNextCycle(Runnable wakeCollector, Supplier<Throwable> failure) {
        lock.lock();
        try {
            if (stopping) {
                throw new IllegalStateException("gc: the collector is closed");
            }
            long target = started + 1;
            requested = Math.max(requested, target);
            wakeCollector.run();
            boolean interrupted = false;
            while (completed < target && !stopping) {
                try {
                    cycleDone.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (completed < target) {
                Throwable why = failure.get();
                throw new IllegalStateException("gc: the collector stopped before the cycle ran"
                        + (why != null ? " (it failed: " + why + ")" : ""), why);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The collector is stopping (closed, or its thread ended): wakes every waiter, who then
     * fails. Returns whether it was stopping already.
     */
    boolean stop() {
        lock.lock();
        try {
            boolean was = stopping;
            stopping = true;
            cycleDone.signalAll();
            return was;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Collector thread, before it completes cycle number {@code cycle}: whether a {@code gc()}
     * caller waits for that cycle. It may be a paced one: a call that came just before the
     * cycle's mark start counts it, and the caller is promised a swept heap all the same.
     */
    boolean isAwaited(long cycle) {
        lock.lock();
        try {
            return requested >= cycle;
        } finally {
            lock.unlock();
        }
    }

    long completed() {
        lock.lock();
        try {
            return completed;
        } finally {
            lock.unlock();
        }
    }

    Counts counts() {
        lock.lock();
        try {
            return new Counts(completed, forced);
        } finally {
            lock.unlock();
        }
    }
}
