package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.gc.GcAccess;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import dev.goheap.internal.gc.HeapForGc;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The large-object path: stripes, their caches of freed spans, and every point that flushes them. */
class LargeObjectsTest {
    static final long LARGE = 64 << 10;
    static final int LARGE_PAGES = (int) (LARGE >>> SizeClasses.PAGE_SHIFT);

    Heap heap;

    @BeforeEach
    void open() {
        heap = Heap.open(1L << 30, 0);
    }

    @AfterEach
    void close() {
        if (!heap.isClosed()) {
            heap.verify();
            heap.close();
        }
    }

    private LargeStripe myStripe() {
        return heap.large().stripeOf(Thread.currentThread());
    }

    private static int cachedPages(LargeStripe stripe) {
        stripe.lock.lock();
        try {
            return stripe.cachedPagesLocked();
        } finally {
            stripe.lock.unlock();
        }
    }

    private static void runOnOtherThread(Runnable task) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void shouldForgetTheLastTypesPointerFieldsWhenAReusedSpanHoldsAnotherType() {
        ObjectType first = ObjectType.of("First", MemoryLayout.structLayout(JAVA_LONG.withName("a"),
                JAVA_LONG.withName("b"), MemoryLayout.sequenceLayout(8190, JAVA_LONG).withName("rest")), "b");
        ObjectType second = ObjectType.of("Second", MemoryLayout.structLayout(JAVA_LONG.withName("a"),
                JAVA_LONG.withName("b"), MemoryLayout.sequenceLayout(8190, JAVA_LONG).withName("rest")), "a");
        long p = heap.newObject(first);
        heap.free(p);
        long q = heap.newObject(second);
        assertEquals(p, q, "the cached span is reused");
        heap.setLong(q, first.offsetOf("b"), 42); // a pointer field of the last type only
        assertEquals(42, heap.getLong(q, first.offsetOf("b")));
        assertThrows(IllegalArgumentException.class, () -> heap.setLong(q, second.offsetOf("a"), 1));
        heap.writePointer(q, second.offsetOf("a"), q);
        heap.free(q);
    }

    @Test
    void shouldReuseTheThreadsOwnFreedSpanZeroedWhenItAllocatesTheSamePageCount() {
        long p = heap.allocate(LARGE);
        heap.setLong(p, LARGE - 8, -1L);
        heap.free(p);
        assertEquals(LARGE_PAGES, cachedPages(myStripe()), "the freed span waits in the stripe");
        HeapStats cached = heap.stats();
        assertEquals(0, cached.heapInUseBytes(), "a cached span holds no object");
        assertEquals(cached.heapMappedBytes(), cached.heapIdleBytes(), "it counts as idle");
        heap.verify();

        long q = heap.allocate(LARGE - 100); // the same 8 pages
        assertEquals(p, q, "the thread's own block, still in its core's cache");
        assertEquals(0, cachedPages(myStripe()));
        assertEquals(0L, heap.getLong(q, LARGE - 8), "zeroed on reuse");
        HeapStats live = heap.stats();
        assertEquals(2, live.mallocs());
        assertEquals(1, live.frees());
        assertEquals(1, live.liveObjects());
        assertEquals(LARGE, live.heapInUseBytes());
        heap.verify();
        heap.free(q);
    }

