package dev.goheap.heap;

import org.openjdk.jmh.annotations.Threads;

/**
 * {@link HeapAllocFreeBenchmark} on two threads at once, each with its own alloc+free pairs: the
 * score is the time per pair on one thread, so a perfectly scalable allocator scores as on one
 * thread (goheap's target: at most 1.1 times). Shared state (goheap's heap, glibc's and jemalloc's
 * arenas, Netty's pool) is what is under test. Do not pass {@code -t}: it overrides this count.
 */
@Threads(2)
public class HeapAllocFreeTwoThreadsBenchmark extends HeapAllocFreeBenchmark {
}
