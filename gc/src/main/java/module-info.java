/**
 * goheap's collector (to come: concurrent mark-sweep with bounded pauses) and the command-line
 * demo, {@code dev.goheap.demo.Demo}.
 */
module dev.goheap.gc {
    requires transitive dev.goheap.core;
}
