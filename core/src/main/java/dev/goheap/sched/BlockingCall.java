package dev.goheap.sched;

/**
 * A call that may block outside goheap, run by {@link Safepoints#parked} with the current
 * goroutine parked: {@code safepoints.parked(queue::take)}, {@code safepoints.parked(reader::readLine)}.
 *
 * @param <T> what it returns
 * @param <X> what it may throw (inferred: {@code InterruptedException}, {@code IOException}, ...)
 */
@FunctionalInterface
public interface BlockingCall<T, X extends Throwable> {
    /** Runs the call; it must not use goheap (no heap, stack or fixed-segment access). */
    T call() throws X;
}
