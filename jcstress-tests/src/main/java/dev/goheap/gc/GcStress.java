package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.heap.Heap;
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
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.L_Result;

/*
 * Races between the collector's marker or sweeper and a mutator: the lost-object race that the
 * write barrier prevents, allocate-black, a drainer's scanner and the write barrier marking one
 * object, two drainers (the collector and an assist) on one grey set, and sweeping racing allocation from the same span (the dev.goheap.gc package note; the
 * handshake races are in SafepointStress).
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=GcStress
 *   (one race: -Djcstress.tests=GcStress.LostObject; a real run: -Djcstress.mode=quick)
 *
 * The collector's steps are driven by hand, without a Collector thread: each state runs one
 * cycle on its own Heap (HeapForGc.startMark, the real Barrier, Marker and WorkQueue, then
 * finishMark and finishSweep in the arbiter). A cycle's phase is heap-wide and jcstress runs
 * many states at once, in different steps, so states cannot share a heap. A heap per state
 * costs one 4 MiB chunk (mapped on the first allocation, zeroed, returned by close()), which
 * keeps these tests at a few thousand states per second: enough for sanity and quick mode.
 * Every arbiter finishes its cycle, checks heap.verify() and closes the heap, so nothing leaks.
 *
 * How the tests reach package-private and non-exported code: this class is in package
 * dev.goheap.gc, so it uses Barrier, WorkQueue and Marker directly, and core's
 * dev.goheap.internal.gc (exported only to dev.goheap.gc). That works because jcstress runs
 * from a shaded jar on the class path, with every module-info.class stripped (jcstress-tests'
 * pom): all classes are in the unnamed module, one class loader, so the package is one runtime
 * package and module exports are not checked. Nothing is added to how jcstress runs. Should the
 * suite ever run on the module path, it needs
 *   -jvmArgsPrepend "--add-exports dev.goheap.core/dev.goheap.internal.gc=ALL-UNNAMED"
 * and the Barrier would have to be reached through Collector instead.
 *
 * Errors: an actor or arbiter maps a RuntimeException to a negative code (FORBIDDEN); an
 * InternalError (a broken heap invariant, from heap.verify()) is not caught, so jcstress
 * reports the test as an error with its stack trace.
 */
public final class GcStress {
    static final long HEAP_LIMIT_BYTES = 64L << 20;
    /** One pointer field: the objects of the graphs below. */
    static final ObjectType CELL = ObjectType.of("Cell",
            MemoryLayout.structLayout(JAVA_LONG.withName("ref")), "ref");
    static final long REF = CELL.offsetOf("ref");
    /** Noscan objects of one size class (64 B, 128 to a 1-page span) for the sweep race. */
    static final long SMALL = 64;

    private GcStress() {}

    /** One state's heap with the collector's pieces, as CycleRunner wires them. */
    static final class Cycle {
        final Heap heap = Heap.open(HEAP_LIMIT_BYTES, 0);
        final HeapForGc gc = GcAccess.of(heap);
        final WorkQueue queue = new WorkQueue();
        /** The real barrier; its mutator check accepts every thread (no runtime, no goroutines). */
        final Barrier barrier = new Barrier(gc, queue, () -> {});

        /** Mark start (CycleRunner step 2): allocate-black on, and the barrier if {@code withBarrier}. */
        void startMark(boolean withBarrier) {
            gc.startMark();
            if (withBarrier) {
                heap.setWriteBarrier(barrier);
            }
        }

        /**
         * Mark termination's drain (CycleRunner step 4), the world "stopped" because both actors
         * are done: every thread's grey buffer to the queue, then scan until the grey set is empty.
         */
        void drainGrey() {
            barrier.drainAllBuffers();
            new Marker(gc, queue, barrier, new MarkWork(), new AssistQueue()).drainStopped(Long.MAX_VALUE);
        }

        /**
         * The rest of mark termination: barrier off, new sweep generation. Read mark bits before
         * this: a sweep clears them (an actor's allocation sweeps the spans its cache holds).
         */
        void terminate() {
            heap.setWriteBarrier(null);
            gc.finishMark();
        }

        /** Sweeps everything, checks the heap's invariants, gives the memory back. */
        void sweepVerifyClose() {
            try {
                gc.finishSweep();
                heap.verify();
            } finally {
                heap.close();
            }
        }

