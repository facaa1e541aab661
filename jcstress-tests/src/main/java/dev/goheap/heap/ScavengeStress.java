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
 * The collector's scavenger between cycles ({@code HeapForGc#scavengeOne}), which takes a free
 * chunk off under the page heap's lock and closes it outside: against an allocation that needs
 * the pages of the very chunk it may give back, and against verify and stats in the window
 * between the two. Each state has a heap of its own, closed by its arbiter (see {@link
 * SpareChunkStress} for why).
 */
public final class ScavengeStress {
    private ScavengeStress() {}

    private static final long CHUNK_BYTES = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
    /** Large, and too big for a stripe's cache: taken from and freed straight to the page heap. */
    private static final long LARGE = 256 * 1024;

    /** The collector's actor: one {@code scavengeOne}, as "released", "kept" or the exception. */
    static String scavenge(HeapForGc heapGc) {
        try {
            return heapGc.scavengeOne() ? "released" : "kept";
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    @JCStressTest
    @Description("The heap's one chunk is free and past the scavenger's goal; the collector gives a free "
            + "chunk back while a thread allocates a large object: either the scavenger releases the "
            + "chunk and the allocation maps a new one, or the allocation takes pages of it first and the "
            + "scavenger finds no free chunk. Either way the object is usable and one chunk is mapped.")
    @Outcome(id = {"released, usable, one chunk", "kept, usable, one chunk"}, expect = ACCEPTABLE,
            desc = "The release and the allocation in either order under the page heap's lock.")
    @Outcome(expect = FORBIDDEN, desc = "The object lost with a released chunk (an exception), the mapped "
            + "bytes off, or the heap's invariants broken.")
    @State
    public static class ScavengeVsAllocate {
        final Heap heap = Heap.open(64L << 20, 0); // retains no idle bytes of its own
        final HeapForGc heapGc = GcAccess.of(heap);
        long object;

        public ScavengeVsAllocate() {
            heapGc.setRetainGoalBytes(4 * CHUNK_BYTES); // a goal: the freed chunk stays mapped for the scavenger
            heap.free(heap.allocate(LARGE));
            heapGc.setRetainGoalBytes(CHUNK_BYTES / 4); // now past it
        }

        @Actor
        public void collector(LLL_Result r) {
            r.r1 = scavenge(heapGc);
        }

        @Actor
        public void allocator(LLL_Result r) {
            try {
                long p = heap.allocate(LARGE);
                heap.setLong(p, LARGE - 8, 42);
                r.r2 = heap.getLong(p, LARGE - 8) == 42 ? "usable" : "lost";
                object = p;
            } catch (RuntimeException e) {
                r.r2 = e.toString();
            }
        }

        @Arbiter
        public void owner(LLL_Result r) {
            try {
                heap.verify();
                long mapped = heap.stats().heapMappedBytes();
                boolean live = object != 0 && heap.getLong(object, LARGE - 8) == 42;
                r.r3 = mapped == CHUNK_BYTES && live ? "one chunk" : "mapped " + mapped + ", object live " + live;
            } catch (RuntimeException | InternalError | AssertionError e) { // InternalError: a broken invariant
                r.r3 = e.toString();
            } finally {
                heap.close();
            }
        }
    }

    @JCStressTest
    @Description("The scavenger closes a taken-off chunk outside the page heap's lock while another thread "
            + "verifies the heap and reads its figures: at every point the invariants hold (the chunk "
            + "counted as mapped and idle until closed, then as released) and the stats add up.")
    @Outcome(id = {"released, whole, adds up"}, expect = ACCEPTABLE,
            desc = "verify passed and mapped = in use + idle, before, during or after the close.")
    @Outcome(expect = FORBIDDEN, desc = "A broken invariant seen in the release's window, or figures that do "
            + "not add up.")
    @State
    public static class ScavengeVsVerify {
        final Heap heap = Heap.open(64L << 20, 0);
        final HeapForGc heapGc = GcAccess.of(heap);

        public ScavengeVsVerify() {
            heapGc.setRetainGoalBytes(4 * CHUNK_BYTES); // a goal: freed chunks stay mapped for the scavenger
            long[] objects = new long[(int) (2 * CHUNK_BYTES / LARGE)]; // two chunks' worth
            for (int i = 0; i < objects.length; i++) {
                objects[i] = heap.allocate(LARGE);
            }
            for (int i = 1; i < objects.length; i++) { // the first stays: its chunk stays in use
                heap.free(objects[i]);
            }
            heapGc.setRetainGoalBytes(CHUNK_BYTES / 4); // now past it: the other chunk may go
        }

        @Actor
        public void collector(LLL_Result r) {
            r.r1 = scavenge(heapGc);
        }

        @Actor
        public void inspector(LLL_Result r) {
            try {
                heap.verify();
                HeapStats s = heap.stats();
                r.r2 = "whole";
                r.r3 = s.heapMappedBytes() == s.heapInUseBytes() + s.heapIdleBytes() ? "adds up"
                        : s.heapMappedBytes() + " != " + s.heapInUseBytes() + " + " + s.heapIdleBytes();
            } catch (RuntimeException | InternalError | AssertionError e) { // InternalError: a broken invariant
                r.r2 = e.toString();
            }
        }

        @Arbiter
        public void owner(LLL_Result r) {
            try {
                heap.verify();
            } catch (RuntimeException | InternalError | AssertionError e) {
                r.r2 = e.toString();
            } finally {
                heap.close();
            }
        }
    }
}
