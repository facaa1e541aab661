package dev.goheap.heap;

/** Gathers {@link HeapStats} from the page heap, the central lists and the thread caches. */
final class HeapInspector {
    private HeapInspector() {}

    static HeapStats stats(Heap heap) {
        long mallocs = 0;
        long frees = 0;
        for (CentralList central : heap.centrals()) {
            if (central == null) {
                continue;
            }
            central.lock.lock();
            try {
                mallocs += central.flushedMallocsLocked();
                frees += central.flushedFreesLocked();
            } finally {
                central.lock.unlock();
            }
        }
        // Owned spans keep their counters until flushed; read them racily (a recent value).
        for (ThreadCache cache : heap.caches().snapshot()) {
            for (Span s : cache.spans) {
                if (s != ThreadCache.EMPTY) {
                    mallocs += s.mallocs;
                    frees += s.frees + s.remoteFreeCount;
                }
            }
        }
        long[] large = heap.large().totals(); // stripe locks before the page heap's
        mallocs += large[0];
        frees += large[1];
        long cachedPages = large[2]; // free spans that the page heap counts as in use
        PageHeap pages = heap.pageHeap();
        pages.lock.lock();
        try {
            return new HeapStats(
                    pages.mappedBytesLocked(),
                    (pages.inUsePagesLocked() - cachedPages) << SizeClasses.PAGE_SHIFT,
                    ((pages.freePagesLocked() + cachedPages) << SizeClasses.PAGE_SHIFT) + pages.spare().bytesLocked()
                            + pages.takenOffBytesLocked(),
                    pages.releasedBytesLocked(),
                    mallocs - frees,
                    mallocs,
                    frees,
                    heap.chunks().count(),
                    heap.caches().count(),
                    pages.limitBytes());
        } finally {
            pages.lock.unlock();
        }
    }
}