        /** Whether {@code p} is still an allocated object (after a sweep: whether it survived). */
        boolean alive(long p) {
            try {
                heap.sizeOf(p);
                return true;
            } catch (IllegalArgumentException freed) {
                return false;
            }
        }
    }

    /**
     * The graph of the lost-object race: H black (marked, its nil field scanned), G grey
     * (marked, not scanned) with G.ref = X, X white. Built before marking starts, so allocate-black
     * does not mark them.
     */
    abstract static class LostObjectGraph {
        final Cycle c = new Cycle();
        final long h = c.heap.newObject(CELL);
        final long g = c.heap.newObject(CELL);
        final long x = c.heap.newObject(CELL);

        LostObjectGraph(boolean withBarrier) {
            c.heap.writePointer(g, REF, x);
            c.startMark(withBarrier);
            c.gc.mark(h); // black: its one field is nil, nothing to scan
            c.gc.mark(g); // grey: the marker actor scans it
        }

        /**
         * Moves X from G to H: read it, store it into black H, clear G's field. H, G and X share
         * a span, so the store into H's nil field takes Heap.writePointer's shortcut when the
         * marker has marked X by then (no barrier call: the shade would stop at X's mark bit),
         * and calls the barrier when it has not: both sides of that test race the marker here.
         */
        void mutate() {
            long p = c.heap.readPointer(g, REF);
            c.heap.writePointer(h, REF, p);
            c.heap.writePointer(g, REF, 0);
        }

        /** Scans G as Marker does; 1 if the scan saw X, 0 if it saw nil. */
        int scanGrey() {
            int[] saw = new int[1];
            c.gc.scan(g, v -> {
                saw[0] = v == x ? 1 : 2;
                c.barrier.shade(v);
            });
            return saw[0];
        }