    @Test
    void shouldRefuseADoubleFreeAndEveryUseWhenTheSpanIsCached() {
        long p = heap.allocate(LARGE);
        heap.free(p);
        HeapStats before = heap.stats();
        assertThrows(IllegalArgumentException.class, () -> heap.free(p));
        assertThrows(IllegalArgumentException.class, () -> heap.getLong(p, 0));
        assertThrows(IllegalArgumentException.class, () -> heap.setLong(p, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(p));
        assertThrows(IllegalArgumentException.class, () -> heap.segment(p));
        assertThrows(IllegalArgumentException.class, () -> heap.checkPointer(p));
        assertThrows(IllegalArgumentException.class, () -> heap.freeStack(p));
        assertEquals(before, heap.stats(), "nothing changed");
        assertEquals(LARGE_PAGES, cachedPages(myStripe()), "still cached once");
        heap.verify();
        long q = heap.allocate(LARGE);
        assertEquals(p, q);
        heap.free(q);
        assertThrows(IllegalArgumentException.class, () -> heap.free(q));
    }

    @Test
    void shouldRefuseAnInteriorPointerWhenFreeingALargeObject() {
        long p = heap.allocate(LARGE);
        assertThrows(IllegalArgumentException.class, () -> heap.free(p + 8));
        assertThrows(IllegalArgumentException.class, () -> heap.free(p + SizeClasses.PAGE_BYTES));
        heap.verify();
        heap.free(p);
    }

    @Test
    void shouldKeepTheCacheWithinItsBoundsWhenManySpansAreFreed() {
        long[] ps = new long[10];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(LARGE);
        }
        for (long p : ps) {
            heap.free(p);
            LargeStripe stripe = myStripe();
            stripe.lock.lock();
            try {
                assertTrue(stripe.cachedCountLocked() <= LargeStripe.MAX_CACHED_SPANS);
                assertTrue(stripe.cachedPagesLocked() <= LargeStripe.MAX_CACHED_PAGES);
            } finally {
                stripe.lock.unlock();
            }
        }
        assertEquals(LargeStripe.MAX_CACHED_PAGES, cachedPages(myStripe()), "full: 4 spans of 8 pages");
        heap.verify();
        // The newest spans stay: the last one freed comes back first.
        assertEquals(ps[ps.length - 1], heap.allocate(LARGE));
        assertEquals(ps[ps.length - 2], heap.allocate(LARGE));
        assertEquals(0, heap.stats().liveObjects() - 2);
        heap.free(ps[ps.length - 2]);
        heap.free(ps[ps.length - 1]);
        heap.verify();
    }

    @Test
    void shouldSendSpansLongerThanTheCacheTakesStraightToThePageHeap() {
        long big = heap.allocate((long) (LargeStripe.MAX_SPAN_PAGES + 1) << SizeClasses.PAGE_SHIFT);
        heap.free(big);
        assertEquals(0, cachedPages(myStripe()));
        assertEquals(0, heap.stats().heapMappedBytes(), "retain 0: its chunk went back to the OS");
    }

    @Test
    void shouldCacheInTheAllocatingThreadsStripeWhenAnotherThreadFrees() throws Exception {
        long p = heap.allocate(LARGE);
        runOnOtherThread(() -> heap.free(p));
        assertEquals(LARGE_PAGES, cachedPages(myStripe()));
        heap.verify();
        assertEquals(p, heap.allocate(LARGE));
        heap.free(p);
    }

    @Test
    void shouldFlushTheStripeWhenAThreadReleasesItsCache() throws Exception {
        LargeStripe[] used = new LargeStripe[1];
        runOnOtherThread(() -> {
            used[0] = heap.large().stripeOf(Thread.currentThread());
            heap.free(heap.allocate(LARGE)); // a thread that allocates only large objects
            assertEquals(LARGE_PAGES, cachedPages(used[0]));
            heap.releaseThreadCache();
        });
        assertEquals(0, cachedPages(used[0]));
        assertEquals(0, heap.stats().heapMappedBytes(), "retain 0: the chunk went back to the OS");
    }

    @Test
    void shouldFlushTheStripeWhenADeadThreadsCacheIsReaped() throws Exception {
        LargeStripe[] used = new LargeStripe[1];
        runOnOtherThread(() -> {
            used[0] = heap.large().stripeOf(Thread.currentThread());
            heap.free(heap.allocate(64)); // registers a thread cache
            heap.free(heap.allocate(LARGE));
        }); // ends without releasing anything
        assertEquals(LARGE_PAGES, cachedPages(used[0]));
        assertEquals(1, heap.reapThreadCaches());
        assertEquals(0, cachedPages(used[0]));
        heap.verify();
    }

