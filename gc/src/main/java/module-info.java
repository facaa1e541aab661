/**
 * goheap's collector, {@link dev.goheap.gc.Collector}: concurrent tri-colour mark-sweep whose
 * stop-the-world pauses stay within a budget (10 ms in any 50 ms by default), with pacing,
 * {@link dev.goheap.gc.MemStats}, gctrace lines and JFR events; and the command-line demo,
 * {@code dev.goheap.demo.BinaryTrees} (binary-trees under the collector), and the adversarial
 * runs that check the pause bound, {@code dev.goheap.demo.Adversarial}.
 *
 * <p>{@link dev.goheap.gc.pause} holds the pause log, the pause scheduler that keeps every window
 * at its stop-the-world budget, and minimum mutator utilisation (MMU).
 */
module dev.goheap.gc {
    requires transitive dev.goheap.core;
    requires java.management;
    requires jdk.jfr;
    // Automatic module (no Automatic-Module-Name in its manifest: the name comes from the jar's).
    // Not transitive: no HdrHistogram type appears in goheap's API.
    requires HdrHistogram;

    exports dev.goheap.gc;
    exports dev.goheap.gc.pause;
}
