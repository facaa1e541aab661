package dev.goheap.heap;

import static dev.goheap.heap.ObjectChecks.objectSpan;
import static dev.goheap.heap.ObjectChecks.spanOfFresh;
import static dev.goheap.heap.SizeClasses.MAX_SMALL_BYTES;

import dev.goheap.internal.Pointers;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Goroutine stack blocks in the heap ({@link Heap#allocateStack}, {@link Heap#freeStack}):
 * ordinary noscan objects that their span marks as stacks ({@link SpanStacks}), so that the
 * pointer checks refuse pointers into them (package-info, "Goroutine stacks"). Static methods
 * that take the heap, as {@link ObjectChecks}.
 */
final class StackBlocks {
    private StackBlocks() {}

    /**
     * {@link Heap#allocateStack}: a block marked as a stack, {@code goroutineId} in its first
     * word; {@code mayPark}: a small block's refill may wait parked (see Allocation#allocateNoPoll).
     */
    static long allocate(Heap heap, long byteSize, long goroutineId, boolean mayPark) {
        if (byteSize < 16) {
            throw HeapErrors.badSize(byteSize, heap.pageHeap.limitBytes());
        }
        long p = byteSize > MAX_SMALL_BYTES
                ? Allocation.allocateLarge(heap, byteSize, null, false)
                : Allocation.allocateNoPoll(heap, byteSize, mayPark);
        Span s = spanOfFresh(heap, p);
        SpanStacks.markStack(s, p, true);
        s.segment.set(ValueLayout.JAVA_LONG, Pointers.offset(p), goroutineId);
        return p;
    }

    /** {@link Heap#freeStack}: unmarks the stack and frees it, under the lock its sweepers hold. */
    static void free(Heap heap, long stack) {
        heap.checkOpen();
        Span s = objectSpan(heap, stack, "freeStack");
        if (!s.noscan || SpanStacks.stackContaining(s, stack) != stack) {
            throw HeapErrors.notAnObject("freeStack", stack, "it is not a stack");
        }
        // Unmarking and freeing must be one step for the sweepers: the collector never marks a
        // stack, only its stack mark keeps it. Without the lock: 1) we clear the stack mark, 2) a
        // concurrent sweep (background, lazy, or the termination's sweep of cached spans, which
        // does not wait for a goroutine that has deregistered) finds the block allocated,
        // unmarked and no stack, and frees it, 3) our free fails ("in free pages") or frees a
        // block reused meanwhile. Found by the adversarial deep-stack run. Every sweep of this
        // span holds this lock; free takes it again (reentrant) and does not poll.
        int spanClass = s.spanClass;
        ReentrantLock sweepLock = s.state == Span.LARGE ? heap.large.sweepLockOf(s) : heap.centrals[spanClass].lock;
        sweepLock.lock();
        try {
            SpanStacks.markStack(s, stack, false);
            heap.free(stack);
        } finally {
            sweepLock.unlock();
        }
    }
}