    @Test
    void shouldNotStrandLargeSpansWhenThousandsOfShortLivedThreadsFreeThem() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            runOnOtherThread(() -> heap.free(heap.allocate(LARGE + (Thread.currentThread().threadId() & 3) * 8192)));
        }
        long cached = heap.large().cachedBytesRacy();
        assertTrue(cached <= (long) LargeObjects.STRIPES * LargeStripe.MAX_CACHED_PAGES * SizeClasses.PAGE_BYTES,
                "bounded heap-wide, however many threads: " + cached);
        assertTrue(heap.stats().heapMappedBytes() <= 8L << 20, "two chunks at most");
        heap.verify();
        heap.scavenge();
        assertEquals(0, heap.stats().heapMappedBytes(), "nothing stranded");
    }

    @Test
    void shouldGiveCachedSpansBackWhenScavenging() {
        try (Heap retaining = Heap.open(1L << 30, 64L << 20)) {
            retaining.free(retaining.allocate(LARGE));
            assertTrue(retaining.stats().heapMappedBytes() > 0);
            assertTrue(retaining.scavenge() > 0);
            assertEquals(0, retaining.stats().heapMappedBytes(), "the cached span no longer pins its chunk");
            assertEquals(0, retaining.large().cachedBytesRacy());
            retaining.verify();
        }
    }

    @Test
    void shouldUseCachedSpansBeforeReportingOutOfMemoryWhenALargeObjectMeetsTheLimit() {
        try (Heap small = Heap.open(4L << 20, 0)) { // one chunk
            small.free(small.allocate(LARGE)); // 8 pages cached
            long whole = assertDoesNotThrow(() -> small.allocate(4L << 20), "needs the cached pages");
            small.verify();
            small.free(whole);
            small.verify();
        }
    }

    @Test
    void shouldUseCachedSpansBeforeReportingOutOfMemoryWhenASmallObjectMeetsTheLimit() {
        try (Heap small = Heap.open(4L << 20, 0)) {
            small.free(small.allocate(LARGE)); // 8 pages cached
            long rest = small.allocate((4L << 20) - LARGE); // every page but the cached ones
            long p = assertDoesNotThrow(() -> small.allocate(64), "a new span needs a cached page");
            assertEquals(0, small.large().cachedBytesRacy());
            small.verify();
            small.free(p);
            small.free(rest);
            small.releaseThreadCache();
            small.verify();
        }
    }

    @Test
    void shouldFlushCachedSpansWhenClosing() {
        heap.free(heap.allocate(LARGE));
        LargeStripe stripe = myStripe();
        heap.verify();
        heap.close();
        assertEquals(0, cachedPages(stripe));
        assertThrows(IllegalStateException.class, () -> heap.allocate(LARGE));
    }

    @Test
    void shouldAllocateBlackAndSweepDroppedObjectsWhenTheSpanCameFromTheCache() {
        HeapForGc gc = GcAccess.of(heap);
        long kept = heap.allocate(LARGE);
        long a = heap.allocate(LARGE);
        long b = heap.allocate(LARGE);
        heap.free(a);
        heap.free(b); // two spans cached
        gc.startMark();
        long black = heap.allocate(LARGE); // from the cache, while marking
        assertTrue(gc.isMarked(black), "allocated black");
        long dropped = heap.allocate(LARGE); // from the cache too; dropped without free after the cycle
        assertTrue(gc.isMarked(dropped));
        gc.finishMark(); // kept is unmarked: garbage; black and dropped survive this cycle
        assertEquals(2 * LARGE, gc.takeAllocatedBlackBytes());
        heap.verify();
        gc.finishSweep();
        heap.verify();
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(kept), "unmarked: swept");
        assertEquals(2, heap.stats().liveObjects());
        heap.free(black);
        gc.startMark(); // nothing marks dropped this time
        gc.finishMark();
        gc.finishSweep();
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(dropped), "dropped without free: collected");
        assertEquals(0, heap.stats().liveObjects());
        assertNotEquals(0, cachedPages(myStripe()), "black's span was freed into the cache, not swept");
        heap.verify();
    }

    @Test
    void shouldNeverHandOutOneBlockTwiceWhenTwoThreadsAllocateAndFree() throws Exception {
        int rounds = 20_000;
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            long stamp = t + 1;
            threads[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    Set<Long> mine = new HashSet<>();
                    long[] held = new long[3];
                    for (int i = 0; i < rounds; i++) {
                        int k = i % held.length;
                        if (held[k] != 0) {
                            assertEquals(stamp * rounds + i - held.length, heap.getLong(held[k], 0), "no one else wrote it");
                            heap.free(held[k]);
                        }
                        long size = LARGE + (long) (i % 5) * SizeClasses.PAGE_BYTES;
                        held[k] = heap.allocate(size);
                        assertEquals(0L, heap.getLong(held[k], size - 8), "zeroed");
                        heap.setLong(held[k], size - 8, stamp);
                        heap.setLong(held[k], 0, stamp * rounds + i);
                        mine.add(held[k]);
                    }
                    for (long p : held) {
                        heap.free(p);
                    }
                    seen.addAll(mine);
                    heap.releaseThreadCache();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertFalse(seen.isEmpty());
        assertEquals(0, heap.stats().liveObjects());
        assertEquals(2L * rounds, heap.stats().mallocs());
    }
}
