package dev.goheap.internal.gc;

import dev.goheap.heap.Heap;
import java.util.Objects;
import java.util.function.Function;

/**
 * Hands the collector the {@link HeapForGc} of a heap (the JDK's {@code SharedSecrets} pattern:
 * the heap package registers the bridge when {@link Heap} is initialised, and this package is
 * exported to {@code dev.goheap.gc} only).
 */
public final class GcAccess {
    private static volatile Function<Heap, HeapForGc> bridge;

    private GcAccess() {}

    /** Called once by {@code dev.goheap.heap} when {@link Heap} is initialised. */
    public static void register(Function<Heap, HeapForGc> heapBridge) {
        if (bridge != null) {
            throw new IllegalStateException("GcAccess: the heap bridge is registered already");
        }
        bridge = Objects.requireNonNull(heapBridge, "heapBridge");
    }

    /** Returns the collector's view of {@code heap}. */
    public static HeapForGc of(Heap heap) {
        Objects.requireNonNull(heap, "heap"); // an instance exists, so Heap's initialiser has registered
        return bridge.apply(heap);
    }
}
