package dev.goheap.heap;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks every invariant of the heap (listed in package-info) with all locks held, and throws an
 * {@link InternalError} naming the first one broken. The thread caches are read without their
 * owners' cooperation, so the caller guarantees no thread allocates or frees meanwhile.
 */
final class HeapVerifier {
    private final Heap heap;
    /** Where each listed or cached span was found: its SpanList or its ThreadCache. */
    private final Map<Span, Object> placeOf = new IdentityHashMap<>(256);
    private long liveObjects;

    HeapVerifier(Heap heap) {
        this.heap = heap;
    }

    void verify() {
        CentralList[] centrals = heap.centrals();
        PageHeap pages = heap.pageHeap();
        int locked = 0;
        try {
            for (CentralList c : centrals) {
                if (c != null) {
                    c.lock.lock();
                    locked++;
                }
            }
            lockStripesAndVerify(centrals, pages, 0);
        } finally {
            for (CentralList c : centrals) {
                if (c != null && locked-- > 0) {
                    c.lock.unlock();
                }
            }
        }
    }

    /** Takes the stripes' locks in order, recursively, then the page heap's (package-info lock order). */
    private void lockStripesAndVerify(CentralList[] centrals, PageHeap pages, int stripe) {
        LargeStripe[] stripes = heap.large().stripes();
        if (stripe < stripes.length) {
            stripes[stripe].lock.lock();
            try {
                lockStripesAndVerify(centrals, pages, stripe + 1);
            } finally {
                stripes[stripe].lock.unlock();
            }
            return;
        }
        pages.lock.lock();
        try {
            verifyLocked(centrals, pages);
        } finally {
            pages.lock.unlock();
        }
    }

    private void verifyLocked(CentralList[] centrals, PageHeap pages) {
        recordPlaces(centrals, pages);
        long freePages = 0;
        long inUsePages = 0;
        long mapped = 0;
        Chunk[] chunks = heap.chunks().snapshot();
        for (Chunk chunk : chunks) {
            mapped += chunk.byteSize;
            if (heap.chunks().get(chunk.index) != chunk) {
                throw HeapErrors.broken("the chunk table maps each chunk's index to it", chunk);
            }
            Span previous = null;
            int page = 0;
            while (page < chunk.pageCount) {
                Span s = chunk.spanOfPage[page];
                if (s == null || s.chunk != chunk || s.startPage != page || s.pageCount <= 0
                        || s.endPage() > chunk.pageCount) {
                    throw HeapErrors.broken("the spans of a chunk tile its pages without overlap",
                            chunk + " page " + page + " maps to " + s);
                }
                if (s.base != chunk.pointerOfPage(page)) {
                    throw HeapErrors.broken("a span's base pointer is its first page", s);
                }
                if (s.state == Span.FREE) {
                    if (previous != null && previous.state == Span.FREE) {
                        throw HeapErrors.broken("free spans are coalesced: no two are adjacent", previous + ", " + s);
                    }
                    if (chunk.spanOfPage[s.endPage() - 1] != s) {
                        throw HeapErrors.broken("a free span's last page maps to it", s);
                    }
                    expectPlace(s, s.list, "every free span is on the free list of its length once");
                    freePages += s.pageCount;
                } else if (s.state == Span.SMALL || s.state == Span.LARGE || s.state == Span.CACHED) {
                    for (int i = s.startPage; i < s.endPage(); i++) {
                        if (chunk.spanOfPage[i] != s) {
                            throw HeapErrors.broken("every page of a span in use maps to it", s + " page " + i);
                        }
                    }
                    if (s.state == Span.SMALL) {
                        verifySmall(s);
                    } else if (s.state == Span.LARGE) {
                        expectPlace(s, s.stripe == null ? null : s.stripe.registered[CycleState.sweptIndex(s.sweepGen)],
                                "every large span is on the list of its stripe and sweep generation once");
                        verifySweepGen(s);
                        liveObjects++;
                    } else {
                        expectPlace(s, s.stripe, "every cached large span is in its stripe's cache once");
                    }
                    inUsePages += s.pageCount; // cached spans too: the page heap handed them out
                } else {
                    throw HeapErrors.broken("the spans that tile a chunk are free or in use", s);
                }
                previous = s;
                page = s.endPage();
            }
        }
        String pageTableMismatch = heap.chunks().pageTableMismatch(); // after the walk: its invariants first
        if (pageTableMismatch != null) {
            throw HeapErrors.broken("the page table mirrors the first 512 page entries of every chunk", pageTableMismatch);
        }
        if (!placeOf.isEmpty()) {
            throw HeapErrors.broken("every listed or cached span lies in a mapped chunk", placeOf.keySet());
        }
        if (freePages != pages.freePagesLocked()) {
            throw HeapErrors.broken("the page heap's free page count", freePages + " != " + pages.freePagesLocked());
        }
        if (inUsePages != pages.inUsePagesLocked()) {
            throw HeapErrors.broken("the page heap's in-use page count", inUsePages + " != " + pages.inUsePagesLocked());
        }
        mapped += pages.spare().bytesLocked() + pages.takenOffBytesLocked(); // the scavenger's, closing now
        if (mapped != pages.mappedBytesLocked()) {
            throw HeapErrors.broken("the mapped byte count (chunks, spare, chunks being given back)",
                    mapped + " != " + pages.mappedBytesLocked());
        }
        if (mapped > pages.limitBytes()) {
            throw HeapErrors.broken("the mapped bytes, spare included, stay within the heap limit",
                    mapped + " > " + pages.limitBytes());
        }
        if (chunks.length != heap.chunks().count()) {
            throw HeapErrors.broken("the chunk count", chunks.length + " != " + heap.chunks().count());
        }
        HeapStats stats = HeapInspector.stats(heap);
        if (stats.liveObjects() != liveObjects) {
            throw HeapErrors.broken("mallocs - frees equals the live objects", stats.liveObjects() + " != " + liveObjects);
        }
    }

