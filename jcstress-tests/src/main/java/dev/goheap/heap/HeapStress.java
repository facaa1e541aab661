package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.GoRuntime;
import dev.goheap.heap.StressObjects.Allocation;
import dev.goheap.heap.StressObjects.Victim;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.L_Result;

/*
 * Races on the heap's shared structures: thread caches, central lists, large stripes, the page heap
 * and its spare chunk.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=HeapStress
 *   (one race: -Djcstress.tests=HeapStress.RefillVsLargeFree; a real run: -Djcstress.mode=quick,
 *   about 80 s per test on 2 cores; CI runs the whole suite in sanity mode, a smoke test)
 *
 * Sizes are chosen for the span they use (8 KiB pages, see SizeClasses):
 *   SMALL          64 B   128 objects per 1-page span: the thread-cache fast path
 *   ONE_PER_SPAN    8 KiB   1 object per 1-page span: every allocation refills from the central list
 *   LARGEST_SMALL  32 KiB  1 object per 4-page span: every allocation needs 4 contiguous pages
 *   LARGE          40 KiB  a large object, 5 pages: its stripe's cache, else the page heap
 *
 * jcstress builds each state on one of the two actor threads (in its arbiter phase), so a
 * state's victim sits in the thread cache of the freeing actor for half the states and of the
 * allocating actor for the other half: both "free into my own cache" and "free into the cache
 * of the thread that is allocating from it right now" race.
 *
 * Arbiters check only their own state's objects (see StressObjects: stamps catch a pointer
 * owned by two states) and free them; Heap.verify() cannot run while other states allocate.
 * Actors keep RuntimeExceptions for the arbiter (a FORBIDDEN outcome naming them); an
 * InternalError, a broken heap invariant, is not caught: jcstress reports the test as an
 * error with its stack trace.
 */
public final class HeapStress {
    static final long SMALL = 64;
    static final long ONE_PER_SPAN = 8 << 10;
    static final long LARGEST_SMALL = 32 << 10;
    static final long LARGE = 40 << 10;

    /**
     * One runtime for every state of every test in the fork: jcstress makes states millions of
     * times, and each arbiter frees what its state allocated, so the heap stays at the objects
     * of the ~10,000 states alive at once (at most 72 KiB each, ~0.7 GiB) below the limit.
     */
    static final GoRuntime RT = GoRuntime.builder().heapLimitBytes(4L << 30).build();
    static final Heap HEAP = RT.heap();

    private HeapStress() {}

    @JCStressTest
    @Description("Two threads allocate 8 KiB objects at once. The class has one object per span, so "
            + "each call refills from the central list or the page heap: the locked paths race every time.")
    @Outcome(id = "distinct", expect = ACCEPTABLE, desc = "Each allocator got its own live, zeroed object.")
    @Outcome(expect = FORBIDDEN, desc = "One pointer handed out twice (here or across states), an object "
            + "not zeroed or of the wrong size, a stamp overwritten, or an exception.")
    @State
    public static class SameClassAllocation {
        private final long id = StressObjects.nextIds(2);
        private final Allocation a1 = new Allocation(ONE_PER_SPAN, id);
        private final Allocation a2 = new Allocation(ONE_PER_SPAN, id + 1);

        @Actor
        public void allocator1() {
            a1.run(HEAP);
        }

        @Actor
        public void allocator2() {
            a2.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = distinct(a1, a2);
        }
    }

    @JCStressTest
    @Description("Two threads allocate 64 B objects and each then releases its thread cache, so the "
            + "next allocation takes a span from the shared central list: cache refill and flush race "
            + "under the central list's lock, and a span must never be owned by two caches.")
    @Outcome(id = "distinct", expect = ACCEPTABLE, desc = "Each allocator got its own live, zeroed object.")
    @Outcome(expect = FORBIDDEN, desc = "One pointer handed out twice (one span cached by both threads), "
            + "an object not zeroed or of the wrong size, a stamp overwritten, or an exception.")
    @State
    public static class SameClassAllocationThroughCentral {
        private final long id = StressObjects.nextIds(2);
        private final Allocation a1 = new Allocation(SMALL, id);
        private final Allocation a2 = new Allocation(SMALL, id + 1);

        @Actor
        public void allocator1() {
            a1.run(HEAP);
            HEAP.releaseThreadCache();
        }

        @Actor
        public void allocator2() {
            a2.run(HEAP);
            HEAP.releaseThreadCache();
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = distinct(a1, a2);
        }
    }

