package dev.goheap.internal.gc;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the heap asks of its collector. Every method may run on any mutator thread.
 */
public interface GcHooks {
    /**
     * In-use bytes reached the trigger set with {@link HeapForGc#setTriggerBytes}. Runs under
     * the page heap's lock: must not block, allocate goheap memory or take goheap locks (note it,
     * and wake the collector in {@link #wakeCollectorIfNoted}).
     */
    void heapGrew(long inUseBytes);

    /**
     * The heap is growing, or its free pages fell below a chunk's worth, and it has no spare
     * chunk: call {@link HeapForGc#prepareSpareChunk} soon, on a thread of the collector's own
     * (not a goroutine's: the point is to keep the mapping off their path). Told once until that
     * call answers. Runs under the page heap's lock: must not block, allocate goheap memory or
     * take goheap locks (note it, and wake the collector in {@link #wakeCollectorIfNoted}).
     */
    void spareChunkWanted();

    /**
     * Wakes the collector thread if {@link #heapGrew} or {@link #spareChunkWanted} noted work for
     * it. The heap calls it on the allocating thread after each growth path (a cache refill, a
     * large allocation), with no heap lock held. Why not wake it at once: an unpark under the
     * page heap's lock let the woken collector take the CPU from the lock holder, and a stop
     * then waited for the preempted goroutine (0.3 ms, sampled inside the unpark).
     */
    default void wakeCollectorIfNoted() {}

    /**
     * Runs {@code mapping} (the mapping and zero-fill of a chunk: milliseconds, no goheap access)
     * on the calling goroutine with it parked if it may park, so that a stop of the world does not
     * wait for it (Go's {@code entersyscall} around a blocking call); returns what it returned.
     * The heap calls it when an allocation is about to grow the heap and no spare chunk is ready,
     * at the allocation's safepoint, with no heap lock held. The default runs it as it is: right
     * for hooks with no goroutines to stop.
     */
    default <T> T whileParked(Supplier<T> mapping) {
        return mapping.get();
    }

    /**
     * Takes {@code lock}, a heap lock another thread holds, for an allocation at its safepoint
     * with no other heap lock held: a goroutine that may park waits for it parked, so that a
     * stop does not wait for goroutines that wait for a lock (10 000 goroutines starting at once
     * queued hundreds deep on the central lists' locks, and every stop then waited for the whole
     * queue: aborted stops of 5-30 ms). Returns with the lock held and the goroutine running;
     * never holds the lock while a stop or handshake waits for it (it lets the lock go, waits,
     * and takes it again). Returns whether the caller may have passed a safepoint meanwhile (a
     * mark start or termination may have come): what it read before the call may be stale. The
     * default takes the lock as it is: right for hooks with no goroutines to stop.
     */
    default boolean lockParked(ReentrantLock lock) {
        lock.lock();
        return false;
    }

    /**
     * An allocation of {@code requestedBytes} hit the heap limit. Runs with no heap lock held;
     * may run a whole cycle (parking the calling goroutine meanwhile) before the heap retries
     * the allocation once.
     */
    void heapLimitReached(long requestedBytes);

    /**
     * The calling thread is about to get its first thread cache: with a collector running, only
     * goroutines (which reach safepoints) may allocate. Throws {@link IllegalStateException} to refuse.
     */
    void checkMutator();

    /**
     * The safepoint poll at every {@code allocate} and {@code newObject} (DESIGN decision 3), before
     * the allocation and with no heap lock held. Must cost next to nothing when nothing is
     * pending. Not called by the heap's internal paths (stack blocks), which run in the middle of
     * a stack operation. Besides stopping or running a handshake action, it may park the calling
     * goroutine for a while (a collector's dry assist waits here, not in {@link #allocated}).
     */
    void poll();

    /**
     * During marking, the calling thread has just taken {@code bytes} to allocate from: the free
     * slots of a span its cache took (at refill, not per object), or a large object. The
     * collector charges them to the thread's assist debt and may have it mark for a bounded time
     * (Go's {@code gcAssistAlloc}). Runs with no heap lock held, possibly in the middle of a
     * stack operation (a stack block's allocation): it must not poll safepoints, allocate goheap
     * memory or take heap locks.
     */
    void allocated(long bytes);
}