    private void verifySmall(Span s) {
        int sizeClass = s.spanClass >>> 1;
        int base = SizeClasses.pageCount(sizeClass);
        int ratio = s.pageCount / base;
        if (s.pageCount % base != 0 || Integer.bitCount(ratio) != 1
                || (ratio > 1 && (s.pageCount > SizeClasses.MAX_SPAN_PAGES
                        || SizeClasses.byteSize(sizeClass) > SizeClasses.MAX_GROWN_OBJECT_BYTES))
                || s.elemSize != SizeClasses.byteSize(sizeClass)
                || s.objectCount != SizeClasses.objectCount(sizeClass, s.pageCount)) {
            throw HeapErrors.broken("a small span has its class's pages times a power of two (grown only up to "
                    + SizeClasses.MAX_SPAN_PAGES + " pages, for objects up to " + SizeClasses.MAX_GROWN_OBJECT_BYTES
                    + " bytes), and the slots of its class that fill them", s + ": " + s.pageCount + " pages, "
                    + s.objectCount + " slots of " + s.elemSize + " bytes");
        }
        if (s.pointerFieldMask != (s.pointerLayout == Span.LAYOUT_UNIFORM && !s.noscan ? s.uniformMask : 0)) {
            throw HeapErrors.broken("pointerFieldMask is the uniform mask of a uniform scan span, else 0", s);
        }
        int bitCount = 0;
        for (int w = 0; w < s.allocBits.length; w++) {
            bitCount += Long.bitCount(s.allocBits[w]);
            if ((s.remoteFreeBits[w] & ~s.allocBits[w]) != 0) {
                throw HeapErrors.broken("a slot parked as a remote free is an allocated slot", s + " word " + w);
            }
            if (w < s.freeWord && s.allocBits[w] != -1L && (w + 1) * 64 <= s.objectCount) {
                throw HeapErrors.broken("every bitmap word before freeWord is full", s + " word " + w);
            }
        }
        long beyond = s.objectCount < s.allocBits.length * 64
                ? s.allocBits[s.allocBits.length - 1] & (-1L << (s.objectCount & 63)) : 0;
        if (beyond != 0) {
            throw HeapErrors.broken("no bit is set past the last slot", s);
        }
        if (bitCount != s.allocCount) {
            throw HeapErrors.broken("allocCount equals the set bits", s + ": " + s.allocCount + " != " + bitCount);
        }
        int parked = 0;
        for (long w : s.remoteFreeBits) {
            parked += Long.bitCount(w);
        }
        if (parked != s.remoteFreeCount) {
            throw HeapErrors.broken("remoteFreeCount equals the parked bits", s);
        }
        Object place = placeOf.remove(s);
        if (place == null) {
            throw HeapErrors.broken("every small span is cached by one thread or on one central list", s);
        }
        if (s.ownerPlain() == null) {
            if (parked != 0) {
                throw HeapErrors.broken("a span on a central list has no parked frees", s);
            }
            CentralList central = heap.centrals()[s.spanClass];
            if (place != (s.isFull() ? central.full : central.partial)[CycleState.sweptIndex(s.sweepGen)]) {
                throw HeapErrors.broken("a central span is on the list its fill says", s + " on " + place);
            }
            if (s.allocCount <= 0) {
                throw HeapErrors.broken("an empty span on a central list goes back to the page heap", s);
            }
        } else {
            if (!(place instanceof ThreadCache cache) || cache.thread != s.ownerPlain()) {
                throw HeapErrors.broken("an owned span sits in its owner's cache", s + " in " + place);
            }
            if (s.sweepGen != heap.cycle().sweepGen && cache.phase() == heap.cycle().phase) {
                throw HeapErrors.broken("a span in a cache caught up with the collector's phase is swept", s);
            }
        }
        verifySweepGen(s);
        liveObjects += s.allocCount - parked;
    }

