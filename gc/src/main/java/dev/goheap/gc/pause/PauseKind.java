package dev.goheap.gc.pause;

/**
 * Why the world was stopped. Each {@link PauseLog} entry carries one; gctrace and {@code MemStats}
 * print it, and the bound (package-info) counts every kind alike.
 *
 * <p><b>Thread safety:</b> an enum: immutable.
 */
public enum PauseKind {
    /** The stop that starts a cycle: enable the write barrier, switch to allocate-black, queue roots. */
    MARK_START,
    /** The stop that ends marking: drain what is left and check that no grey object remains. */
    MARK_TERMINATION,
    /**
     * A stop given up at its deadline (time-to-safepoint or the work took longer than the budget):
     * the collector released the world and went back to concurrent marking. It counts in full.
     */
    ABORTED_STOP,
    /** A stop for a heap or collector check ({@code verify}, tests, debugging). */
    CHECK,
    /**
     * Not a stop: a mutator assist, for a second log that records assist intervals (package-info,
     * "MMU, two ways"). The pause scheduler never reads that log.
     */
    ASSIST
}
