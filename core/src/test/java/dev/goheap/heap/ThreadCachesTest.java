package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.goheap.internal.gc.GcAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ThreadCachesTest {
    Heap heap;

    @BeforeEach
    void open() {
        heap = Heap.open(256L << 20, 0);
    }

    @AfterEach
    void close() {
        heap.verify();
        heap.close();
    }

    /** Two threads whose ids share a slot of the lookup table take turns in it: each keeps its own cache. */
    @Test
    void shouldGiveEachThreadItsOwnCacheWhenTheirIdsShareALookupSlot() throws Exception {
        int rounds = 20_000;
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadCache[] seen = new ThreadCache[2];
        Runnable[] tasks = new Runnable[2];
        for (int t = 0; t < 2; t++) {
            int me = t;
            tasks[t] = () -> {
                try {
                    start.await();
                    ThreadCache mine = heap.caches().get();
                    for (int i = 0; i < rounds; i++) {
                        long p = heap.allocate(48);
                        heap.setLong(p, 0, me * 1_000_000L + i);
                        assertSame(mine, heap.caches().get(), "a thread's cache never changes");
                        assertEquals(me * 1_000_000L + i, heap.getLong(p, 0), "no other thread got this slot");
                        heap.free(p); // owner path: the span is in this thread's own cache
                    }
                    seen[me] = mine;
                    heap.releaseThreadCache();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
        }
        Thread first = Thread.ofPlatform().unstarted(tasks[0]);
        Thread second = Thread.ofPlatform().unstarted(tasks[1]);
        while ((second.threadId() - first.threadId()) % 256 != 0) { // same slot of the lookup table
            second = Thread.ofPlatform().unstarted(tasks[1]);
        }
        first.start();
        second.start();
        first.join();
        second.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(first, seen[0].thread);
        assertEquals(second, seen[1].thread);
        assertEquals(0, heap.stats().liveObjects());
    }

    @Test
    void shouldNotFindAReleasedCacheWhenTheThreadAllocatesAgain() {
        ThreadCache before = heap.caches().get();
        heap.releaseThreadCache();
        ThreadCache after = heap.caches().get();
        assertNotSame(before, after, "a released cache is never handed out again");
        assertSame(after, heap.caches().get());
        heap.releaseThreadCache();
    }

    /**
     * A thread that keeps allocating one class takes spans of twice the pages each time, up to
     * {@link SizeClasses#MAX_SPAN_PAGES}, and every slot of every span holds its own object
     * (the slot arithmetic of a 16-page span: 8192 slots, the last at 128 KiB less 16 bytes).
     */
    @Test
    void shouldGrowAThreadsSpansOfAClassWhenItKeepsAllocating() {
        int n = 40_000; // 512 + 1024 + 2048 + 4096 + 8192 objects of 16 bytes fill the first five spans
        long[] ps = new long[n];
        List<Integer> pages = new ArrayList<>();
        Span last = null;
        for (int i = 0; i < n; i++) {
            ps[i] = heap.allocate(16);
            heap.setLong(ps[i], 0, i);
            heap.setLong(ps[i], 8, ~i);
            Span s = heap.chunks().spanInUse(ps[i]);
            if (s != last) {
                assertEquals(s.pageCount * SizeClasses.PAGE_BYTES / 16, s.objectCount, "a grown span's slots fill its pages");
                pages.add(s.pageCount);
                last = s;
            }
        }
        assertEquals(List.of(1, 2, 4, 8, 16, 16), pages.subList(0, 6), "pages of the thread's spans, in order");
        for (int i = 0; i < n; i++) {
            assertEquals(i, heap.getLong(ps[i], 0), "object " + i);
            assertEquals(~i, heap.getLong(ps[i], 8), "object " + i);
        }
        heap.verify();
        for (long p : ps) {
            heap.free(p);
        }
        heap.releaseThreadCache();
    }

    /** The sizing is each cache's own: a thread allocating a few objects keeps one-page spans. */
    @Test
    void shouldStartEveryCacheAtTheClassesOwnPagesWhenAnotherCachesSpansHaveGrown() throws Exception {
        long[] ps = new long[20_000];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(16);
        }
        assertEquals(SizeClasses.MAX_SPAN_PAGES, heap.chunks().spanInUse(ps[ps.length - 1]).pageCount);
        int[] otherPages = new int[1];
        Thread other = Thread.ofPlatform().start(() -> {
            long p = heap.allocate(16);
            otherPages[0] = heap.chunks().spanInUse(p).pageCount;
            heap.free(p);
            heap.releaseThreadCache();
        });
        other.join();
        assertEquals(SizeClasses.pageCount(SizeClasses.classOf(16)), otherPages[0], "a new cache's first span");
        for (long p : ps) {
            heap.free(p);
        }
        heap.releaseThreadCache();
    }

    /** Under a collector's small trigger a cache's spans stay small, whatever it allocated before. */
    @Test
    void shouldTakeSmallSpansWhenTheTriggerIsSmall() {
        GcAccess.of(heap).setTriggerBytes(8L << 20); // 8 MiB: 8 KiB spans at most
        long[] ps = new long[20_000];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(16);
            assertEquals(1, heap.chunks().spanInUse(ps[i]).pageCount, "object " + i);
        }
        GcAccess.of(heap).setTriggerBytes(Long.MAX_VALUE); // the growth went on meanwhile: 16 pages next
        long p = 0;
        for (int i = 0; i < 1024; i++) {
            p = heap.allocate(16);
        }
        assertEquals(SizeClasses.MAX_SPAN_PAGES, heap.chunks().spanInUse(p).pageCount);
        heap.free(p);
        for (long q : ps) {
            heap.free(q);
        }
        heap.releaseThreadCache();
    }
}
