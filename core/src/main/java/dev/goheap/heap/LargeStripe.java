package dev.goheap.heap;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One stripe of the large-object path ({@link LargeObjects}): the registry of the large objects
 * allocated through it, a pair of lists by sweep generation (what the sweeper walks), and a
 * small cache of freed large spans in front of the page heap (jemalloc's tcache large bins, Go's
 * per-P page cache). A thread uses the stripe its id selects, so a stripe's lock is uncontended
 * unless two threads share it.
 *
 * <pre>
 *   registered[sweptIndex(gen)]   LARGE spans swept in gen     (the sweeper moves them across)
 *   registered[1 - that]          LARGE spans not yet swept
 *   cached[0 .. cachedCount)      CACHED spans, oldest first   (on no list; free to every check)
 * </pre>
 *
 * <p><b>Bounds:</b> at most {@value #MAX_CACHED_SPANS} spans and {@value #MAX_CACHED_PAGES}
 * pages (256 KiB), each of at most {@value #MAX_SPAN_PAGES} pages (128 KiB). Why these numbers:
 * a block is worth reusing because it is still in the core's cache, and a core's L2 holds
 * 0.5 to 2 MiB; above 128 KiB, zeroing the block costs several microseconds, so the lock and
 * page heap work it saves (a few hundred nanoseconds) is under 5 %. With
 * {@value LargeObjects#STRIPES} stripes the whole heap keeps at most 4 MiB (one chunk) in these
 * caches, however many threads there are, and every flush point (thread release or reap,
 * scavenge, the heap limit, close) empties them.
 *
 * <p><b>Thread safety:</b> every method requires {@link #lock}, except {@link #cachedPagesRacy}.
 * Lock order (package-info): central list locks, then a stripe's lock, then the page heap's.
 */
final class LargeStripe {
    static final int MAX_CACHED_SPANS = 4;
    static final int MAX_CACHED_PAGES = 32;
    static final int MAX_SPAN_PAGES = 16;

    final int index;
    final ReentrantLock lock = new ReentrantLock();
    private final PageHeap pageHeap;
    private final CycleState cycle;
    /** Registered LARGE spans by sweep generation ({@link CycleState#sweptIndex}). */
    final SpanList[] registered;
    private final Span[] cached = new Span[MAX_CACHED_SPANS]; // guarded by lock; oldest first
    private int cachedCount;       // guarded by lock
    private int cachedPages;       // guarded by lock; read racily by the pacer's in-use figure
    private long allocs;           // guarded by lock: large objects allocated here, cumulative
    private long frees;            // guarded by lock: large objects freed or swept from here

    LargeStripe(int index, PageHeap pageHeap, CycleState cycle) {
        this.index = index;
        this.pageHeap = pageHeap;
        this.cycle = cycle;
        this.registered = new SpanList[] {
            new SpanList("large objects of stripe " + index + "/0"),
            new SpanList("large objects of stripe " + index + "/1")
        };
    }

    /** Files a span just set up with {@link Span#initLarge} as allocated through this stripe. */
    void registerLocked(Span s) {
        assert lock.isHeldByCurrentThread();
        s.stripe = this;
        registered[CycleState.sweptIndex(s.sweepGen)].push(s);
        allocs++;
    }

    /** Takes a LARGE span of this stripe off its list: its object is freed (by a free or the sweeper). */
    void unregisterLocked(Span s) {
        assert lock.isHeldByCurrentThread() && s.stripe == this;
        if (s.list != null) {
            s.list.remove(s); // the sweeper has popped the spans it frees already
        }
        frees++;
    }

    /** Returns the newest cached span of exactly {@code pageCount} pages, taken out, or null. */
    Span takeCachedLocked(int pageCount) {
        assert lock.isHeldByCurrentThread();
        for (int i = cachedCount - 1; i >= 0; i--) {
            Span s = cached[i];
            if (s.pageCount == pageCount) {
                removeAt(i);
                return s;
            }
        }
        return null;
    }

    /**
     * Caches {@code s}, a span just unregistered, as CACHED; evicts the oldest cached spans to
     * the page heap while the bounds need room. A span too long to cache goes to the page heap.
     */
    void cacheLocked(Span s) {
        assert lock.isHeldByCurrentThread() && s.list == null;
        if (s.pageCount > MAX_SPAN_PAGES) {
            toPageHeapLocked(s);
            return;
        }
        while (cachedCount == MAX_CACHED_SPANS || cachedPages + s.pageCount > MAX_CACHED_PAGES) {
            Span oldest = cached[0];
            removeAt(0);
            toPageHeapLocked(oldest);
        }
        s.state = Span.CACHED;
        s.stripe = this;
        cached[cachedCount++] = s;
        cachedPages += s.pageCount;
    }

    /** Gives every cached span back to the page heap; returns the pages given back. */
    int flushLocked() {
        assert lock.isHeldByCurrentThread();
        int pages = cachedPages;
        while (cachedCount > 0) {
            Span s = cached[cachedCount - 1];
            removeAt(cachedCount - 1);
            toPageHeapLocked(s);
        }
        return pages;
    }

    private void removeAt(int i) {
        Span s = cached[i];
        System.arraycopy(cached, i + 1, cached, i, cachedCount - i - 1);
        cached[--cachedCount] = null;
        cachedPages -= s.pageCount;
    }

    /** Frees an unregistered or uncached span's pages (page heap lock nested: the lock order allows it). */
    private void toPageHeapLocked(Span s) {
        s.stripe = null;
        pageHeap.lock.lock();
        try {
            pageHeap.freeLocked(s);
        } finally {
            pageHeap.lock.unlock();
        }
    }

    /**
     * Sweeps up to {@code maxSpans} unswept large spans (generation {@code gen}): files the live
     * ones as swept, unregisters the garbage ones and frees them to the page heap (not to the
     * cache: the sweeper's thread is not the one that will reuse them). Returns the spans swept.
     */
    int sweepLocked(int gen, int maxSpans) {
        assert lock.isHeldByCurrentThread();
        SpanList unswept = registered[1 - CycleState.sweptIndex(gen)];
        int n = 0;
        while (n < maxSpans) {
            Span s = unswept.pop();
            if (s == null) {
                break;
            }
            if (SpanMarks.sweepLarge(s, gen)) {
                unregisterLocked(s);
                cycle.sweptObjects.increment();
                cycle.sweptBytes.add(s.byteSize());
                toPageHeapLocked(s);
            } else {
                registered[CycleState.sweptIndex(gen)].push(s);
            }
            n++;
        }
        return n;
    }

    boolean hasUnsweptLocked(int gen) {
        assert lock.isHeldByCurrentThread();
        return !registered[1 - CycleState.sweptIndex(gen)].isEmpty();
    }

    // --- figures, for stats and verify ---

    int cachedCountLocked() {
        return cachedCount;
    }

    Span cachedLocked(int i) {
        return cached[i];
    }

    int cachedPagesLocked() {
        return cachedPages;
    }

    /** A recent value of {@link #cachedPagesLocked}, without the lock (a pacer's estimate). */
    int cachedPagesRacy() {
        return cachedPages;
    }

    long allocsLocked() {
        return allocs;
    }

    long freesLocked() {
        return frees;
    }

    @Override
    public String toString() {
        return "large stripe " + index;
    }
}