    /** A span in use is swept in this generation or (only after a mark, before sweeping ends) the last. */
    private void verifySweepGen(Span s) {
        int gen = heap.cycle().sweepGen;
        if (s.sweepGen != gen && s.sweepGen != gen - 2) {
            throw HeapErrors.broken("a span in use is swept in this sweep generation or unswept from the last",
                    s + ": " + s.sweepGen + " vs " + gen);
        }
        if (s.sweepGen == gen && !heap.cycle().marking && s.markBits != null) {
            for (long w : s.markBits) {
                if (w != 0) {
                    throw HeapErrors.broken("a swept span has no mark bits set outside marking", s);
                }
            }
        }
    }

    private void recordPlaces(CentralList[] centrals, PageHeap pages) {
        pages.forEachFreeSpanLocked(s -> place(s, s.list));
        for (LargeStripe stripe : heap.large().stripes()) {
            recordStripe(stripe);
        }
        for (CentralList c : centrals) {
            if (c == null) {
                continue;
            }
            for (int i = 0; i < 2; i++) {
                for (SpanList list : new SpanList[] {c.partial[i], c.full[i]}) {
                    for (Span s = list.first(); s != null; s = s.next) {
                        if (s.spanClass != c.spanClass) {
                            throw HeapErrors.broken("a central list holds spans of its class", s);
                        }
                        place(s, list);
                    }
                }
            }
        }
        Set<Thread> owners = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ThreadCache> caches = heap.caches().snapshot();
        for (int i = 0; i < caches.size(); i++) {
            ThreadCache cache = caches.get(i);
            if (!owners.add(cache.thread)) {
                throw HeapErrors.broken("a thread has one cache", cache.thread);
            }
            if (cache.allIndex != i) {
                throw HeapErrors.broken("a cache knows its place in the list of caches (" + cache.allIndex + ", not "
                        + i + ")", cache.thread);
            }
            if (cache.blackBytes != 0 && !cache.countsBlack) {
                throw HeapErrors.broken("a cache that allocated black is counted at termination", cache.thread);
            }
            for (int spanClass = 0; spanClass < cache.spans.length; spanClass++) {
                Span s = cache.spans[spanClass];
                boolean held = (cache.held[spanClass >>> 6] & (1L << spanClass)) != 0;
                if (held != (s != ThreadCache.EMPTY)) {
                    throw HeapErrors.broken("a cache's held bits name exactly the classes it holds a span of", cache.thread);
                }
                if (s == ThreadCache.EMPTY) {
                    continue;
                }
                if (s.spanClass != spanClass) {
                    throw HeapErrors.broken("a cache holds each span under its class", s);
                }
                if (s.ownerPlain() != cache.thread) {
                    throw HeapErrors.broken("a cached span is owned by the cache's thread", s);
                }
                place(s, cache);
            }
        }
    }

    private void recordStripe(LargeStripe stripe) {
        for (SpanList list : stripe.registered) {
            for (Span s = list.first(); s != null; s = s.next) {
                if (s.state != Span.LARGE || s.stripe != stripe) {
                    throw HeapErrors.broken("a stripe registers large spans that name it", s + " on " + list.name);
                }
                place(s, list);
            }
        }
        int pages = 0;
        for (int i = 0; i < stripe.cachedCountLocked(); i++) {
            Span s = stripe.cachedLocked(i);
            if (s.state != Span.CACHED || s.stripe != stripe || s.list != null) {
                throw HeapErrors.broken("a stripe caches cached spans that name it and are on no list", s);
            }
            pages += s.pageCount;
            place(s, stripe);
        }
        if (pages != stripe.cachedPagesLocked() || pages > LargeStripe.MAX_CACHED_PAGES
                || stripe.cachedCountLocked() > LargeStripe.MAX_CACHED_SPANS) {
            throw HeapErrors.broken("a stripe's cache keeps its count and its bounds",
                    stripe + ": " + pages + " pages counted " + stripe.cachedPagesLocked());
        }
    }

    private void place(Span s, Object where) {
        Object before = placeOf.put(s, where);
        if (before != null) {
            throw HeapErrors.broken("a span is in one place only", s + " in " + before + " and " + where);
        }
    }

    private void expectPlace(Span s, Object where, String invariant) {
        Object place = placeOf.remove(s);
        if (where == null || place != where) {
            throw HeapErrors.broken(invariant, s + " is in " + place);
        }
    }
}
