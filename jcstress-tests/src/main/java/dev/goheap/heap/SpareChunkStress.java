package dev.goheap.heap;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * The spare chunk's two preparers: the collector thread ({@code HeapForGc#prepareSpareChunk})
 * and a goroutine about to grow the heap with none ready ({@link SpareChunk#prepareWhileParked},
 * from {@code Allocation#refill}). See also {@code HeapStress.SpareChunkVsGrowth}.
 *
 * <p>Each state has a heap of its own, closed by its arbiter: jcstress runs the actors over a
 * batch of states before their arbiters, so with one heap shared by all states a state's spare,
 * not yet given back, made the next state's preparers both decline (quick mode: 2.2 million
 * such samples; sanity mode's batches are too small to show it).
 */
public final class SpareChunkStress {
    private SpareChunkStress() {}

    @JCStressTest
    @Description("The collector thread and a goroutine both map a spare chunk outside the page heap's "
            + "lock and publish it under the lock: exactly one is published, the other's memory goes "
            + "straight back, and the mapped bytes count one spare.")
    @Outcome(id = {"published, declined, one spare", "declined, published, one spare"}, expect = ACCEPTABLE,
            desc = "One preparer published; the other found a spare (before mapping, or at its publish) and declined.")
    @Outcome(expect = FORBIDDEN, desc = "Both published (a spare lost or counted twice), neither did, an "
            + "exception, or the mapped bytes off by a chunk.")
    @State
    public static class PrepareVsPrepare {
        final Heap heap = Heap.open(64L << 20, 0); // maps nothing until asked: a spare is all it maps here
        final HeapForGc heapGc = GcAccess.of(heap);

        @Actor
        public void collector(LLL_Result r) {
            try {
                r.r1 = heapGc.prepareSpareChunk() ? "published" : "declined";
            } catch (RuntimeException e) {
                r.r1 = e.toString();
            }
        }

        @Actor
        public void goroutine(LLL_Result r) {
            try {
                // The no-collector hooks: their parked mapping runs as it is (this thread is no goroutine).
                r.r2 = heap.pageHeap().spare().prepareWhileParked(CycleState.NO_HOOKS) ? "published" : "declined";
            } catch (RuntimeException e) {
                r.r2 = e.toString();
            }
        }

        @Arbiter
        public void owner(LLL_Result r) {
            PageHeap pages = heap.pageHeap();
            pages.lock.lock();
            try {
                long spare = pages.spare().bytesLocked();
                long mapped = pages.mappedBytesLocked();
                boolean counted = spare == SpareChunk.BYTES && mapped == SpareChunk.BYTES;
                r.r3 = counted ? "one spare" : "spare " + spare + ", mapped " + mapped;
            } finally {
                pages.lock.unlock();
            }
            heap.close(); // gives the spare back
        }
    }
}
