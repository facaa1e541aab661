package dev.goheap.heap;

import static dev.goheap.heap.SizeClasses.PAGE_SHIFT;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.type.ObjectType;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The large-object path: objects above 32 KiB, each on pages of its own (Go's {@code largeAlloc}
 * and {@code mheap.freeSpan}), through {@value #STRIPES} {@link LargeStripe}s selected by thread
 * id. See package-info "Large objects" for the paths and their lock order.
 *
 * <p>Why stripes: a 64 KiB allocate + free used to take the page heap's lock twice (split a run,
 * register the span; unregister it, coalesce the run) and hand the block just freed by one
 * thread to the next thread that asked, whose zeroing then pulled every line of it from the
 * other core. A stripe registers the objects allocated through it under its own lock, which
 * the threads of other stripes never take, and keeps the spans freed into it for its next
 * allocations of the same page count. Per stripe rather than per thread so that its bounds
 * hold heap-wide however many threads there are, and any thread (scavenge, the heap limit,
 * close) can empty it under its lock while its threads run.
 *
 * <p><b>Thread safety:</b> any thread; each stripe is guarded by its lock.
 */
final class LargeObjects {
    /** A power of two, several times the usual number of cores that allocate large objects at once. */
    static final int STRIPES = 16;

    private final LargeStripe[] stripes = new LargeStripe[STRIPES];
    private final PageHeap pageHeap;
    private final CycleState cycle;

