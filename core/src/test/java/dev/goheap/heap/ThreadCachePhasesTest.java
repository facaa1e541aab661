package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.internal.gc.HeapForGc;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The thread caches follow the collector's phases lazily (ThreadCache, "Collection phases"): mark
 * start and termination leave every cache alone; a cache's owner catches up before it next
 * allocates, and the sweep catches up the caches of owners that did not. The owner here is a
 * second thread that allocates when told, as a goroutine that parks between its allocations.
 */
class ThreadCachePhasesTest {
    private static final long SIZE = 48;

    Heap heap;
    HeapForGc gc;
    ExecutorService owner;

    @BeforeEach
    void open() {
        heap = Heap.open(1L << 30, 0);
        gc = GcAccess.of(heap);
        owner = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void close() throws Exception {
        onOwner(() -> {
            heap.releaseThreadCache();
            return null;
        });
        owner.shutdown();
        heap.verify();
        heap.close();
    }

    private <T> T onOwner(Callable<T> task) throws InterruptedException, ExecutionException {
        return owner.submit(task).get();
    }

    /** The owner allocates {@code kept}, then {@code garbage} more objects in the same span; returns kept. */
    private long keptAmongGarbage(int garbage) throws Exception {
        return onOwner(() -> {
            long kept = heap.allocate(SIZE);
            for (int i = 0; i < garbage; i++) {
                heap.allocate(SIZE);
            }
            return kept;
        });
    }

    /** A cycle up to mark termination that marks {@code kept} and nothing else: not swept after. */
    private void cycleMarking(long kept) {
        gc.finishSweep();
        gc.startMark();
        gc.mark(kept);
        gc.finishMark();
    }

    @Test
    void shouldLeaveAnIdleCacheToTheSweepAtMarkTermination() throws Exception {
        long kept = keptAmongGarbage(20);
        Span span = heap.chunks().spanInUse(kept);
        cycleMarking(kept);

        int gen = heap.cycle().sweepGen;
        assertEquals(gen - 2, span.sweepGen, "termination does not sweep the spans of an idle cache");
        heap.verify(); // an unswept span in a cache behind the phase is allowed
        assertThrows(IllegalStateException.class, gc::startMark, "a cache may hold unswept spans");

        gc.finishSweep();
        assertEquals(gen, span.sweepGen, "the sweep catches the idle cache up");
        assertEquals(1, heap.stats().liveObjects(), "its garbage swept, the marked object kept");
        heap.verify();
        long next = onOwner(() -> heap.allocate(SIZE));
        assertNotEquals(kept, next, "the kept object's slot is not handed out again");
        assertEquals(span, heap.chunks().spanInUse(next), "the owner allocates from its swept span");
        gc.startMark(); // every cache is caught up now
        gc.finishMark();
        gc.finishSweep();
    }

    @Test
    void shouldAllocateBlackFromACacheThatMissedMarkStart() throws Exception {
        long first = keptAmongGarbage(0);
        gc.finishSweep();
        gc.startMark();
        Span span = heap.chunks().spanInUse(first);
        assertFalse(SpanMarks.isMarked(span, span.slotIndexAt(first - span.base) + 1),
                "mark start does not mark the free slots of the spans caches hold");

        long black = onOwner(() -> heap.allocate(SIZE));
        assertEquals(span, heap.chunks().spanInUse(black), "from the span it held at mark start");
        assertTrue(gc.isMarked(black), "allocated while marking: black");
        gc.finishMark();
        assertEquals(heap.sizeOf(black), gc.takeAllocatedBlackBytes(), "its black bytes count as marked");

        gc.finishSweep();
        heap.verify();
        assertEquals(1, heap.stats().liveObjects(), "the white object swept, the black one kept");
        heap.sizeOf(black); // throws if it was swept
    }

    @Test
    void shouldSweepAStaleCacheBeforeItsThreadFlushesIt() throws Exception {
        long kept = keptAmongGarbage(20);
        Span span = heap.chunks().spanInUse(kept);
        cycleMarking(kept);
        int gen = heap.cycle().sweepGen;

        onOwner(() -> {
            heap.releaseThreadCache(); // a goroutine that ends after termination: no stop waits for it
            return null;
        });
        assertEquals(null, span.ownerPlain(), "its span went central");
        assertEquals(gen, span.sweepGen, "swept before it went: the collector may have looked at the lists already");
        heap.verify();
        gc.finishSweep();
        assertEquals(1, heap.stats().liveObjects());
        gc.startMark();
        gc.finishMark();
        gc.finishSweep();
        assertEquals(0, heap.stats().liveObjects(), "unmarked this time");
    }

    @Test
    void shouldCatchUpBeforeARefillThatWaitedParkedWhileTheCollectorTerminated() throws Exception {
        int perSpan = onOwner(() -> heap.chunks().spanInUse(heap.allocate(SIZE)).objectCount);
        long kept = keptAmongGarbage(perSpan - 3); // with the first, the span lacks one object to be full
        Span span = heap.chunks().spanInUse(kept);
        gc.finishSweep();
        gc.startMark();
        gc.mark(kept);
        long last = onOwner(() -> heap.allocate(SIZE)); // caught up with the mark phase; the span full now
        assertEquals(span, heap.chunks().spanInUse(last));
        assertTrue(span.isFull());

        // The next allocation refills, finds the central lock taken, and waits "parked"
        // (GcHooks#lockParked); meanwhile mark termination makes every span unswept.
        long p = allocateParkedThroughTermination(heap.centrals[span.spanClass]);
        assertEquals(heap.cycle().sweepGen, span.sweepGen,
                "the refill caught up (swept its full span) before it let the span go to the central list");
        heap.verify();
        gc.finishSweep();
        assertEquals(3, heap.stats().liveObjects(), "kept, the black one and the new one survive");
        heap.sizeOf(kept);
        heap.sizeOf(p);
        gc.startMark(); // no span was left unswept
        gc.finishMark();
        gc.finishSweep();
    }

    @Test
    void shouldStartTheCatchUpOverWhenTerminationCameWhileItWaitedParked() throws Exception {
        long kept = keptAmongGarbage(3);
        Span span = heap.chunks().spanInUse(kept);
        gc.finishSweep();
        gc.startMark(); // the owner's cache is behind the mark phase now
        gc.mark(kept);

        // The owner's next allocation catches up, finds its span's central lock taken and waits
        // "parked" (GcHooks#lockParked); meanwhile mark termination makes every span unswept.
        long p = allocateParkedThroughTermination(heap.centrals[span.spanClass]);
        assertEquals(span, heap.chunks().spanInUse(p), "from the span it held");
        assertEquals(heap.cycle().sweepGen, span.sweepGen,
                "caught up with termination, not with the mark start it began with: swept before the slot was taken");
        assertEquals(0, gc.takeAllocatedBlackBytes(), "allocated after termination: not black, not counted");
        heap.verify();
        gc.finishSweep();
        assertEquals(2, heap.stats().liveObjects(), "kept and the new object; the garbage swept");
        heap.sizeOf(kept);
    }

    @Test
    void shouldRegisterAFirstCacheParkedWithThePhaseAfterItsWait() throws Exception {
        gc.finishSweep();
        // The owner's first allocation registers its cache, finds the registry's lock taken and
        // waits "parked" (GcHooks#lockParked); meanwhile mark start changes the phase.
        CountDownLatch waiting = new CountDownLatch(1);
        gc.setHooks(new WaitingHooks(waiting));
        Future<Long> first;
        heap.caches().lock.lock();
        try {
            first = owner.submit(() -> heap.allocate(SIZE));
            assertTrue(waiting.await(30, TimeUnit.SECONDS), "the registration waited through lockParked");
            gc.startMark();
        } finally {
            heap.caches().lock.unlock();
        }
        long black = first.get();
        assertTrue(gc.isMarked(black), "allocated while marking: black");
        gc.finishMark();
        assertEquals(heap.sizeOf(black), gc.takeAllocatedBlackBytes(),
                "the cache took the phase of after its wait: it counted its black bytes");
        gc.finishSweep();
        heap.verify();
    }

    /** Hooks whose {@link GcHooks#lockParked} says when it waits: a goroutine's wait, parked, for a lock. */
    private static final class WaitingHooks extends SpareChunkTest.RecordingHooks {
        private final CountDownLatch waiting;

        WaitingHooks(CountDownLatch waiting) {
            this.waiting = waiting;
        }

        @Override
        public boolean lockParked(ReentrantLock lock) {
            waiting.countDown();
            lock.lock();
            return true; // a safepoint may have passed meanwhile
        }
    }

    @Test
    void shouldCountOnlyCachesThatCaughtUpWithTheMarkPhase() throws Exception {
        keptAmongGarbage(3); // a cache that stays idle through the cycle
        gc.finishSweep();
        gc.startMark();
        long black = heap.allocate(SIZE); // this thread's cache: made while marking, so counted
        gc.finishMark();
        assertEquals(heap.sizeOf(black), gc.takeAllocatedBlackBytes());
        gc.finishSweep();
        heap.verify();
        heap.free(black);
        heap.releaseThreadCache();
    }

    @Test
    void shouldKeepTheBlackCountOfTheEndedCycleWhenItsCacheAllocatesBeforeTheSum() throws Exception {
        gc.finishSweep();
        gc.startMark();
        long black = onOwner(() -> heap.allocate(SIZE));
        gc.finishMark(); // the sum comes after the pause, with the owner running again

        long white = onOwner(() -> heap.allocate(SIZE)); // caught up with termination first
        assertFalse(gc.isMarked(white), "allocated after termination: not black");
        assertEquals(heap.sizeOf(black), gc.takeAllocatedBlackBytes(),
                "the ended cycle's black bytes, nothing allocated after it");
        assertEquals(0, gc.takeAllocatedBlackBytes(), "taken once");
        gc.finishSweep();
        heap.verify();
    }

    @Test
    void shouldKeepTheBlackCountOfACacheReleasedBeforeTheSum() throws Exception {
        gc.finishSweep();
        gc.startMark();
        long black = onOwner(() -> heap.allocate(SIZE));
        long largeBlack = onOwner(() -> heap.allocate(64 << 10)); // counted in the shared adder
        gc.finishMark();

        onOwner(() -> {
            heap.releaseThreadCache(); // a goroutine that ends between the pause and the sum
            return null;
        });
        assertEquals(heap.sizeOf(black) + heap.sizeOf(largeBlack), gc.takeAllocatedBlackBytes(),
                "counted once: the released cache moved its count to the adder");
        gc.finishSweep();
        heap.verify();
    }

    /** Mark start resets nothing (its pause stays short): a cycle's counts, if not taken, go with the next's. */
    @Test
    void shouldCarryBlackCountsNotTakenIntoTheNextCyclesSum() throws Exception {
        gc.finishSweep();
        gc.startMark();
        long first = onOwner(() -> heap.allocate(SIZE));
        gc.finishMark();
        gc.finishSweep(); // no sum taken for this cycle

        gc.startMark();
        long second = onOwner(() -> heap.allocate(SIZE));
        gc.finishMark();
        assertEquals(heap.sizeOf(first) + heap.sizeOf(second), gc.takeAllocatedBlackBytes(),
                "both cycles' black bytes, each counted once");
        assertEquals(0, gc.takeAllocatedBlackBytes(), "taken once");
        gc.finishSweep();
        heap.verify();
    }

    @Test
    void shouldRefuseToSumTheBlackBytesWhileMarking() {
        gc.finishSweep();
        gc.startMark();
        assertThrows(IllegalStateException.class, gc::takeAllocatedBlackBytes);
        gc.finishMark();
        assertEquals(0, gc.takeAllocatedBlackBytes());
    }

    /**
     * Allocates on the owner while {@code central}'s lock is held, so that the allocation waits
     * for it "parked" ({@code GcHooks#lockParked}), and ends the mark phase (termination: every
     * span unswept) while it waits; returns what the allocation returned.
     */
    private long allocateParkedThroughTermination(CentralList central) throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        gc.setHooks(new WaitingHooks(waiting));
        Future<Long> next;
        central.lock.lock();
        try {
            next = owner.submit(() -> heap.allocate(SIZE));
            assertTrue(waiting.await(30, TimeUnit.SECONDS), "the allocation waited through lockParked");
            gc.finishMark();
        } finally {
            central.lock.unlock();
        }
        return next.get();
    }
}
