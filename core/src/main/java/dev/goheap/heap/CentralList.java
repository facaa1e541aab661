package dev.goheap.heap;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The spans of one span class that no thread cache owns (Go's {@code mcentral}): {@link
 * #partial} ones have a free slot, {@link #full} ones have none. Thread caches take spans from
 * here when theirs is full and give them back when they are flushed; frees from threads that do
 * not own the span land here too.
 *
 * <p>A span whose last object is freed while it is here goes straight back to the page heap.
 *
 * <p><b>Thread safety:</b> every {@code ...Locked} method requires {@link #lock}. Lock order:
 * a central list's lock, then the page heap's (package-info).
 */
final class CentralList {
    final ReentrantLock lock = new ReentrantLock();
    final int spanClass;
    final SpanList partial;
    final SpanList full;
    private final PageHeap pageHeap;

    private long flushedMallocs; // guarded by lock: counts of spans no longer owned
    private long flushedFrees;   // guarded by lock

    CentralList(int spanClass, PageHeap pageHeap) {
        this.spanClass = spanClass;
        this.pageHeap = pageHeap;
        String name = "class " + (spanClass >>> 1) + ((spanClass & 1) != 0 ? " noscan" : " scan");
        this.partial = new SpanList(name + " partial");
        this.full = new SpanList(name + " full");
    }

    /**
     * Returns a span with at least one free slot, now owned by {@code owner}: a partial one, or a
     * new one from the page heap.
     *
     * @throws dev.goheap.OutOfHeapMemoryException if the page heap cannot grow
     */
    Span acquireLocked(Thread owner) {
        assert lock.isHeldByCurrentThread();
        Span s = partial.pop();
        if (s == null) {
            int sizeClass = spanClass >>> 1;
            pageHeap.lock.lock();
            try {
                s = pageHeap.allocateLocked(SizeClasses.pageCount(sizeClass), SizeClasses.byteSize(sizeClass));
                // Under the page heap's lock: a neighbour's free reads the state to decide whether
                // to coalesce with this span. Step by step, the race this prevents: 1) we take S from
                // the page heap, still FREE, and unlock; 2) another thread frees the large object
                // next to S and, seeing S FREE, merges S into its free run; 3) S's pages are now
                // both our span and free. (Found by jcstress: HeapStress.RefillVsLargeFree.)
                s.initSmall(spanClass);
            } finally {
                pageHeap.lock.unlock();
            }
        }
        s.setOwner(owner);
        return s;
    }

    /**
     * Takes back a span from its owner's cache (called by the owner, or by the reaper once the
     * owner thread has ended): merges the frees parked by other threads and files the span.
     */
    void releaseLocked(Span s) {
        assert lock.isHeldByCurrentThread();
        s.mergeRemoteFrees();
        s.setOwner(null);
        flushCounters(s);
        if (s.allocCount == 0) {
            returnToPageHeapLocked(s);
        } else if (s.isFull()) {
            full.push(s);
        } else {
            partial.push(s);
        }
    }

    /**
     * Frees {@code slot} of {@code s} for a thread that does not own {@code s}.
     *
     * @return false if the slot is not allocated (a double free); nothing changes then
     */
    boolean freeLocked(Span s, int slot) {
        assert lock.isHeldByCurrentThread();
        if (s.ownerPlain() != null) {
            return s.parkRemoteFree(slot);
        }
        boolean wasFull = s.isFull();
        if (!s.clearSlot(slot)) {
            return false;
        }
        flushCounters(s);
        if (s.allocCount == 0) {
            (wasFull ? full : partial).remove(s);
            returnToPageHeapLocked(s);
        } else if (wasFull) {
            full.remove(s);
            partial.push(s);
        }
        return true;
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
