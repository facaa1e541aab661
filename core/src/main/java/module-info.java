/**
 * goheap's core: Go's memory model outside the Java heap, on the Foreign Function &amp; Memory API.
 *
 * <p>Start at {@link dev.goheap.GoRuntime}: it owns every byte and hands out the {@link
 * dev.goheap.heap.Heap}, the {@link dev.goheap.fixed.FixedSegments}, the object types' storage,
 * goroutines with their copying stacks ({@link dev.goheap.stack}), and their safepoints, stops of
 * the world and handshakes ({@link dev.goheap.sched}).
 * Nothing here uses restricted methods, so no {@code --enable-native-access} is needed.
 */
module dev.goheap.core {
    exports dev.goheap;
    exports dev.goheap.heap;
    exports dev.goheap.type;
    exports dev.goheap.fixed;
    exports dev.goheap.stack;
    exports dev.goheap.sched;
    exports dev.goheap.internal.gc to dev.goheap.gc;
}
