package dev.goheap.sched;

/**
 * The safepoint state of a goroutine ({@link Mutator#state()}); the diagram and the transitions
 * are in package-info "States".
 */
public enum MutatorState {
    /** Made with its goroutine, not registered yet: no stop or handshake waits for it. */
    NEW,
    /** Runs goheap code; it reaches a safepoint at every allocation, push, pop and poll. */
    RUNNING,
    /** Outside goheap (blocked, or running code that does not touch goheap); not waited for. */
    PARKED,
    /** Parked and held by the running handshake: it cannot unpark until released. */
    HELD,
    /** Stopped at a safepoint for a stop of the world, until it is released. */
    STOPPED,
    /** Deregistered (ended or detached): never waited for or visited again. */
    DEREGISTERED
}
