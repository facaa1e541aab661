package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.internal.gc.HeapForGc;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The spare chunk driven by hand: the test thread plays the collector ({@link
 * HeapForGc#prepareSpareChunk}) and counts what the heap asks of it through recording hooks.
 */
class SpareChunkTest {
    /** A chunk's bytes; also a large object of exactly a chunk's pages, which always needs a new chunk. */
    static final long CHUNK = SpareChunk.BYTES;

    /** Hooks that count the requests for a spare and the mappings run through {@link GcHooks#whileParked}. */
    static class RecordingHooks implements GcHooks {
        int spareRequests;
        int parkedMappings;

        @Override
        public <T> T whileParked(Supplier<T> mapping) {
            parkedMappings++;
            return mapping.get();
        }

        @Override
        public void spareChunkWanted() {
            spareRequests++;
        }

        @Override
        public void heapGrew(long inUseBytes) {}

        @Override
        public void heapLimitReached(long requestedBytes) {}

        @Override
        public void checkMutator() {}

        @Override
        public void poll() {}

        @Override
        public void allocated(long bytes) {}
    }

    static long spareBytes(Heap heap) {
        PageHeap pages = heap.pageHeap();
        pages.lock.lock();
        try {
            return pages.spare().bytesLocked();
        } finally {
            pages.lock.unlock();
        }
    }

    static long taken(Heap heap) {
        return GcAccess.of(heap).spareChunksTaken();
    }

    @Test
    void shouldGrowIntoTheSpareWithoutMappingWhenOneIsReady() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            RecordingHooks hooks = new RecordingHooks();
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(hooks);
            long small = heap.allocate(64); // the first growth: no spare was ready, so this thread mapped one
            assertEquals(1, taken(heap), "the first growth took the spare its thread mapped");
            assertEquals(1, hooks.spareRequests, "a growth asks for the next chunk");
            assertTrue(gc.prepareSpareChunk());
            HeapStats ready = heap.stats();
            assertEquals(2 * CHUNK, ready.heapMappedBytes(), "the spare is mapped");
            assertEquals(1, ready.chunkCount(), "but no chunk of the address space");
            assertEquals(ready.heapMappedBytes() - ready.heapInUseBytes(), ready.heapIdleBytes(), "and idle");
            heap.verify();

            long whole = heap.allocate(CHUNK); // no free run fits: a growth
            HeapStats grown = heap.stats();
            assertEquals(2, taken(heap), "the growth took the spare");
            assertEquals(1, hooks.parkedMappings, "the spare was ready: nothing mapped on this thread");
            assertEquals(2 * CHUNK, grown.heapMappedBytes(), "and mapped nothing");
            assertEquals(2, grown.chunkCount());
            assertEquals(0, spareBytes(heap));
            assertEquals(2, hooks.spareRequests, "and asked for the next one");
            heap.verify();
            heap.free(whole);
            heap.free(small);
            heap.verify();
        }
    }

    @Test
    void shouldMapTheSpareParkedWhenAnAllocationMustGrowTheHeapWithNoneReady() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            RecordingHooks hooks = new RecordingHooks();
            GcAccess.of(heap).setHooks(hooks);
            long p = heap.allocate(64); // no free page, no spare: this allocation grows the heap
            assertEquals(1, hooks.parkedMappings, "the chunk was mapped through whileParked, before any heap lock");
            assertEquals(1, taken(heap), "and the growth took it as the spare");
            HeapStats stats = heap.stats();
            assertEquals(CHUNK, stats.heapMappedBytes(), "one chunk mapped, not two");
            assertEquals(1, stats.chunkCount());
            heap.allocate(64); // the span has room: no growth, nothing mapped
            assertEquals(1, hooks.parkedMappings);
            heap.free(p);
            heap.verify();
        }
    }

    @Test
    void shouldNotParkWhenAStackBlockGrowsTheHeap() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            RecordingHooks hooks = new RecordingHooks();
            GcAccess.of(heap).setHooks(hooks);
            long stack = heap.allocateStack(1024, 7); // taken in the middle of a stack operation: no safepoint
            assertEquals(0, hooks.parkedMappings, "a stack block's growth maps under the lock, as before");
            assertEquals(0, taken(heap));
            assertEquals(CHUNK, heap.stats().heapMappedBytes());
            heap.freeStack(stack);
            heap.verify();
        }
    }

    @Test
    void shouldNotMapASpareOnTheAllocatingThreadWithoutACollector() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            heap.allocate(64);
            assertEquals(0, taken(heap), "no hooks: growths map their chunks themselves");
            assertEquals(0, spareBytes(heap));
            assertEquals(CHUNK, heap.stats().heapMappedBytes());
            heap.verify();
        }
    }

    @Test
    void shouldAskOnceUntilAnsweredWhenFreePagesRunLow() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            RecordingHooks hooks = new RecordingHooks();
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(hooks);
            for (int i = 0; i < 100; i++) {
                heap.allocate(8 << 10); // one page a span: each takes pages under a chunk's worth free
            }
            assertEquals(1, hooks.spareRequests, "asked once, however many allocations follow");
            assertTrue(gc.prepareSpareChunk());
            assertFalse(gc.prepareSpareChunk(), "one spare at most");
            assertEquals(CHUNK, spareBytes(heap));
            heap.allocate(8 << 10);
            assertEquals(1, hooks.spareRequests, "a spare is ready: nothing to ask");
            heap.allocate(CHUNK); // takes the spare
            heap.allocate(8 << 10);
            assertEquals(2, hooks.spareRequests, "the spare is gone: asked again, once");
            heap.verify();
        }
    }

    @Test
    void shouldAskNewHooksWhenTheOldOnesNeverAnswered() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            RecordingHooks old = new RecordingHooks();
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(old);
            heap.allocate(8 << 10);
            assertEquals(1, old.spareRequests);
            RecordingHooks next = new RecordingHooks(); // a collector stopped, another started
            gc.setHooks(next);
            heap.allocate(8 << 10);
            assertEquals(1, next.spareRequests, "the new hooks are asked");
            assertEquals(1, old.spareRequests, "not the old ones");
            heap.verify();
        }
    }

    @Test
    void shouldNeverPrepareASparePastTheLimit() {
        try (Heap heap = Heap.open(6L << 20, 0)) {
            RecordingHooks hooks = new RecordingHooks();
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(hooks);
            heap.allocate(64); // 4 MiB mapped: one more chunk would pass 6 MiB
            assertEquals(0, hooks.spareRequests, "no spare fits: none is asked for");
            assertFalse(gc.prepareSpareChunk());
            assertEquals(CHUNK, heap.stats().heapMappedBytes());
            heap.verify();
        }
    }

    @Test
    void shouldGiveTheSpareBackFirstWhenAGrowthWouldPassTheLimit() {
        try (Heap heap = Heap.open(12L << 20, 0)) {
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(new RecordingHooks());
            heap.allocate(64);
            assertTrue(gc.prepareSpareChunk()); // 8 MiB mapped, the spare's included
            long takenBefore = taken(heap);
            long big = heap.allocate(5L << 20); // a 5 MiB chunk: fits only without the spare
            HeapStats stats = heap.stats();
            assertEquals(0, spareBytes(heap));
            assertEquals(takenBefore, taken(heap), "too small for the request");
            assertEquals(9L << 20, stats.heapMappedBytes());
            assertEquals(CHUNK, stats.heapReleasedBytes(), "the spare went back to the OS");
            heap.verify();
            assertThrows(OutOfHeapMemoryException.class, () -> heap.allocate(4L << 20));
            heap.free(big);
            heap.verify();
        }
    }

    @Test
    void shouldReleaseTheSpareWhenScavenging() {
        try (Heap heap = Heap.open(1L << 30, 64L << 20)) {
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(new RecordingHooks());
            long p = heap.allocate(64);
            assertTrue(gc.prepareSpareChunk());
            assertEquals(CHUNK, heap.scavenge(), "the spare; the chunk in use stays");
            HeapStats stats = heap.stats();
            assertEquals(CHUNK, stats.heapMappedBytes());
            assertEquals(CHUNK, stats.heapReleasedBytes());
            heap.verify();
            heap.free(p);
        }
    }

    @Test
    void shouldKeepTheSpareWhenFreeChunksGoBackBeyondTheRetainedBytes() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(new RecordingHooks());
            long p = heap.allocate(200 << 10); // 25 pages: too large for a stripe's cache
            assertTrue(gc.prepareSpareChunk());
            heap.free(p); // its chunk is wholly free: retain 0 gives it back
            HeapStats stats = heap.stats();
            assertEquals(0, stats.chunkCount());
            assertEquals(CHUNK, stats.heapMappedBytes(), "the spare stays for the next growth");
            assertEquals(CHUNK, stats.heapIdleBytes());
            heap.verify();
        }
    }

    @Test
    void shouldReleaseEveryByteOfTheSpareWhenClosed() {
        Heap heap = Heap.open(1L << 30, 0);
        HeapForGc gc = GcAccess.of(heap);
        gc.setHooks(new RecordingHooks());
        heap.allocate(64);
        assertTrue(gc.prepareSpareChunk());
        heap.close();
        PageHeap pages = heap.pageHeap();
        pages.lock.lock();
        try {
            assertEquals(0, pages.mappedBytesLocked());
            assertEquals(2 * CHUNK, pages.releasedBytesLocked());
            assertEquals(0, pages.spare().bytesLocked());
        } finally {
            pages.lock.unlock();
        }
        assertFalse(gc.prepareSpareChunk(), "a closed heap takes no spare (a collector mapping one meanwhile)");
        pages.lock.lock();
        try {
            assertEquals(0, pages.mappedBytesLocked());
        } finally {
            pages.lock.unlock();
        }
    }

    @Test
    void shouldReportAMappedCountThatMissesTheSpare() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            HeapForGc gc = GcAccess.of(heap);
            gc.setHooks(new RecordingHooks());
            heap.allocate(64);
            assertTrue(gc.prepareSpareChunk());
            PageHeap pages = heap.pageHeap();
            pages.lock.lock();
            try {
                pages.countMappedLocked(-CHUNK); // the spare forgotten by the count
            } finally {
                pages.lock.unlock();
            }
            InternalError e = assertThrows(InternalError.class, heap::verify);
            assertTrue(e.getMessage().contains("mapped byte count"), e.getMessage());
            pages.lock.lock();
            try {
                pages.countMappedLocked(CHUNK);
            } finally {
                pages.lock.unlock();
            }
            heap.verify();
        }
    }
}
