package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.Pointers;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Breaks one invariant at a time, by hand, and checks that {@link Heap#verify()} names it: a
 * verifier that cannot fail would let every other test pass on a corrupt heap.
 */
class HeapVerifierTest {

    /** Runs {@code corrupt} on a heap with a few live objects and expects verify to name {@code invariant}. */
    private static void assertCaught(String invariant, Consumer<Heap> corrupt) {
        try (Heap heap = Heap.open(64L << 20, 64L << 20)) {
            long[] ps = new long[100];
            for (int i = 0; i < ps.length; i++) {
                ps[i] = heap.allocate(i % 2 == 0 ? 64 : 50_000);
            }
            heap.free(ps[1]); // a free run between large objects
            heap.verify();
            corrupt.accept(heap);
            InternalError e = assertThrows(InternalError.class, heap::verify);
            assertTrue(e.getMessage().contains(invariant), "expected '" + invariant + "' in: " + e.getMessage());
        }
    }

    private static Span spanOf(Heap heap, long p) {
        Chunk chunk = heap.chunks().get(Pointers.chunkIndex(p));
        return chunk.spanOfPage[(int) (Pointers.offset(p) >>> SizeClasses.PAGE_SHIFT)];
    }

    private static Span cachedSmallSpan(Heap heap) {
        ThreadCache cache = heap.caches().snapshot().get(0);
        for (Span s : cache.spans) {
            if (s != ThreadCache.EMPTY) {
                return s;
            }
        }
        throw new AssertionError("no cached span");
    }

    @Test
    void shouldCatchAPageTableEntryThatDiffersFromItsChunkWhenVerifying() {
        assertCaught("the page table mirrors", heap -> {
            Span s = spanOf(heap, heap.allocate(64));
            heap.chunks().setSpanOfPage(s.chunk, s.startPage, null);
            s.chunk.spanOfPage[s.startPage] = s; // the page table's entry only
        });
    }

    @Test
    void shouldCatchACacheWhoseHeldBitsMissASpanItHoldsWhenVerifying() {
        // A missing bit would leave the span out of mark start's allocate-black and termination's sweep.
        assertCaught("held bits name exactly the classes", heap -> {
            ThreadCache cache = heap.caches().snapshot().get(0);
            cache.held[cachedSmallSpan(heap).spanClass >>> 6] = 0L;
        });
    }

    @Test
    void shouldCatchAPointerFieldMaskOfANoscanSpanWhenVerifying() {
        assertCaught("pointerFieldMask", heap -> cachedSmallSpan(heap).pointerFieldMask = 1); // the 64 B objects: noscan
    }

    @Test
    void shouldCatchASpanWhoseSlotsDoNotFillItsPagesWhenVerifying() {
        assertCaught("the slots of its class that fill them", heap -> cachedSmallSpan(heap).objectCount--);
    }

    /**
     * Relabels {@code s}, which the heap's one cache holds, as a span of {@code sizeClass}: its
     * slots consistent with its pages, held under its new class.
     */
    private static void relabel(Heap heap, Span s, int sizeClass) {
        ThreadCache cache = heap.caches().snapshot().get(0);
        cache.hold(s.spanClass, ThreadCache.EMPTY);
        s.spanClass = sizeClass << 1 | (s.spanClass & 1);
        s.elemSize = SizeClasses.byteSize(sizeClass);
        s.objectCount = SizeClasses.objectCount(sizeClass, s.pageCount);
        cache.hold(s.spanClass, s);
    }

    @Test
    void shouldCatchASpanShorterThanItsClassesPagesWhenVerifying() {
        assertCaught("a small span has its class's pages times a power of two",
                heap -> relabel(heap, cachedSmallSpan(heap), SizeClasses.classOf(3072))); // one page; the class has 3
    }

    @Test
    void shouldCatchAGrownSpanOfObjectsOverAKibibyteWhenVerifying() {
        assertCaught("for objects up to 1024 bytes", heap -> {
            long p = 0;
            for (int i = 0; i < 600; i++) {
                p = heap.allocate(16); // 512 to a first span of one page, then a span of two
            }
            Span grown = spanOf(heap, p);
            assertEquals(2, grown.pageCount);
            relabel(heap, grown, SizeClasses.classOf(1152)); // one page of its own, and never grown
        });
    }

    @Test
    void shouldCatchAWrongAllocCountWhenVerifying() {
        assertCaught("allocCount equals the set bits", heap -> cachedSmallSpan(heap).allocCount++);
    }

    @Test
    void shouldCatchAFreedSlotStillCountedWhenVerifying() {
        assertCaught("allocCount equals the set bits", heap -> cachedSmallSpan(heap).allocBits[0] &= ~1L);
    }

    @Test
    void shouldCatchAParkedFreeOfAFreeSlotWhenVerifying() {
        assertCaught("parked as a remote free", heap -> {
            Span s = cachedSmallSpan(heap);
            s.remoteFreeBits[1] |= 1L << 63; // slot 127 is not allocated
            s.remoteFreeCount = 1;
        });
    }

    @Test
    void shouldCatchABitPastTheLastSlotWhenVerifying() {
        assertCaught("no bit is set past the last slot", heap -> {
            Span s = spanOf(heap, heap.allocate(8000)); // class 8192? no: 8000 -> one slot per page
            s.allocBits[s.allocBits.length - 1] |= 1L << 63;
            s.allocCount++;
        });
    }

    @Test
    void shouldCatchASpanOnTwoListsWhenVerifying() {
        assertCaught("a span is in one place only", heap -> {
            Span s = cachedSmallSpan(heap);
            CentralList central = heap.centrals()[s.spanClass];
            central.partial[0].push(s);
        });
    }

    @Test
    void shouldCatchALostSmallSpanWhenVerifying() {
        assertCaught("every small span is cached by one thread or on one central list", heap -> {
            Span s = cachedSmallSpan(heap);
            heap.caches().snapshot().get(0).hold(s.spanClass, ThreadCache.EMPTY); // forgotten, not handed back
        });
    }

    @Test
    void shouldCatchAFreeSpanMissingFromItsListWhenVerifying() {
        assertCaught("every free span is on the free list", heap -> {
            Span free = null;
            for (Chunk c : heap.chunks().snapshot()) {
                for (Span s : c.spanOfPage) {
                    if (s != null && s.state == Span.FREE && s.list != null) {
                        free = s;
                    }
                }
            }
            free.list.remove(free);
        });
    }

    @Test
    void shouldCatchOverlappingSpansWhenVerifying() {
        assertCaught("tile its pages without overlap", heap -> {
            Chunk c = heap.chunks().snapshot()[0];
            Span first = c.spanOfPage[0];
            c.spanOfPage[first.endPage()] = first; // the next page claims to start the first span
        });
    }

    @Test
    void shouldCatchUncoalescedFreeSpansWhenVerifying() {
        assertCaught("free spans are coalesced", heap -> {
            PageHeap pages = heap.pageHeap();
            pages.lock.lock();
            try {
                // Split a free run in two by hand, both halves on their lists.
                Span free = null;
                for (Chunk c : heap.chunks().snapshot()) {
                    for (Span s : c.spanOfPage) {
                        if (s != null && s.state == Span.FREE && s.pageCount >= 2 && s.list != null) {
                            free = s;
                        }
                    }
                }
                int half = free.pageCount / 2;
                Span rest = new Span(free.chunk, free.startPage + half, free.pageCount - half);
                free.list.remove(free);
                free.pageCount = half;
                free.chunk.spanOfPage[free.endPage() - 1] = free;
                free.chunk.spanOfPage[rest.startPage] = rest;
                free.chunk.spanOfPage[rest.endPage() - 1] = rest;
                pages.listOf(free.pageCount).push(free);
                pages.listOf(rest.pageCount).push(rest);
            } finally {
                pages.lock.unlock();
            }
        });
    }

    @Test
    void shouldCatchACountThatDisagreesWhenVerifying() {
        assertCaught("mallocs - frees equals the live objects", heap -> cachedSmallSpan(heap).mallocs++);
    }
}
