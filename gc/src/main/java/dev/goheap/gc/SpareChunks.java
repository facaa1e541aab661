package dev.goheap.gc;

import dev.goheap.internal.gc.HeapForGc;

/**
 * The collector's half of the heap's spare chunk ({@code dev.goheap.heap.SpareChunk}): a chunk
 * mapped and touched ahead of the heap's next growth, on the collector's thread, so that a
 * goroutine that grows the heap takes it in microseconds instead of zero-filling 4 MiB under
 * the page heap's lock with no safepoint poll (1.5 to 2.3 ms, which a stop of the world waited
 * for). The heap asks under its lock ({@link #noteWanted}; {@link MutatorHooks} wakes the
 * collector once the lock is released); the collector thread maps the chunk at its
 * next chore point ({@link #serve}): the top of its loop (it is woken if parked), every batch
 * of concurrent marking, every batch of a sweep it finishes. Never inside a pause: the mapping
 * would lengthen it by as much as it saves the goroutine.
 *
 * <p><b>Thread safety:</b> {@link #noteWanted} on any thread (the heap calls it under its lock, one
 * call at a time); {@link #serve} on the collector thread only.
 */
final class SpareChunks {
    private final HeapForGc heap;
    private volatile boolean wanted;
    private volatile long preparedCount; // written by the collector thread only

    SpareChunks(HeapForGc heap) {
        this.heap = heap;
    }

    /**
     * The heap wants a spare chunk: notes it, and returns whether this call noted it (the caller
     * then wakes the collector, outside the heap's locks). Does not block.
     */
    boolean noteWanted() {
        if (!wanted) {
            wanted = true;
            return true;
        }
        return false;
    }

    /** Collector thread, no heap lock held, world running: maps the spare chunk if the heap asked for one. */
    void serve() {
        if (wanted) {
            wanted = false; // before the call: a request after it (a growth took the new spare) is not lost
            if (heap.prepareSpareChunk()) {
                preparedCount++;
            }
        }
    }

    /** Returns how many spare chunks this collector has mapped and handed to the heap. */
    long preparedCount() {
        return preparedCount;
    }
}