    LargeObjects(PageHeap pageHeap, CycleState cycle) {
        this.pageHeap = pageHeap;
        this.cycle = cycle;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new LargeStripe(i, pageHeap, cycle);
        }
    }

    /** Returns the stripe {@code thread} allocates through. */
    LargeStripe stripeOf(Thread thread) {
        return stripes[(int) thread.threadId() & (STRIPES - 1)];
    }

    /**
     * Returns a large object of at least {@code byteSize} bytes, zeroed if {@code zero}; typed
     * (its pointer fields recorded) if {@code type} is not null. At the heap limit, empties the
     * stripes' caches, then lets the collector run once, before giving up.
     *
     * @throws IllegalArgumentException if {@code byteSize <= 0} or {@code byteSize} exceeds the heap limit
     * @throws OutOfHeapMemoryException if the heap cannot grow enough within its limit
     */
    long allocate(long byteSize, ObjectType type, boolean zero) {
        if (byteSize <= 0 || byteSize > pageHeap.limitBytes()) {
            throw HeapErrors.badSize(byteSize, pageHeap.limitBytes());
        }
        long pages = (byteSize + SizeClasses.PAGE_BYTES - 1) >>> PAGE_SHIFT;
        if (pages > Integer.MAX_VALUE) {
            throw HeapErrors.badSize(byteSize, (long) Integer.MAX_VALUE << PAGE_SHIFT);
        }
        boolean noscan = type == null;
        Span s;
        try {
            s = span((int) pages, byteSize, noscan);
        } catch (OutOfHeapMemoryException e) {
            s = spanAtLimit((int) pages, byteSize, noscan, e);
        }
        if (type != null) {
            PointerBits.write(s.pointerBits, 0, s.byteSize() >>> 3, type.pointerMap());
        }
        if (zero) {
            Zeroing.zero(s.segment, s.offsetInChunk(), s.byteSize());
        }
        if (cycle.allocateBlack) {
            assert !pageHeap.lock.isHeldByCurrentThread() : "an assist must not run under a heap lock";
            cycle.hooks.allocated(s.byteSize()); // the assist debt of a large object (GcHooks#allocated)
        }
        return s.base;
    }

    private Span spanAtLimit(int pages, long byteSize, boolean noscan, OutOfHeapMemoryException e) {
        if (flushAll() > 0) {
            try {
                return span(pages, byteSize, noscan);
            } catch (OutOfHeapMemoryException again) {
                e = again;
            }
        }
        GcHooks hooks = cycle.hooks;
        if (hooks == CycleState.NO_HOOKS) {
            throw e;
        }
        hooks.heapLimitReached(byteSize);
        return span(pages, byteSize, noscan);
    }

    /**
     * Takes a span for a large object, from the calling thread's stripe cache if one of that
     * page count is there, else from the page heap, and registers it in the stripe. While the
     * collector marks, the object is allocated black (as in a small span: its mark bit set).
     */
    private Span span(int pages, long byteSize, boolean noscan) {
        LargeStripe stripe = stripeOf(Thread.currentThread());
        SpinLocks.lock(stripe.lock);
        try {
            Span s = stripe.takeCachedLocked(pages);
            if (s != null) {
                s.initLarge(noscan, cycle.sweepGen); // CACHED to LARGE: neither is FREE to the page heap
            } else {
                s = fromPageHeap(pages, byteSize, noscan);
            }
            if (cycle.allocateBlack && SpanMarks.mark(s, 0)) {
                cycle.markedBytes.add(s.byteSize()); // allocate-black
            }
            stripe.registerLocked(s);
            return s;
        } finally {
            stripe.lock.unlock();
        }
    }

    private Span fromPageHeap(int pages, long byteSize, boolean noscan) {
        SpinLocks.lock(pageHeap.lock); // nested in the stripe's: the lock order allows it
        try {
            Span s = pageHeap.allocateLocked(pages, byteSize);
            // Under the page heap's lock, as in CentralList: a neighbour's free coalesces with
            // a FREE span. Step by step: 1) we take S, still FREE and on no list, and unlock;
            // 2) another thread frees the span next to S and, seeing S FREE, merges it into its
            // run (or fails to take it off a free list); 3) S's pages are both ours and free.
            // (Found by jcstress: HeapStress.LargeAllocationVsLargeFree, RefillVsLargeFree.)
            s.initLarge(noscan, cycle.sweepGen);
            return s;
        } finally {
            pageHeap.lock.unlock();
        }
    }

    /**
     * Frees the large object at {@code p}, whose span {@code s} was found racily: every check is
     * redone under the lock of the stripe that registers it. The span goes into that stripe's
     * cache (the allocating thread's, which is the freeing one in the common case).
     *
     * @throws IllegalArgumentException if {@code p} is not the start of a live large object;
     *     nothing changes then
     */
    void free(Span s, long p) {
        while (true) {
            LargeStripe stripe = s.stripe;
            if (stripe == null) {
                throw HeapErrors.doubleFree(p); // its pages went back to the page heap
            }
            SpinLocks.lock(stripe.lock);
            try {
                if (s.state != Span.LARGE || s.base != p) {
                    throw s.state == Span.LARGE && s.covers(p)
                            ? HeapErrors.notAnObject("free", p, "it points inside an object")
                            : HeapErrors.doubleFree(p);
                }
                // A span moves between stripes only while free (cached, or in the page heap);
                // under this lock a span registered here stays here.
                if (s.stripe == stripe) {
                    stripe.unregisterLocked(s);
                    stripe.cacheLocked(s);
                    return;
                }
            } finally {
                stripe.lock.unlock();
            }
        }
    }

    /**
     * Returns the lock that every sweep of the large span {@code s} holds ({@code Heap#freeStack}).
     *
     * @throws IllegalArgumentException if {@code s} has been freed meanwhile (a racing free)
     */
    ReentrantLock sweepLockOf(Span s) {
        LargeStripe stripe = s.stripe;
        if (stripe == null) {
            throw HeapErrors.notAnObject("freeStack", s.base, "it is free");
        }
        return stripe.lock;
    }

    /**
     * Sweeps up to {@code maxSpans} unswept large spans of generation {@code gen}, stripe by
     * stripe; returns whether unswept ones remain.
     */
    boolean sweepSome(int gen, int maxSpans) {
        int budget = maxSpans;
        boolean left = false;
        for (LargeStripe stripe : stripes) {
            stripe.lock.lock();
            try {
                budget -= stripe.sweepLocked(gen, budget);
                left |= stripe.hasUnsweptLocked(gen);
            } finally {
                stripe.lock.unlock();
            }
        }
        return left;
    }

    boolean hasUnswept(int gen) {
        for (LargeStripe stripe : stripes) {
            SpinLocks.lockBarging(stripe.lock); // in mark start's pause: not behind ending goroutines' flushes
            try {
                if (stripe.hasUnsweptLocked(gen)) {
                    return true;
                }
            } finally {
                stripe.lock.unlock();
            }
        }
        return false;
    }

    /** Gives the spans cached in {@code thread}'s stripe back to the page heap (it is ending). */
    void flush(Thread thread) {
        LargeStripe stripe = stripeOf(thread);
        stripe.lock.lock();
        try {
            stripe.flushLocked();
        } finally {
            stripe.lock.unlock();
        }
    }

    /** Gives every cached span back to the page heap; returns the pages given back. */
    long flushAll() {
        long pages = 0;
        for (LargeStripe stripe : stripes) {
            stripe.lock.lock();
            try {
                pages += stripe.flushLocked();
            } finally {
                stripe.lock.unlock();
            }
        }
        return pages;
    }

    /** A recent value of the bytes the stripes cache, without their locks (a pacer's estimate). */
    long cachedBytesRacy() {
        long pages = 0;
        for (LargeStripe stripe : stripes) {
            pages += stripe.cachedPagesRacy();
        }
        return pages << PAGE_SHIFT;
    }

    /**
     * Returns {allocs, frees, cached pages}, summed stripe by stripe under each one's lock: exact
     * when no thread allocates or frees meanwhile.
     */
    long[] totals() {
        long[] sums = new long[3];
        for (LargeStripe stripe : stripes) {
            stripe.lock.lock();
            try {
                sums[0] += stripe.allocsLocked();
                sums[1] += stripe.freesLocked();
                sums[2] += stripe.cachedPagesLocked();
            } finally {
                stripe.lock.unlock();
            }
        }
        return sums;
    }

    /** The stripes, for verify (which holds all their locks). */
    LargeStripe[] stripes() {
        return stripes;
    }
}
