package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
