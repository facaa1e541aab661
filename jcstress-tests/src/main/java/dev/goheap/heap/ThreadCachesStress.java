package dev.goheap.heap;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.I_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;

/*
 * The thread-cache lookup's racy slot array (ThreadCaches.byThreadId): every thread stores its own
 * cache with a plain store, and trusts an entry only if the entry's final thread field is itself.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=ThreadCachesStress
 *
 * With one slot, both actors' lookups race on the same array element, each overwriting the
 * other's entry. Nothing of the heap is needed for a lookup (a cache's spans are all EMPTY until
 * its first allocation), so each state has its own ThreadCaches over no central lists.
 *
 * And the lazy phase change of a cache (ThreadCache, "Collection phases"): its owner catching up
 * at its first allocation after mark termination races the collector catching up idle caches.
 * That state has a heap of its own (one 4 MiB chunk), as GcStress's states do.
 *
 * And the sum of the bytes allocated black, which the collector takes after mark termination's
 * pause (HeapForGc.takeAllocatedBlackBytes) while the goroutines run again: an owner that ends
 * then (its cache released, its count moved to the shared adder) must be counted exactly once.
 */
public final class ThreadCachesStress {
    private ThreadCachesStress() {}

    @JCStressTest
    @Description("Two threads look up their thread caches, twice each, through a fast-lookup array of "
            + "one slot: each must get its own cache, the same both times, never the other's.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Each thread got its own cache, twice; two caches registered.")
    @Outcome(expect = FORBIDDEN, desc = "A thread got the other's cache or a different cache the second time "
            + "(r1, r2 = 0), or the registry did not hold exactly two caches (r3 = 0).")
    @State
    public static class SharedSlotLookup {
        final ThreadCaches caches = new ThreadCaches(new CentralList[0], null, new CycleState(), 1);
        ThreadCache first;
        ThreadCache second;

        private int lookUpTwice() {
            ThreadCache a = caches.get();
            ThreadCache b = caches.get();
            return a.thread == Thread.currentThread() && a == b ? 1 : 0;
        }

        @Actor
        public void thread1(III_Result r) {
            first = caches.get();
            r.r1 = lookUpTwice() == 1 && caches.get() == first ? 1 : 0;
        }

        @Actor
        public void thread2(III_Result r) {
            second = caches.get();
            r.r2 = lookUpTwice() == 1 && caches.get() == second ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = first != second && caches.count() == 2 ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("A thread allocates a kept object and garbage, runs a cycle that marks the kept one "
            + "(its cache is then behind the phase: its span unswept), and allocates again, catching "
            + "its cache up; meanwhile the collector catches up idle caches. The span is swept exactly "
            + "once, before the owner's new object is taken from it.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The kept and the new object live, the garbage swept once.")
    @Outcome(expect = FORBIDDEN, desc = "An object lost (swept twice, or swept under the owner's allocation: "
            + "r1 = 0), a wrong sweep count or live count (r2 = 0), or an exception (negative).")
    @State
    public static class OwnerCatchUpVsIdleCatchUp {
        static final long SIZE = 64;
        static final int GARBAGE = 5;
        final Heap heap = Heap.open(64L << 20, 0);
        final HeapForGc gc = GcAccess.of(heap);
        long kept;
        long fresh;
        volatile boolean terminated;
        RuntimeException failure;

        @Actor
        public void owner() {
            try {
                kept = heap.allocate(SIZE);
                for (int i = 0; i < GARBAGE; i++) {
                    heap.allocate(SIZE);
                }
                gc.startMark();
                gc.mark(kept);
                gc.finishMark(); // this thread's cache is behind the phase now
                terminated = true;
                fresh = heap.allocate(SIZE); // catches up: sweeps its span, then takes a slot
            } catch (RuntimeException e) {
                failure = e;
                terminated = true;
            }
        }

        @Actor
        public void collector() {
            // As in CycleRunner: the collector catches idle caches up after termination, on the
            // thread that ran it, never while mark start or termination changes the phase (a
            // catch-up then read the marking phase and the new sweep generation, and marked the
            // free slots of a span it had just swept).
            while (!terminated) {
                Thread.onSpinWait();
            }
            heap.caches().catchUps.catchUpIdle();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            try {
                if (failure != null) {
                    r.r1 = -1;
                    return;
                }
                gc.finishSweep();
                heap.verify();
                boolean bothLive = heap.sizeOf(kept) == SIZE && heap.sizeOf(fresh) == SIZE && kept != fresh;
                r.r1 = bothLive ? 1 : 0;
                r.r2 = heap.stats().liveObjects() == 2 && gc.sweptTotals()[0] == GARBAGE ? 1 : 0;
            } catch (IllegalArgumentException lost) {
                r.r1 = 0;
            } catch (RuntimeException e) {
                r.r1 = -2;
            } finally {
                heap.close();
            }
        }
    }

    @JCStressTest
    @Description("A thread allocates one object black while marking, then mark termination ends the "
            + "cycle and the thread ends (its cache released); meanwhile the collector takes the cycle's "
            + "black bytes, after the termination. They are counted exactly once.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "The collector's take counted the object's bytes once: from the "
            + "cache, or from the shared adder the release moved them to.")
    @Outcome(expect = FORBIDDEN, desc = "The take missed them or a later take found them again (0), or an "
            + "exception (negative).")
    @State
    public static class BlackBytesTakeVsRelease {
        static final long SIZE = 64;
        final Heap heap = Heap.open(64L << 20, 0);
        final HeapForGc gc = GcAccess.of(heap);
        volatile boolean terminated;
        long taken;
        RuntimeException failure;

        @Actor
        public void owner() {
            try {
                gc.startMark();
                heap.allocate(SIZE); // black: counted in this thread's cache
                gc.finishMark();
                terminated = true; // the world runs again
                heap.releaseThreadCache(); // a goroutine ending right after the pause
            } catch (RuntimeException e) {
                failure = e;
                terminated = true;
            }
        }

        @Actor
        public void collector() {
            while (!terminated) {
                Thread.onSpinWait(); // the collector takes the sum after its pause, never before
            }
            try {
                taken = gc.takeAllocatedBlackBytes();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        @Arbiter
        public void arbiter(I_Result r) {
            try {
                if (failure != null) {
                    r.r1 = -1;
                    return;
                }
                // The collector's one take has it all, whenever the release came: nothing is left
                // over for the next cycle's take (the next mark start drops leftovers).
                r.r1 = taken == SIZE && gc.takeAllocatedBlackBytes() == 0 ? 1 : 0;
                gc.finishSweep();
                heap.verify();
            } catch (RuntimeException e) {
                r.r1 = -2;
            } finally {
                heap.close();
            }
        }
    }
}
