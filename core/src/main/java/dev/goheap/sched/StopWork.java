package dev.goheap.sched;

/**
 * The work of a stop of the world handed to {@link Safepoints#stopTheWorldAndRun}: it runs once,
 * with the world stopped, on whichever thread completes the stop (the operator, or the last
 * goroutine to reach its safepoint), and the world is released as soon as it returns.
 *
 * <p>The work must not use goheap as a goroutine would (allocate, push or pop, park), nor stop
 * the world or handshake: it may run on a goroutine that is stopped, whose safepoints return at
 * once while it runs, and which is not the operator ({@link Safepoints#isWorldStopped()} is then
 * false on it). It may take the heap's locks (no goroutine holds one at a safepoint).
 */
@FunctionalInterface
public interface StopWork {
    /** Runs the work; returns false if it did not finish (ran out of time, say). */
    boolean run();
}
