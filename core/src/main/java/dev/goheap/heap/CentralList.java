package dev.goheap.heap;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The spans of one span class that no thread cache owns (Go's {@code mcentral}): {@code partial}
 * ones have a free slot, {@code full} ones have none. Thread caches take spans from here when
 * theirs is full and give them back when they are flushed; frees from threads that do not own
 * the span land here too.
 *
 * <p>Each list comes in a pair indexed by sweep generation ({@link CycleState#sweptIndex}): the
 * swept spans of this generation and the unswept ones of the last. After a collection every
 * span here is unswept; a cache that needs a span sweeps unswept ones until one has a free slot
 * (Go's lazy sweeping), and the collector sweeps the rest ({@link #sweepSomeLocked}).
 *
 * <p>A span whose last object is freed while it is here goes straight back to the page heap.
 *
 * <p><b>Thread safety:</b> every {@code ...Locked} method requires {@link #lock}. Lock order:
 * a central list's lock, then the page heap's (package-info).
 */
final class CentralList {
    /** How many unswept spans a cache sweeps looking for a free slot before taking new pages (Go: 100). */
    private static final int SWEEP_TRIES = 100;

    final ReentrantLock lock = new ReentrantLock();
    final int spanClass;
    final SpanList[] partial = new SpanList[2];
    final SpanList[] full = new SpanList[2];
    private final PageHeap pageHeap;
    private final CycleState cycle;

    private long flushedMallocs; // guarded by lock: counts of spans no longer owned
    private long flushedFrees;   // guarded by lock

    CentralList(int spanClass, PageHeap pageHeap, CycleState cycle) {
        this.spanClass = spanClass;
        this.pageHeap = pageHeap;
        this.cycle = cycle;
        String name = "class " + (spanClass >>> 1) + ((spanClass & 1) != 0 ? " noscan" : " scan");
        for (int i = 0; i < 2; i++) {
            this.partial[i] = new SpanList(name + " partial/" + i);
            this.full[i] = new SpanList(name + " full/" + i);
        }
    }

    /** The sweep generation now ({@link CycleState#sweepGen}): a volatile read, for assertions. */
    int sweepGenNow() {
        return cycle.sweepGen;
    }

    /** The collector's trigger now ({@link CycleState#triggerBytes}): a volatile read. */
    long triggerBytesNow() {
        return cycle.triggerBytes;
    }

    /** The collector's phase now ({@link CycleState#phase}): a volatile read. */
    int phaseNow() {
        return cycle.phase;
    }

    /**
     * Returns a swept span with at least one free slot, now owned by {@code owner}: a swept
     * partial one, else one that sweeping frees up; null if neither (then {@link #newSpanLocked}).
     */
    Span takeSweptLocked(Thread owner) {
        assert lock.isHeldByCurrentThread();
        int gen = cycle.sweepGen;
        Span s = partial[CycleState.sweptIndex(gen)].pop();
        if (s == null) {
            s = sweepForFreeSlotLocked(gen);
            if (s == null) {
                return null;
            }
        }
        s.setOwner(owner);
        return s;
    }

    /**
     * Returns a new span of this class with {@code pageCount} pages from the page heap, owned by
     * {@code owner}; the page heap's lock is taken inside this list's.
     *
     * <p>Why inside: taken after letting this list's lock go (Go's {@code mcentral.grow}), the
     * demo's goroutines waited less for this lock, but a thread allocating 4 KiB objects that
     * another thread frees then met that thread's returns of spans on the page heap's lock,
     * uncontended before: 2.2-2.5 µs per object against 0.8, and 1.4-1.7 B/op of the lock's queue
     * nodes on the Java heap (HeapCrossThreadBenchmark, docs/measurements.md "Session 23").
     *
     * @throws dev.goheap.OutOfHeapMemoryException if the page heap cannot grow
     */
    Span newSpanLocked(Thread owner, int pageCount) {
        assert lock.isHeldByCurrentThread();
        pageHeap.lock.lock();
        try {
            Span s = pageHeap.allocateLocked(pageCount, SizeClasses.byteSize(spanClass >>> 1));
            // Under the page heap's lock: a neighbour's free reads the state to decide whether
            // to coalesce with this span. Step by step, the race this prevents: 1) we take S from
            // the page heap, still FREE, and unlock; 2) another thread frees the large object
            // next to S and, seeing S FREE, merges S into its free run; 3) S's pages are now
            // both our span and free. (Found by jcstress: HeapStress.RefillVsLargeFree.)
            s.initSmall(spanClass, cycle.sweepGen);
            s.setOwner(owner);
            return s;
        } finally {
            pageHeap.lock.unlock();
        }
    }

    /** Sweeps unswept spans until one has a free slot (returned, off every list); else null. */
    private Span sweepForFreeSlotLocked(int gen) {
        int swept = CycleState.sweptIndex(gen);
        for (int tries = 0; tries < SWEEP_TRIES; tries++) {
            Span s = partial[1 - swept].pop();
            if (s == null) {
                s = full[1 - swept].pop();
                if (s == null) {
                    return null;
                }
            }
            sweepLocked(s, gen);
            if (!s.isFull()) {
                return s; // an empty span is kept: it is as good as new pages, and cheaper
            }
            full[swept].push(s);
        }
        return null;
    }

    /**
     * Sweeps up to {@code maxSpans} unswept spans of this class, filing each by its fill (an
     * empty one goes back to the page heap). Returns how many it swept.
     */
    int sweepSomeLocked(int gen, int maxSpans) {
        assert lock.isHeldByCurrentThread();
        int unswept = 1 - CycleState.sweptIndex(gen);
        int n = 0;
        while (n < maxSpans) {
            Span s = partial[unswept].pop();
            if (s == null) {
                s = full[unswept].pop();
                if (s == null) {
                    break;
                }
            }
            sweepLocked(s, gen);
            fileLocked(s);
            n++;
        }
        return n;
    }

    /** Returns whether unswept spans remain on this list. */
    boolean hasUnsweptLocked(int gen) {
        int unswept = 1 - CycleState.sweptIndex(gen);
        return !partial[unswept].isEmpty() || !full[unswept].isEmpty();
    }

    /**
     * Sweeps a span of this class that is off every list, or owned by a stopped thread, and
     * counts what it freed.
     */
    void sweepLocked(Span s, int gen) {
        assert lock.isHeldByCurrentThread();
        int freed = SpanMarks.sweepSmall(s, gen);
        if (freed != 0) {
            cycle.sweptObjects.add(freed);
            cycle.sweptBytes.add((long) freed * s.elemSize);
        }
    }

    /**
     * Takes back a span from its owner's cache (called by the owner, or by the reaper once the
     * owner thread has ended): merges the frees parked by other threads and files the span.
     */
    void releaseLocked(Span s) {
        assert lock.isHeldByCurrentThread();
        RemoteFrees.merge(s);
        s.setOwner(null);
        fileLocked(s);
    }

    /** Files an unowned span that is off every list: by its fill and its sweep generation. */
    private void fileLocked(Span s) {
        flushCounters(s);
        if (s.allocCount == 0) {
            returnToPageHeapLocked(s);
        } else {
            (s.isFull() ? full : partial)[CycleState.sweptIndex(s.sweepGen)].push(s);
        }
    }

    /**
     * Frees {@code slot} of {@code s} for a thread that does not own {@code s}. If nobody owns
     * {@code s} either and {@code adopter} (the calling thread's cache, or null) may take it,
     * the cache adopts it in place of its span of this class ({@link #adoptLocked}).
     *
     * @return false if the slot is not allocated (a double free); nothing changes then
     */
    boolean freeLocked(Span s, int slot, ThreadCache adopter) {
        assert lock.isHeldByCurrentThread();
        if (s.ownerPlain() != null) {
            return RemoteFrees.park(s, slot);
        }
        boolean wasFull = s.isFull();
        if (!s.clearSlot(slot)) {
            return false;
        }
        if (adopter != null && s.sweepGen == cycle.sweepGen && !cycle.allocateBlack) {
            adoptLocked(s, adopter);
            return true;
        }
        if (s.allocCount == 0 || wasFull) {
            s.list.remove(s);
            fileLocked(s);
        } else {
            flushCounters(s);
        }
        return true;
    }

    /**
     * Hands the unowned span {@code s}, which the calling thread has just freed into, to that
     * thread's cache {@code adopter}; the cache's span of this class goes back to the lists
     * (as a mimalloc thread keeps freeing into the pages it owns; Go has no explicit free).
     *
     * <p>Why: a thread that frees what it allocated a while ago (a tree freed after use, a
     * batch freed in allocation order) frees into spans its cache handed back when they
     * filled up, and each such free took this lock. Measured (one thread, 2047-node trees of
     * 16-byte nodes, CPU time per node, load about 5): newObject plus a free in allocation
     * order 50 ns against 29 for a pair whose free finds its own span, 38 with adoption;
     * build, check and free 85 to 73 ns. Adopted, the span's other objects come back by the
     * owner's lock-free path: one lock per span instead of one per object. A thread that frees
     * into two unowned spans by turns adopts at every free: one lock per free, as before.
     *
     * <p>Only a span swept in the current generation (the cache allocates from its bitmap as
     * it is) and only while the collector is not marking: a span taken while marking has its
     * free slots marked and its bytes charged to the assist debt ({@code Allocation.refill}), which
     * a free must not do. A span adopted before mark start has its free slots marked when the
     * adopting cache catches up with the mark phase, under this lock, before its next
     * allocation (CacheCatchUp#catchUp), and one freed into after mark start is not adopted.
     */
    private void adoptLocked(Span s, ThreadCache adopter) {
        s.list.remove(s);
        Span current = adopter.spans[spanClass];
        if (current != ThreadCache.EMPTY) {
            releaseLocked(current);
        }
        s.setOwner(adopter.thread);
        adopter.hold(spanClass, s);
    }

    private void flushCounters(Span s) {
        flushedMallocs += s.mallocs;
        flushedFrees += s.frees;
        s.mallocs = 0;
        s.frees = 0;
    }

    private void returnToPageHeapLocked(Span s) {
        pageHeap.lock.lock();
        try {
            pageHeap.freeLocked(s);
        } finally {
            pageHeap.lock.unlock();
        }
    }

    long flushedMallocsLocked() {
        return flushedMallocs;
    }

    long flushedFreesLocked() {
        return flushedFrees;
    }
}
