package dev.goheap.heap;

/**
 * A snapshot of the heap's figures, in the spirit of Go's {@code runtime.MemStats}. Exact when no
 * thread allocates or frees while it is taken; otherwise each figure is a recent value.
 *
 * @param heapMappedBytes   bytes mapped from the OS now (Go's {@code HeapSys - HeapReleased}), the
 *                          spare chunk's included
 * @param heapInUseBytes    bytes in spans that hold objects (Go's {@code HeapInuse})
 * @param heapIdleBytes     mapped bytes in free spans, ready for reuse (Go's {@code HeapIdle}), in
 *                          the spare chunk a collector maps ahead of the heap's next growth, and in
 *                          a free chunk its scavenger is giving back right now
 * @param heapReleasedBytes bytes given back to the OS so far, cumulative
 * @param liveObjects       objects allocated and not yet freed (Go's {@code HeapObjects})
 * @param mallocs           objects allocated so far, cumulative
 * @param frees             objects freed so far, cumulative
 * @param chunkCount        chunks in the address space now (the spare chunk is none until a growth
 *                          takes it)
 * @param threadCacheCount  thread caches registered now
 * @param heapLimitBytes    the most the heap may map
 */
public record HeapStats(
        long heapMappedBytes,
        long heapInUseBytes,
        long heapIdleBytes,
        long heapReleasedBytes,
        long liveObjects,
        long mallocs,
        long frees,
        int chunkCount,
        int threadCacheCount,
        long heapLimitBytes) {}
