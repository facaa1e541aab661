/**
 * goheap's collector (to come: concurrent mark-sweep with bounded pauses) and the command-line
 * demo, {@code dev.goheap.demo.Demo}.
 *
 * <p>{@link dev.goheap.gc.pause} holds the pause log, the pause scheduler that keeps every window
 * at its stop-the-world budget, and minimum mutator utilisation (MMU).
 */
module dev.goheap.gc {
    requires transitive dev.goheap.core;
    // Automatic module (no Automatic-Module-Name in its manifest: the name comes from the jar's).
    // Not transitive: no HdrHistogram type appears in goheap's API.
    requires HdrHistogram;

    exports dev.goheap.gc.pause;
}
