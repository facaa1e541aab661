package dev.goheap.sched;

/** What {@link Safepoints#stopTheWorldAndRun} did. */
public enum StopOutcome {
    /** The deadline passed before every goroutine was at a safepoint: the work did not run. */
    MISSED_DEADLINE,
    /** The world stopped and the work ran and returned true. */
    FINISHED,
    /** The world stopped and the work ran and returned false. */
    UNFINISHED
}
