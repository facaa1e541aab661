package dev.goheap.heap;

import static dev.goheap.heap.SizeClasses.MAX_SMALL_BYTES;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.type.ObjectType;
import dev.goheap.type.PointerMap;

/**
 * The allocation paths behind {@link Heap#allocate}, {@link Heap#newObject} and the stack
 * blocks (Go's {@code mallocgc} and {@code mcache.refill}): a size-class slot from the calling
 * thread's cache, a new span for the cache when its span is full (package-info, "Allocation",
 * steps 2 and 3), and large objects through {@link LargeObjects}.
 *
 * <p>Why static methods that take the heap, as {@link ObjectChecks}: the fast path is
 * {@link #allocateSmall}, which the JIT inlines into {@code Heap.allocate} and
 * {@code Heap.newObject} as it did when it was a method of the heap; it reads the heap's
 * fields, so an object of its own would put one more load in front of every allocation.
 */
final class Allocation {
    private Allocation() {}

    /**
     * {@link Heap#allocate} without the safepoint poll. {@code atSafepoint}: the caller has just
     * polled (allocate, newObject), so a refill may park the goroutine while it maps a chunk;
     * false for blocks taken in the middle of a stack operation, which must not park.
     */
    static long allocateNoPoll(Heap heap, long byteSize, boolean atSafepoint) {
        if (byteSize - 1 >= MAX_SMALL_BYTES || byteSize <= 0) {
            return allocateLarge(heap, byteSize, null, true);
        }
        return allocateSmall(heap, SizeClasses.classOf((int) byteSize) << 1 | 1, null, atSafepoint);
    }

    /** {@link Heap#newObject} without the safepoint poll. */
    static long newObjectNoPoll(Heap heap, ObjectType type) {
        long byteSize = type.byteSize();
        if (!type.hasPointers()) {
            return allocateNoPoll(heap, byteSize, true);
        }
        if (byteSize > MAX_SMALL_BYTES) {
            return allocateLarge(heap, byteSize, type, true);
        }
        return allocateSmall(heap, SizeClasses.classOf((int) byteSize) << 1, type.pointerMap(), true);
    }

    /**
     * The allocation fast path. No {@code closed} check: {@link Heap#close} empties every cache,
     * so after it the first allocation of each class goes to {@link #refill}, which checks.
     *
     * @param map the object's pointer map, or null for a noscan class
     * @param atSafepoint whether the caller has just polled (see {@link #allocateNoPoll})
     */
    private static long allocateSmall(Heap heap, int spanClass, PointerMap map, boolean atSafepoint) {
        ThreadCache cache = heap.caches.get(atSafepoint); // a first cache may register parked: before the phase's read
        CycleState cycle = heap.cycle;
        int phase = cycle.phase; // the one volatile read of the fast path (allocateBlack's, before)
        if (cache.phase() != phase) { // the first allocation since mark start or termination
            phase = heap.caches.catchUps.catchUp(cache, atSafepoint);
        }
        Span s = cache.spans[spanClass];
        int slot = s.takeFreeSlot();
        if (slot < 0) {
            s = refill(heap, cache, spanClass, atSafepoint);
            // The refill may have parked (a safepoint: growth, the heap limit's collection), and a
            // mark start or termination may have come meanwhile: catch up before taking a slot.
            phase = cycle.phase;
            if (cache.phase() != phase) {
                phase = heap.caches.catchUps.catchUp(cache, atSafepoint);
            }
            slot = s.takeFreeSlot();
        }
        if (CycleState.isMarking(phase)) {
            // Allocate-black without an atomic per object: the slot was marked when the span
            // was (SpanMarks#markFreeSlots, at refill or at the cache's catch-up with this mark
            // phase) or when its owner freed it.
            assert SpanMarks.isMarked(s, slot) : "allocate-black: a slot allocated while marking is marked";
            cache.blackBytes += s.elemSize; // a plain counter of this thread's
        }
        if (map != null) {
            SpanPointerMaps.setPointerMap(s, slot, map);
        }
        long p = s.base + (long) slot * s.elemSize;
        Zeroing.zero(s.segment, Pointers.offset(p), s.elemSize);
        return p;
    }

    /**
     * The cache's span for the class is full: get another; at the heap limit, let the collector
     * run once. While marking, the span's free slots are marked here, so that every object
     * allocated from it is black (allocate-black, SpanMarks#markFreeSlots), and its free bytes are
     * charged to this thread's assist debt, once per span: the fast path carries no per-object
     * atomic and no per-object debt (GcHooks#allocated).
     */
    private static Span refill(Heap heap, ThreadCache cache, int spanClass, boolean atSafepoint) {
        heap.checkOpen();
        CycleState cycle = heap.cycle;
        if (atSafepoint) {
            heap.pageHeap.prepareSpareIfGrowing(cache.newSpanPages(spanClass, cycle.triggerBytes), cycle.hooks);
            if (cache.phase() != cycle.phase) {
                heap.caches.catchUps.catchUp(cache, true); // it mapped a chunk parked, and the phase moved meanwhile
            }
        }
        Span s;
        try {
            GcHooks parkWith = atSafepoint ? cycle.hooks : null;
            while ((s = cache.refill(spanClass, heap.centrals[spanClass], parkWith)) == null) {
                heap.caches.catchUps.catchUp(cache, true); // it waited for the lock parked, and the phase moved
            }
        } catch (OutOfHeapMemoryException e) {
            s = refillAtLimit(heap, cache, spanClass, e);
        } finally {
            cycle.hooks.wakeCollectorIfNoted(); // the locks of the refill are released
        }
        if (cycle.allocateBlack) {
            SpanMarks.markFreeSlots(s);
            assert holdsNoHeapLock(heap, spanClass) : "an assist must not run under a heap lock";
            cycle.hooks.allocated((long) (s.objectCount - s.allocCount) * s.elemSize);
        }
        return s;
    }

    /** At the heap limit: first the pages the large stripes cache, then one collection. */
    private static Span refillAtLimit(Heap heap, ThreadCache cache, int spanClass, OutOfHeapMemoryException e) {
        CentralList central = heap.centrals[spanClass];
        if (heap.large.flushAll() > 0) {
            try {
                return cache.refill(spanClass, central, null);
            } catch (OutOfHeapMemoryException again) {
                e = again;
            }
        }
        GcHooks hooks = heap.cycle.hooks;
        if (hooks == CycleState.NO_HOOKS) {
            throw e;
        }
        hooks.heapLimitReached(SizeClasses.byteSize(spanClass >>> 1));
        return cache.refill(spanClass, central, null);
    }

    private static boolean holdsNoHeapLock(Heap heap, int spanClass) {
        return !heap.pageHeap.lock.isHeldByCurrentThread() && !heap.centrals[spanClass].lock.isHeldByCurrentThread();
    }

    /** Objects above 32 KiB: see {@link LargeObjects}; {@code zero}: false for stack blocks. */
    static long allocateLarge(Heap heap, long byteSize, ObjectType type, boolean zero) {
        heap.checkOpen();
        try {
            return heap.large.allocate(byteSize, type, zero);
        } finally {
            heap.cycle.hooks.wakeCollectorIfNoted(); // the locks of the growth are released
        }
    }
}
