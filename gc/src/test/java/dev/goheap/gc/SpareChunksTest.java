package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import dev.goheap.heap.HeapStats;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.internal.gc.HeapForGc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpareChunksTest {
    static final long CHUNK = 4L << 20;

    @Test
    void shouldRunAGoroutinesOwnMappingParkedWhenNoSpareIsReady() throws Exception {
        try (GoRuntime rt = CollectorTest.runtime(256L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            GcHooks hooks = gc.hooks();
            boolean[] parkedInside = new boolean[1];
            // What a goroutine's growth runs its mapping through (Allocation#refill): parked, so a stop
            // of the world does not wait for it; running again afterwards.
            rt.go(() -> {
                parkedInside[0] = hooks.whileParked(() -> rt.safepoints().isParked());
                assertFalse(rt.safepoints().isParked(), "running again after the mapping");
            }).join();
            assertTrue(parkedInside[0], "a goroutine maps parked");
            assertFalse(hooks.whileParked(() -> rt.safepoints().isParked()), "not a goroutine: it maps as it is");
            gc.close();
            rt.heap().verify();
        }
    }

    @Test
    void shouldHaveTheCollectorMapTheNextChunkWhenAGoroutineGrowsTheHeap() throws Exception {
        try (GoRuntime rt = CollectorTest.runtime(256L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            HeapForGc heapGc = GcAccess.of(heap);
            long[] handles = new long[2];
            // A large object of a whole chunk: each needs a new one. The first is mapped by the
            // goroutine (nothing is ready yet) and asks the collector for the next.
            rt.go(() -> handles[0] = gc.pin(heap.allocate(CHUNK))).join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (gc.spareChunksPrepared() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, gc.spareChunksPrepared(), "the collector thread mapped a spare");
            HeapStats ready = heap.stats();
            rt.go(() -> handles[1] = gc.pin(heap.allocate(CHUNK))).join();
            assertEquals(1, heapGc.spareChunksTaken(), "the second growth took it");
            assertTrue(heap.stats().chunkCount() > ready.chunkCount());
            rt.go(() -> { // an unpin while marking shades: goroutines only
                gc.unpin(handles[0]);
                gc.unpin(handles[1]);
            }).join();
            gc.close();
            heap.verify();
        }
    }
}
