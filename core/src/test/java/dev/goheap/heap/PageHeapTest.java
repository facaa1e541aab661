package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.ThreadAllocation;
import org.junit.jupiter.api.Test;

/**
 * {@link PageHeap}'s recycling of span objects (DESIGN decision 8: no Java garbage per
 * operation). A collector's sweep frees thousands of spans, each merge with a free neighbour
 * kills a span object; the allocations after it split as many runs, each split needing one.
 */
class PageHeapTest {
    private static final int SPANS = 8 * PageHeap.CHUNK_PAGES; // 8 chunks of one-page spans
    private static final long BOUND_BYTES = 64 * 1024;

    @Test
    void shouldSplitRunsAgainWithTheSpanObjectsItsMergesKilled() {
        ThreadAllocation.assumeAvailable();
        try (Heap heap = Heap.open(1L << 30, 1L << 30)) { // retains every chunk: nothing is unmapped
            PageHeap pages = heap.pageHeap();
            Span[] spans = new Span[SPANS];
            allocateAll(pages, spans); // maps the chunks, makes the span objects
            freeAll(pages, spans);
            allocateAll(pages, spans); // warms the paths up
            freeAll(pages, spans);

            long before = ThreadAllocation.bytes();
            allocateAll(pages, spans);
            long allocated = ThreadAllocation.bytes() - before;

            // One new span object per split would be ~100 B x 4 000: far past the bound.
            assertTrue(allocated < BOUND_BYTES, "splitting " + SPANS + " runs allocated " + allocated
                    + " bytes of Java heap (expected: < " + BOUND_BYTES + ": the killed objects reused)");
            freeAll(pages, spans);
            heap.verify();
            assertTrue(heap.allocate(16) != 0, "still serves allocations");
        }
    }

    @Test
    void shouldKeepNoMoreDeadSpanObjectsThanPagesOnceChunksAreReleased() {
        try (Heap heap = Heap.open(1L << 30, 0)) { // retains nothing: free chunks are unmapped
            PageHeap pages = heap.pageHeap();
            Span[] spans = new Span[SPANS];
            allocateAll(pages, spans);
            freeAll(pages, spans);
            pages.lock.lock();
            try {
                long mappedPages = heap.stats().heapMappedBytes() / SizeClasses.PAGE_BYTES;
                int dead = pages.deadSpanCountLocked();
                assertTrue(dead <= Math.max(1024, mappedPages), dead + " dead span objects kept with "
                        + mappedPages + " pages mapped (expected: at most max(1024, pages))");
            } finally {
                pages.lock.unlock();
            }
            assertTrue(heap.stats().heapReleasedBytes() > 0, "chunks were released: " + heap.stats());
            heap.verify();
        }
    }

    private static void allocateAll(PageHeap pages, Span[] spans) {
        pages.lock.lock();
        try {
            for (int i = 0; i < spans.length; i++) {
                Span s = pages.allocateLocked(1, SizeClasses.PAGE_BYTES);
                s.initLarge(true, 0); // in use (no bitmap): a FREE one would be merged as a free run
                spans[i] = s;
            }
        } finally {
            pages.lock.unlock();
        }
    }

    private static void freeAll(PageHeap pages, Span[] spans) {
        pages.lock.lock();
        try {
            for (Span s : spans) {
                pages.freeLocked(s);
            }
        } finally {
            pages.lock.unlock();
        }
    }
}