        /** r2: X marked at termination; r3: X survived the sweep (and H still points to it). */
        void finish(III_Result r) {
            try {
                c.drainGrey();
                r.r2 = c.gc.isMarked(x) ? 1 : 0;
                c.terminate();
                c.gc.finishSweep();
                r.r3 = c.alive(x) && c.heap.readPointer(h, REF) == x ? 1 : 0;
            } catch (RuntimeException e) {
                r.r2 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    @JCStressTest
    @Description("Marking, with the write barrier: a mutator moves white X from grey G into black H "
            + "(read G.ref, H.ref = X, G.ref = nil) while the marker scans G. If the scan comes after "
            + "the clear, only the barrier (the insertion shade of H.ref = X, the deletion shade of "
            + "G.ref = nil) keeps X: H is black and never scanned again. The test's barrier is the "
            + "collector's own Barrier class.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The marker's scan saw X in G; X marked and survives.")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The scan saw G.ref already nil; the barrier "
            + "shaded X, marked and survives.")
    @Outcome(expect = FORBIDDEN, desc = "X lost (unmarked, or freed by the sweep while H points to it), "
            + "the scan saw a stray value (r1 = 2), or an exception (-1 mutator, -2 marker, -3 arbiter).")
    @State
    public static class LostObject extends LostObjectGraph {
        public LostObject() {
            super(true);
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                mutate();
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Actor
        public void marker(III_Result r) {
            try {
                r.r1 = scanGrey();
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            int mutatorFailed = r.r3;
            finish(r);
            if (mutatorFailed < 0) {
                r.r3 = mutatorFailed;
            }
        }
    }

    @JCStressTest
    @Description("The control of LostObject: the same race with the write barrier off. When the "
            + "marker scans G after the mutator cleared it, X is lost and freed while H points to it: "
            + "this shows the race is reached and the arbiter would see the loss.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The scan saw X before the clear: marked, survives.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE_INTERESTING, desc = "The scan came after the clear: X "
            + "lost and freed under H (what the barrier prevents).")
    @Outcome(expect = FORBIDDEN, desc = "Any other combination, or an exception (-1 mutator, -2 marker, "
            + "-3 arbiter).")
    @State
    public static class LostObjectWithoutBarrier extends LostObjectGraph {
        public LostObjectWithoutBarrier() {
            super(false);
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                mutate();
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Actor
        public void marker(III_Result r) {
            try {
                r.r1 = scanGrey();
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            int mutatorFailed = r.r3;
            finish(r);
            if (mutatorFailed < 0) {
                r.r3 = mutatorFailed;
            }
        }
    }

    /*
     * AllocateBlack differs from the wording ("the marker scans that black object") on
     * purpose: a marker that scanned B after the publication would mark the new object itself
     * (and the barrier shades it at the store), hiding a broken allocate-black. So the mutator
     * checks the mark bit right after allocating, before any store, and the marker races it on
     * the same mark-bitmap word instead: it scans grey G and marks G's target W, a neighbour slot
     * of the new object in the same span (the constructor hands its span to the central list,
     * where the mutator's first allocation takes it from). A plain read-modify-write of the
     * bitmap word on either side would lose the other's bit. Allocate-black marks a span's free
     * slots when a cache takes it while marking (SpanMarks.markFreeSlots: one atomic OR per bitmap
     * word, not one per object), so the mutator's side of the race is that refill: it ORs the
     * free slots of the word that holds W's bit while the marker ORs W's.
     */
    @JCStressTest
    @Description("Marking: a mutator allocates an object and publishes it into black B with "
            + "writePointerRelease, while the marker scans grey G and marks G's target W, whose slot "
            + "shares the new object's span and mark-bitmap word.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The new object was black at allocation and "
            + "survives; W marked and survives.")
    @Outcome(expect = FORBIDDEN, desc = "The new object white after its allocation (r1 = 0) or lost at "
            + "the end (r2 = 0), W's mark lost (r3 = 0), or an exception (-1 mutator, -2 marker, -3 arbiter).")
    @State
    public static class AllocateBlack {
        final Cycle c = new Cycle();
        final long b = c.heap.newObject(CELL);
        final long g = c.heap.newObject(CELL);
        final long w = c.heap.newObject(CELL);
        long p; // mutator, then arbiter

        public AllocateBlack() {
            c.heap.writePointer(g, REF, w);
            c.heap.releaseThreadCache(); // the span goes to the central list: the mutator allocates from it
            c.startMark(true);
            c.gc.mark(b); // black: its one field is nil
            c.gc.mark(g); // grey
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                long q = c.heap.newObject(CELL);
                p = q;
                r.r1 = c.gc.isMarked(q) ? 1 : 0;
                c.heap.writePointerRelease(b, REF, q);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void marker(III_Result r) {
            try {
                c.gc.scan(g, c.barrier::shade);
            } catch (RuntimeException e) {
                r.r3 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            try {
                c.drainGrey();
                boolean wMarked = c.gc.isMarked(w);
                boolean pMarked = p != 0 && c.gc.isMarked(p);
                c.terminate();
                c.gc.finishSweep();
                r.r2 = pMarked && c.alive(p) && c.heap.readPointer(b, REF) == p ? 1 : 0;
                if (r.r3 == 0) {
                    r.r3 = wMarked && c.alive(w) ? 1 : 0;
                }
            } catch (RuntimeException e) {
                r.r2 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    /*
     * ScanVsShade: a drainer's scanner (HeapForGc.Scanner, Marker.drainBatch's) reads X from grey
     * G and marks it while a mutator stores X into H, whose write barrier shades X into the
     * mutator's own grey buffer. Both mark X's bit with the same atomic test-and-set, so exactly
     * one of them greys X and counts its bytes: X greyed twice would be scanned twice and counted
     * twice in the cycle's marked bytes (the pacer's and the assists' unit); never, lost.
     */
    @JCStressTest
    @Description("A drainer's scanner marks white X through grey G's field while a mutator's write "
            + "barrier shades X (a store of X into H): each greys X only if it set X's mark bit.")
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "X greyed once, by the scanner (r1) or the "
            + "barrier (r2), its bytes counted once, by the same one.")
    @Outcome(expect = FORBIDDEN, desc = "X greyed twice or never, its bytes counted by the other one or twice, "
            + "or an exception (-1 marker, -2 mutator, -3 arbiter).")
    @State
    public static class ScanVsShade {
        final Cycle c = new Cycle();
        final long h = c.heap.newObject(CELL);
        final long g = c.heap.newObject(CELL);
        final long x = c.heap.newObject(CELL);
        long scannerBytes; // marker, then arbiter
        long barrierBytes; // mutator, then arbiter

        public ScanVsShade() {
            c.heap.writePointer(g, REF, x);
            c.startMark(true);
            c.gc.mark(h); // black: the store into it is the only barrier in the race
            c.gc.mark(g); // grey: the marker scans it
        }

        @Actor
        public void marker(II_Result r) {
            try {
                int[] greyed = new int[1];
                scannerBytes = c.gc.newScanner().scanAndMark(new long[] {g}, 1, p -> greyed[0] += p == x ? 1 : 100);
                r.r1 = greyed[0];
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void mutator(II_Result r) {
            try {
                c.heap.writePointer(h, REF, x);
                GreyBuffer own = c.barrier.buffer();
                r.r2 = own.isEmpty() ? 0 : 1;
                barrierBytes = own.markedBytes;
            } catch (RuntimeException e) {
                r.r2 = -2;
            }
        }

        @Arbiter
        public void arbiter(II_Result r) {
            try {
                long size = c.heap.sizeOf(x);
                if (scannerBytes != r.r1 * size || barrierBytes != r.r2 * size) {
                    r.r1 = -3;
                }
                c.drainGrey();
                c.terminate();
            } catch (RuntimeException e) {
                r.r1 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    /** Two pointer fields: the layered graph of ConcurrentDrain. */
    static final ObjectType PAIR = ObjectType.of("Pair",
            MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_LONG.withName("b")), "a", "b");
    static final long PAIR_A = PAIR.offsetOf("a");
    static final long PAIR_B = PAIR.offsetOf("b");
    static final int DRAIN_WIDTH = 8;
    static final int DRAIN_LAYERS = 6;
    static final int DRAIN_OBJECTS = DRAIN_WIDTH * DRAIN_LAYERS;

    /*
     * ConcurrentDrain: the collector thread and an assisting goroutine drain one grey set. The
     * graph has layers of 8 objects; object j of a layer points to objects j and j + 1 (mod 8) of
     * the next, so every object below the first layer has two parents and the two drainers race
     * to mark it. The first layer is shaded into the queue before the actors start. The marker
     * actor is CycleRunner's concurrent drain; the mutator actor is what Assists does: batches
     * of Assists.BATCH through Marker.drainBatch until the queue is empty. The check that matters
     * is r1: when the collector's drain reports the grey set empty, every object must be marked
     * already, even if the assist still held a batch when the queue ran empty (WorkQueue's held
     * batches; without them the collector can return while the assist greys the last layers).
     * Checked: with WorkQueue.isDrained ignoring held batches, quick mode
     * (-Djcstress.tests=GcStress.ConcurrentDrain -Djcstress.mode=quick) reports "0, 1, 1" in
     * 1 to 6 % of the samples of every configuration.
     */
    @JCStressTest
    @Description("Marking with two drainers: the collector's concurrent drain and an assist drain the "
            + "same grey set of a layered graph in which every object has two parents.")
    @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "When the collector's drain returned, "
            + "every object was marked; each object was marked and scanned exactly once, nothing left grey "
            + "(r3: whether the assist scanned any).")
    @Outcome(expect = FORBIDDEN, desc = "The collector reported the grey set empty while an object was still "
            + "unmarked (r1 = 0), an object marked or scanned twice or left grey, or a buffer counted as holding "
            + "greys after the drain (r2 = 0), or an exception "
            + "(-1 assist, -2 marker, -3 arbiter).")
    @State
    public static class ConcurrentDrain {
        final Cycle c = new Cycle();
        final Marker marker = new Marker(c.gc, c.queue, c.barrier, new MarkWork(), new AssistQueue());
        final long[] objects = new long[DRAIN_OBJECTS];
        int assistScanned; // mutator, then arbiter

        public ConcurrentDrain() {
            for (int i = 0; i < DRAIN_OBJECTS; i++) {
                objects[i] = c.heap.newObject(PAIR);
            }
            for (int layer = 0; layer + 1 < DRAIN_LAYERS; layer++) {
                for (int j = 0; j < DRAIN_WIDTH; j++) {
                    long from = objects[layer * DRAIN_WIDTH + j];
                    c.heap.writePointer(from, PAIR_A, objects[(layer + 1) * DRAIN_WIDTH + j]);
                    c.heap.writePointer(from, PAIR_B, objects[(layer + 1) * DRAIN_WIDTH + (j + 1) % DRAIN_WIDTH]);
                }
            }
            c.startMark(false);
            for (int j = 0; j < DRAIN_WIDTH; j++) {
                c.barrier.shade(objects[j]); // grey roots, through this thread's buffer...
            }
            c.barrier.flushCurrent(); // ...into the queue
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                GreyBuffer own = c.barrier.buffer();
                long[] batch = own.batch(Assists.BATCH);
                int n;
                while ((n = marker.drainBatch(own, batch)) > 0) {
                    assistScanned += n;
                }
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Actor
        public void collector(III_Result r) {
            try {
                if (!marker.drain(Long.MAX_VALUE)) {
                    r.r1 = -2;
                    return;
                }
                int marked = 0;
                for (long o : objects) {
                    marked += c.gc.isMarked(o) ? 1 : 0;
                }
                r.r1 = marked == DRAIN_OBJECTS ? 1 : 0;
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            try {
                // Both drainers count their buffers in and out of WorkQueue.holdingBuffers: a lost
                // update would leave it off 0 here, or let termination skip a buffer holding greys.
                boolean leftGrey = c.barrier.drainAllBuffers() || !c.queue.isDrained()
                        || c.queue.holdingBuffers.get() != 0;
                long scanned = marker.scannedAndReset() + assistScanned;
                long markedBytes = c.barrier.takeMarkedBytes();
                long expectedBytes = DRAIN_OBJECTS * c.heap.sizeOf(objects[0]);
                r.r2 = !leftGrey && scanned == DRAIN_OBJECTS && markedBytes == expectedBytes ? 1 : 0;
                if (r.r3 == 0) {
                    r.r3 = assistScanned > 0 ? 1 : 0;
                }
                c.terminate();
            } catch (RuntimeException e) {
                r.r2 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    static final int SWEEP_OBJECTS = 8; // even indices live, odd ones garbage
    static final long LIVE_STAMP = 0x6c697665_00000000L;
    static final long NEW_STAMP = 0x6e657700_00000000L;

    @JCStressTest
    @Description("After a cycle that marked 4 of 8 objects in one 64 B span, the span waits unswept on "
            + "its central list. The collector sweeps (finishSweep) while a mutator allocates two 64 B "
            + "objects: its empty cache takes a span from the central list, sweeping it first if the "
            + "collector has not yet.")
    @Outcome(id = "reused", expect = ACCEPTABLE, desc = "Both allocations got garbage slots of the swept "
            + "span (lowest free slots first); the live objects are intact.")
    @Outcome(id = {"fresh", "mixed"}, expect = ACCEPTABLE_INTERESTING, desc = "Correct, but an allocation "
            + "got a never-used slot although garbage slots below it were free: the span was not swept "
            + "before use, or another span was taken.")
    @Outcome(expect = FORBIDDEN, desc = "A live object's slot handed out again or its contents changed, "
            + "one pointer handed out twice, a wrong live count, or an exception (named).")
    @State
    public static class SweepVsAllocate {
        final Cycle c = new Cycle();
        final long[] objects = new long[SWEEP_OBJECTS];
        long a1; // allocator, then arbiter
        long a2;
        RuntimeException thrown; // either actor, then arbiter

        public SweepVsAllocate() {
            for (int i = 0; i < SWEEP_OBJECTS; i++) {
                objects[i] = c.heap.allocate(SMALL);
                c.heap.setLong(objects[i], 0, LIVE_STAMP + i);
            }
            // Off the cache: a cached span is swept by its owner's next allocation; a central one
            // is swept by whichever actor gets to it first.
            c.heap.releaseThreadCache();
            c.startMark(false);
            for (int i = 0; i < SWEEP_OBJECTS; i += 2) {
                c.gc.mark(objects[i]); // live, as if reachable
            }
            c.drainGrey();
            c.terminate();
        }

        @Actor
        public void sweeper() {
            try {
                c.gc.finishSweep();
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        @Actor
        public void allocator() {
            try {
                long p = c.heap.allocate(SMALL);
                c.heap.setLong(p, 0, NEW_STAMP);
                a1 = p;
                long q = c.heap.allocate(SMALL);
                c.heap.setLong(q, 0, NEW_STAMP + 1);
                a2 = q;
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        @Arbiter
        public void arbiter(L_Result r) {
            try {
                r.r1 = thrown != null ? "exception: " + thrown : check();
            } catch (RuntimeException e) {
                r.r1 = "arbiter exception: " + e;
            } finally {
                c.sweepVerifyClose();
            }
        }

        private String check() {
            if (a1 == a2) {
                return String.format("same pointer 0x%x", a1);
            }
            if (c.heap.getLong(a1, 0) != NEW_STAMP || c.heap.getLong(a2, 0) != NEW_STAMP + 1) {
                return "new object's contents changed";
            }
            int reused = 0;
            for (int i = 0; i < SWEEP_OBJECTS; i++) {
                long o = objects[i];
                boolean live = (i & 1) == 0;
                if (live && (o == a1 || o == a2)) {
                    return String.format("live object %d (0x%x) handed out again", i, o);
                }
                if (live && c.heap.getLong(o, 0) != LIVE_STAMP + i) {
                    return String.format("live object %d (0x%x) changed", i, o);
                }
                if (!live && (o == a1 || o == a2)) {
                    reused++;
                }
            }
            c.gc.finishSweep();
            long liveObjects = c.heap.stats().liveObjects();
            if (liveObjects != SWEEP_OBJECTS / 2 + 2) {
                return "live objects: " + liveObjects + " (expected: " + (SWEEP_OBJECTS / 2 + 2) + ")";
            }
            return reused == 2 ? "reused" : reused == 0 ? "fresh" : "mixed";
        }
    }

    /**
     * A goroutine stack left unswept by a cycle (stacks are never marked: only their stack mark
     * keeps them), freed by its owner while the sweeper sweeps its span.
     */
    abstract static class StackFreeVsSweep {
        final Cycle c = new Cycle();
        final long stack;
        RuntimeException thrown; // either actor, then arbiter

        StackFreeVsSweep(long byteSize) {
            stack = c.heap.allocateStack(byteSize, 1);
            c.heap.releaseThreadCache(); // a small stack's span goes central: sweepable at once
            c.startMark(false);
            c.drainGrey();
            c.terminate(); // the stack's span is unswept now
        }

        // jcstress takes actors only from the test class itself: each subclass declares them.
        void free() {
            try {
                c.heap.freeStack(stack);
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        void sweep() {
            try {
                c.gc.finishSweep();
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        void check(L_Result r) {
            try {
                r.r1 = thrown != null ? "exception: " + thrown : c.alive(stack) ? "stack still allocated" : "freed";
            } catch (RuntimeException e) {
                r.r1 = "arbiter exception: " + e;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    @JCStressTest
    @Description("A goroutine ends and frees its large stack (64 KiB, its own span) while the sweeper "
            + "sweeps that span. Found by the adversarial deep-stack run: freeStack cleared the stack "
            + "mark, the sweep then found an unmarked non-stack object and freed it, and the owner's free "
            + "failed with 'in free pages'. freeStack now unmarks and frees under the page heap's lock.")
    @Outcome(id = "freed", expect = ACCEPTABLE, desc = "Freed once, by its owner; the sweep kept it or came after.")
    @Outcome(expect = FORBIDDEN, desc = "An exception (the stack freed by the sweep first), or the stack left allocated.")
    @State
    public static class LargeStackFreeVsSweep extends StackFreeVsSweep {
        public LargeStackFreeVsSweep() {
            super(64 << 10);
        }

        @Actor
        public void owner() {
            free();
        }

        @Actor
        public void sweeper() {
            sweep();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            check(r);
        }
    }

    @JCStressTest
    @Description("The same race for a small stack (2 KiB, a slot of a span on its central list): the "
            + "sweep and the free meet under the central list's lock.")
    @Outcome(id = "freed", expect = ACCEPTABLE, desc = "Freed once, by its owner; the sweep kept it or came after.")
    @Outcome(expect = FORBIDDEN, desc = "An exception (the stack freed by the sweep first), or the stack left allocated.")
    @State
    public static class SmallStackFreeVsSweep extends StackFreeVsSweep {
        public SmallStackFreeVsSweep() {
            super(2 << 10);
        }

        @Actor
        public void owner() {
            free();
        }

        @Actor
        public void sweeper() {
            sweep();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            check(r);
        }
    }
}