    @JCStressTest
    @Description("One thread frees an 8 KiB object, the only object of its span, so the span empties and "
            + "goes back (to the page heap, or parked in the owning cache); meanwhile another thread "
            + "allocates from the same class.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got another span.")
    @Outcome(id = "reused", expect = ACCEPTABLE, desc = "The free finished first and the allocation "
            + "got the freed object back, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "The freed object handed out while still live, handed out "
            + "unzeroed, a stamp overwritten by a late free, a free that failed, or an exception.")
    @State
    public static class FreeLastObjectVsAllocate {
        private final Victim victim = new Victim(HEAP, ONE_PER_SPAN);
        private final Allocation allocation = new Allocation(ONE_PER_SPAN, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void allocator() {
            allocation.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("One thread frees a 40 KiB large object (5 pages back to the page heap, coalescing with "
            + "free neighbours) while another allocates a 32 KiB object, whose class needs a new 4-page "
            + "span on every call: span refill from the page heap races with the large free.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The new span came from other pages.")
    @Outcome(id = {"reused", "carved"}, expect = ACCEPTABLE, desc = "The large free finished first and "
            + "the new span was cut from its pages (at its start, or inside it).")
    @Outcome(expect = FORBIDDEN, desc = "Pages handed out while still in use, an object not zeroed or "
            + "of the wrong size, a stamp overwritten, a free that failed, or an exception.")
    @State
    public static class RefillVsLargeFree {
        private final Victim victim = new Victim(HEAP, LARGE);
        private final Allocation allocation = new Allocation(LARGEST_SMALL, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void allocator() {
            allocation.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("One thread frees a 40 KiB large object while another allocates one of the same size: "
            + "each through a stripe (the victim's and the allocator's: one for half the states), where the "
            + "free caches the span (evicting the oldest to the page heap, which coalesces) and the "
            + "allocation takes a cached span or splits a page heap run.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got other pages.")
    @Outcome(id = {"reused", "carved"}, expect = ACCEPTABLE, desc = "The free finished first and the "
            + "allocation got (some of) the freed pages, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "Pages handed out while still in use, an object not zeroed or "
            + "of the wrong size, a stamp overwritten, a free that failed, or an exception.")
    @State
    public static class LargeAllocationVsLargeFree {
        private final Victim victim = new Victim(HEAP, LARGE);
        private final Allocation allocation = new Allocation(LARGE, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void allocator() {
            allocation.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("Two threads allocate 40 KiB large objects at once, each through the stripe its thread "
            + "id selects. Arbiters free what the states got into the stripes' caches, so most calls take "
            + "a cached span while the other thread takes or caches one: no span may go to both.")
    @Outcome(id = "distinct", expect = ACCEPTABLE, desc = "Each allocator got its own live, zeroed object.")
    @Outcome(expect = FORBIDDEN, desc = "One pointer handed out twice (here or across states), an object "
            + "not zeroed or of the wrong size, a stamp overwritten, or an exception.")
    @State
    public static class LargeAllocationPair {
        private final long id = StressObjects.nextIds(2);
        private final Allocation a1 = new Allocation(LARGE, id);
        private final Allocation a2 = new Allocation(LARGE, id + 1);

        @Actor
        public void allocator1() {
            a1.run(HEAP);
        }

        @Actor
        public void allocator2() {
            a2.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = distinct(a1, a2);
        }
    }

    @JCStressTest
    @Description("One thread frees a 40 KiB large object into the cache of the stripe that registers it "
            + "while another allocates one and then releases its thread cache, which empties its stripe's "
            + "cache into the page heap. The victim was made by either actor thread, so for half the "
            + "states both work on one stripe: the free's cache insert races with the flush.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got other pages.")
    @Outcome(id = {"reused", "carved"}, expect = ACCEPTABLE, desc = "The free finished first and the "
            + "allocation got (some of) the freed pages, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "Pages handed out while still in use or cached, a span lost or "
            + "freed twice by the flush, an object not zeroed, a stamp overwritten, or an exception.")
    @State
    public static class LargeFreeVsStripeFlush {
        private final Victim victim = new Victim(HEAP, LARGE);
        private final Allocation allocation = new Allocation(LARGE, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void flusher() {
            allocation.run(HEAP);
            HEAP.releaseThreadCache();
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("One thread frees a 40 KiB large object while another scavenges, which first empties "
            + "every stripe's cache into the page heap, and then allocates one: the free's cache insert "
            + "races with a flush from whichever stripe the scavenger uses.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got other pages.")
    @Outcome(id = {"reused", "carved"}, expect = ACCEPTABLE, desc = "The free finished first and the "
            + "allocation got (some of) the freed pages, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "Pages handed out while still in use or cached, a span lost or "
            + "freed twice by the flush, an object not zeroed, a stamp overwritten, or an exception.")
    @State
    public static class LargeFreeVsScavenge {
        private final Victim victim = new Victim(HEAP, LARGE);
        private final Allocation allocation = new Allocation(LARGE, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void scavenger() {
            HEAP.scavenge();
            allocation.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("One thread frees a 64 B object while another allocates a 64 B object. The victim lies "
            + "in a span cached by the freeing thread (its own free, no lock) or by the allocating "
            + "thread (a remote free parked under the central lock while the owner allocates lock-free).")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got another slot.")
    @Outcome(id = "reused", expect = ACCEPTABLE, desc = "The free finished first and the allocation got "
            + "the freed slot back, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "A pointer that is still live handed out again, an object not "
            + "zeroed, a stamp overwritten, a free that failed, or an exception.")
    @State
    public static class FreeVsAllocateSameClass {
        private final Victim victim = new Victim(HEAP, SMALL);
        private final Allocation allocation = new Allocation(SMALL, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
        }

        @Actor
        public void allocator() {
            allocation.run(HEAP);
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    @JCStressTest
    @Description("As FreeVsAllocateSameClass, but both threads release their thread cache after their "
            + "step: spans move between the caches and the central list all the time, so frees race "
            + "with cache flushes (merging parked frees, clearing the owner) and with refills.")
    @Outcome(id = "fresh", expect = ACCEPTABLE, desc = "The allocation got another slot.")
    @Outcome(id = "reused", expect = ACCEPTABLE, desc = "The free finished first and the allocation got "
            + "the freed slot back, zeroed.")
    @Outcome(expect = FORBIDDEN, desc = "A pointer that is still live handed out again, a free lost "
            + "or applied twice by a flush, an object not zeroed, a stamp overwritten, or an exception.")
    @State
    public static class FreeVsAllocateWithCacheRelease {
        private final Victim victim = new Victim(HEAP, SMALL);
        private final Allocation allocation = new Allocation(SMALL, StressObjects.nextIds(1));

        @Actor
        public void freer() {
            victim.free(HEAP);
            HEAP.releaseThreadCache();
        }

        @Actor
        public void allocator() {
            allocation.run(HEAP);
            HEAP.releaseThreadCache();
        }

        @Arbiter
        public void owner(L_Result r) {
            r.r1 = afterFree(victim, allocation);
        }
    }

    /** A cell holding one pointer: what {@link PublishViaPointerField} hands objects through. */
    static final ObjectType CELL = ObjectType.of("Cell",
            MemoryLayout.structLayout(JAVA_LONG.withName("ref")), "ref");
    static final long REF = CELL.offsetOf("ref");
    /** The published object: two plain fields the writer fills before publishing. */
    static final ObjectType BOX = ObjectType.of("Box",
            MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_LONG.withName("b")));
    static final long A = BOX.offsetOf("a");
    static final long B = BOX.offsetOf("b");

    @JCStressTest
    @Description("A writer allocates an object, fills its fields and stores its pointer into a heap cell "
            + "with writePointerRelease; a reader loads the cell with readPointerAcquire and, if it sees "
            + "the pointer, reads the fields.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The reader ran before the store: nil.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The reader saw the pointer and both fields.")
    @Outcome(expect = FORBIDDEN, desc = "The reader saw the pointer but not the contents written before "
            + "it (0 = zero, 2 = stale bytes), or something threw (-1 reader, -2 writer, -3 cleanup).")
    @State
    public static class PublishViaPointerField {
        private final long id = StressObjects.nextIds(2);
        private final long cell = HEAP.newObject(CELL);
        private long p;                  // writer, then arbiter
        private RuntimeException thrown; // writer, then arbiter

        @Actor
        public void writer() {
            try {
                long q = HEAP.newObject(BOX);
                p = q;
                HEAP.setLong(q, A, id);
                HEAP.setLong(q, B, id + 1);
                HEAP.writePointerRelease(cell, REF, q);
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        @Actor
        public void reader(III_Result r) {
            try {
                long q = HEAP.readPointerAcquire(cell, REF);
                if (q != 0) {
                    r.r1 = 1;
                    r.r2 = field(HEAP.getLong(q, A), id);
                    r.r3 = field(HEAP.getLong(q, B), id + 1);
                }
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Arbiter
        public void owner(III_Result r) {
            if (thrown != null) {
                r.r1 = -2;
            }
            try {
                HEAP.writePointer(cell, REF, 0);
                if (p != 0) {
                    HEAP.free(p);
                }
                HEAP.free(cell);
            } catch (RuntimeException e) {
                r.r1 = -3;
            }
        }
    }

    /**
     * The heap of {@link SpareChunkVsGrowth}, no collector: retain 0, so the chunk of each
     * state's growth goes back to the OS when its object is freed, and the next state grows again.
     */
    static final Heap GROWING = Heap.open(64L << 20, 0);
    static final HeapForGc GROWING_GC = GcAccess.of(GROWING);

    @JCStressTest
    @Description("A collector thread maps a spare chunk outside the page heap's lock and publishes it "
            + "under the lock, while a mutator allocates a 4 MiB object, which needs a new chunk: the "
            + "growth takes the spare if it is published, else maps a chunk itself. A spare the "
            + "mutator did not take stays for the next state's growth.")
    @Outcome(id = {"spare, published", "spare, declined"}, expect = ACCEPTABLE, desc = "The growth took a "
            + "spare: this state's, published first, or the last state's (this one found it and declined).")
    @Outcome(id = {"mapped, published", "mapped, declined"}, expect = ACCEPTABLE, desc = "The growth came "
            + "first and mapped its chunk; the spare was published after it (or, across states, found).")
    @Outcome(expect = FORBIDDEN, desc = "An exception (the limit hit by a spare counted twice or never "
            + "released), memory not zeroed, a stamp lost (one chunk's memory handed out twice), or "
            + "more mapped than a growth's chunk and one spare.")
    @State
    public static class SpareChunkVsGrowth {
        private final long id = StressObjects.nextIds(1);

        @Actor
        public void mutator(LL_Result r) {
            try {
                long before = GROWING_GC.spareChunksTaken(); // only this actor's thread grows this heap
                long p = GROWING.allocate(SpareChunk.BYTES);
                long last = SpareChunk.BYTES - 8;
                String problem = StressObjects.first(
                        GROWING.getLong(p, 0) != 0 || GROWING.getLong(p, last / 2) != 0
                                || GROWING.getLong(p, last) != 0 ? "not zeroed" : null);
                GROWING.setLong(p, 0, id);
                GROWING.setLong(p, last, id);
                if (GROWING.getLong(p, 0) != id || GROWING.getLong(p, last) != id) {
                    problem = StressObjects.first(problem, "stamp lost");
                }
                GROWING.free(p);
                r.r1 = StressObjects.first(problem, GROWING_GC.spareChunksTaken() > before ? "spare" : "mapped");
            } catch (RuntimeException e) {
                r.r1 = e.toString();
            }
        }

        @Actor
        public void collector(LL_Result r) {
            try {
                r.r2 = GROWING_GC.prepareSpareChunk() ? "published" : "declined";
            } catch (RuntimeException e) {
                r.r2 = e.toString();
            }
        }

        @Arbiter
        public void owner(LL_Result r) {
            long mapped = GROWING.stats().heapMappedBytes(); // other states may be growing: a recent value
            if (mapped > 2 * SpareChunk.BYTES) {
                r.r1 = "mapped " + mapped;
            }
        }
    }

    /** Codes a field the reader saw: 1 what the writer wrote, 0 zero, 2 anything else (stale). */
    static int field(long seen, long written) {
        return seen == written ? 1 : seen == 0 ? 0 : 2;
    }

    /** Arbiter of two allocations: "distinct" if both are fine and differ; frees both. */
    static String distinct(Allocation a1, Allocation a2) {
        String problem = StressObjects.first(
                a1.p != 0 && a1.p == a2.p ? "same pointer" : null,
                a1.problem(HEAP, "allocator1"),
                a2.problem(HEAP, "allocator2"));
        String freed = StressObjects.first(
                a1.free(HEAP, "allocator1"),
                a1.p == a2.p ? null : a2.free(HEAP, "allocator2"));
        return StressObjects.first(problem, freed, "distinct");
    }

    /** Arbiter of a free racing an allocation: where the allocation came from; frees it. */
    static String afterFree(Victim victim, Allocation allocation) {
        String problem = StressObjects.first(
                victim.problem(HEAP, "freer"),
                allocation.problem(HEAP, "allocator"));
        String freed = allocation.free(HEAP, "allocator");
        return StressObjects.first(problem, freed,
                StressObjects.whereFrom(allocation.p, victim.p, victim.byteSize));
    }
}
