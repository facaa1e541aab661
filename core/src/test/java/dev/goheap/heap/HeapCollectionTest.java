package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The heap's collector mechanisms driven by hand on one thread: mark from chosen roots, finish,
 * sweep, and check that exactly the unreachable objects went (no safepoints needed).
 */
class HeapCollectionTest {
    static final ObjectType PAIR = ObjectType.of("Pair",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right"),
                    JAVA_LONG.withName("value")),
            "left", "right");
    static final long LEFT = PAIR.offsetOf("left");
    static final long RIGHT = PAIR.offsetOf("right");
    static final long VALUE = PAIR.offsetOf("value");
    static final ObjectType BIG = ObjectType.of("Big",
            MemoryLayout.structLayout(JAVA_LONG.withName("next"), MemoryLayout.sequenceLayout(8000, JAVA_LONG)
                    .withName("payload")), "next");

    Heap heap;
    HeapForGc gc;

    @BeforeEach
    void open() {
        heap = Heap.open(1L << 30, 0);
        gc = GcAccess.of(heap);
    }

    @AfterEach
    void close() {
        heap.verify();
        heap.close();
    }

    /** Marks everything reachable from {@code roots}, as the collector's marker does. */
    private void markFrom(long... roots) {
        ArrayDeque<Long> grey = new ArrayDeque<>();
        for (long r : roots) {
            if ((gc.mark(r) & HeapForGc.NEEDS_SCAN) != 0) {
                grey.push(r);
            }
        }
        while (!grey.isEmpty()) {
            gc.scan(grey.pop(), v -> {
                if ((gc.mark(v) & HeapForGc.NEEDS_SCAN) != 0) {
                    grey.push(v);
                }
            });
        }
    }

    private void cycle(long... roots) {
        gc.finishSweep();
        gc.startMark();
        markFrom(roots);
        gc.finishMark();
        heap.verify();
        gc.finishSweep();
        heap.verify();
    }

    @Test
    void shouldMarkAnObjectOnceAndNothingElseWhenMarking() {
        long small = heap.newObject(PAIR);
        long large = heap.newObject(BIG);
        long freed = heap.newObject(PAIR);
        heap.free(freed);
        long freedLarge = heap.newObject(BIG);
        heap.free(freedLarge);
        gc.finishSweep();
        gc.startMark();
        assertEquals(heap.sizeOf(small) | HeapForGc.NEEDS_SCAN, gc.mark(small));
        assertEquals(0, gc.mark(small), "marked already: the test before the atomic OR answers");
        assertTrue(gc.isMarked(small));
        assertEquals(heap.sizeOf(large) | HeapForGc.NEEDS_SCAN, gc.mark(large));
        assertEquals(0, gc.mark(large));
        for (long p : new long[] {0, small + 8, large + 8, freedLarge, 999, -1}) {
            assertEquals(0, gc.mark(p), "no object start in use: " + Long.toHexString(p));
            assertFalse(gc.isMarked(p));
        }
        List<Long> seen = new ArrayList<>();
        gc.scan(freedLarge, seen::add); // free pages: nothing to scan
        assertTrue(seen.isEmpty());
        gc.finishMark();
        gc.finishSweep();
        heap.free(small);
        heap.free(large);
    }

    @Test
    void shouldFreeExactlyTheUnreachableObjectsWhenSweeping() {
        long root = heap.newObject(PAIR);
        long a = heap.newObject(PAIR);
        long b = heap.newObject(PAIR);
        long garbage = heap.newObject(PAIR);
        long garbageChild = heap.allocate(100);
        heap.writePointer(root, LEFT, a);
        heap.writePointer(a, RIGHT, b);
        heap.writePointer(b, LEFT, root); // a cycle
        heap.writePointer(garbage, LEFT, garbageChild);
        heap.setLong(b, VALUE, 42);
        long before = heap.stats().liveObjects();

        cycle(root);

        assertEquals(before - 2, heap.stats().liveObjects());
        assertEquals(42, heap.getLong(b, VALUE));
        assertEquals(root, heap.readPointer(b, LEFT));
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(garbage));
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(garbageChild));
        assertEquals(2, gc.sweptTotals()[0]);
    }

    @Test
    void shouldKeepObjectsAllocatedDuringMarkingWhenSweeping() {
        gc.finishSweep();
        gc.startMark();
        long fresh = heap.newObject(PAIR);
        long freshLarge = heap.newObject(BIG);
        assertTrue(gc.isMarked(fresh));
        assertTrue(gc.isMarked(freshLarge));
        gc.finishMark();
        gc.finishSweep();
        heap.verify();
        assertEquals(PAIR.byteSize() <= heap.sizeOf(fresh), true);
        heap.free(fresh);
        heap.free(freshLarge);
    }

    /**
     * writePointer skips the barrier only for a nil slot and a value marked in the running
     * cycle (the shade would do nothing); every store that the shade or the deletion half
     * could act on reaches the barrier, with the values as they were.
     */
    @Test
    void shouldSkipTheBarrierOnlyForAMarkedValueIntoANilSlotWhenMarking() {
        long parent = heap.newObject(PAIR);
        long white = heap.newObject(PAIR);      // beside parent, allocated before marking
        long whiteElsewhere = heap.newObject(BIG); // a large object: not in parent's span
        long spare = heap.newObject(PAIR);
        List<long[]> calls = new ArrayList<>();
        heap.setWriteBarrier((oldValue, newValue) -> calls.add(new long[] {oldValue, newValue}));
        try {
            heap.writePointer(parent, LEFT, white); // not marking: every store calls
            assertCalls(calls, 0, white);
            heap.writePointer(parent, LEFT, 0);
            assertCalls(calls, white, 0);

            gc.finishSweep();
            gc.startMark();
            heap.writePointer(parent, LEFT, white); // unmarked: must shade
            assertCalls(calls, 0, white);
            heap.writePointerRelease(spare, LEFT, whiteElsewhere); // unmarked, another span
            assertCalls(calls, 0, whiteElsewhere);
            heap.writePointer(parent, RIGHT, 0);    // nil into nil: the barrier decides
            assertCalls(calls, 0, 0);

            long black = heap.newObject(PAIR);      // allocate-black
            assertTrue(gc.isMarked(black));
            heap.writePointer(black, LEFT, black);  // nil slot, marked value: skipped
            heap.writePointerRelease(black, RIGHT, black);
            assertTrue(calls.isEmpty(), "a marked value into a nil slot needs no shade");
            heap.writePointer(parent, LEFT, black); // old value white: the deletion half runs
            assertCalls(calls, white, black);

            gc.mark(white);
            heap.writePointer(spare, RIGHT, white); // marked by the marker meanwhile: skipped
            assertTrue(calls.isEmpty());
            gc.mark(whiteElsewhere);
            heap.writePointer(black, LEFT, whiteElsewhere); // not nil before: calls
            assertCalls(calls, black, whiteElsewhere);
            gc.mark(parent); // the roots: the next allocation sweeps the cached spans
            gc.mark(spare);
            gc.finishMark();

            heap.writePointer(parent, RIGHT, black); // marking over: every store calls again
            assertCalls(calls, 0, black);
            gc.finishSweep();
            heap.free(black);
        } finally {
            heap.setWriteBarrier(null);
        }
        heap.free(parent);
        heap.free(white);
        heap.free(whiteElsewhere);
        heap.free(spare);
    }

    private static void assertCalls(List<long[]> calls, long oldValue, long newValue) {
        assertEquals(1, calls.size(), "barrier calls");
        assertEquals(oldValue, calls.get(0)[0], "old value");
        assertEquals(newValue, calls.get(0)[1], "new value");
        calls.clear();
    }

    /**
     * Allocate-black marks a span's free slots at once (mark start, refill), not each object:
     * every slot the owner can take while marking must be marked by then, including a slot its
     * owner freed while marking and a slot another thread freed (parked, merged at a refill).
     */
    @Test
    void shouldAllocateBlackFromEverySlotItsOwnerCanTakeWhenMarking() throws InterruptedException {
        gc.finishSweep();
        long[] before = new long[8];
        for (int i = 0; i < before.length; i++) {
            before[i] = heap.newObject(PAIR); // a span cached before marking starts
        }
        gc.startMark();
        List<Long> black = new ArrayList<>();
        long cached = heap.newObject(PAIR);
        assertTrue(gc.isMarked(cached), "a span cached at mark start: its free slots marked then");
        black.add(cached);

        heap.free(before[3]);
        long again = heap.newObject(PAIR);
        assertEquals(before[3], again, "the lowest free slot: the one just freed");
        assertTrue(gc.isMarked(again), "a slot its owner freed while marking");
        black.add(again);

        Thread other = new Thread(() -> heap.free(before[5])); // parked in the owned span
        other.start();
        other.join();
        boolean merged = false;
        for (int i = 0; i < 10_000 && !merged; i++) {
            long p = heap.newObject(PAIR);
            assertTrue(gc.isMarked(p), "allocated while marking: " + Long.toHexString(p));
            black.add(p);
            merged = p == before[5];
        }
        assertTrue(merged, "the remote free merged at a refill and its slot taken again");

        gc.finishMark();
        gc.finishSweep();
        heap.verify();
        assertEquals(black.size(), heap.stats().liveObjects(), "the black objects live; the white ones swept");
        for (long p : black) {
            heap.free(p);
        }
    }

    /**
     * scan reads a uniform span's pointer words from its one mask, and the bitmap once a second
     * type has made the span mixed: the same fields either way, for each object's own type.
     */
    @Test
    void shouldScanExactlyEachObjectsPointerFieldsWhetherItsSpanIsUniformOrMixed() {
        ObjectType other = ObjectType.of("Other", // PAIR's size, the pointers one word later
                MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("a"), JAVA_LONG.withName("b")),
                "a", "b");
        long a = other.offsetOf("a");
        long b = other.offsetOf("b");
        long child = heap.newObject(PAIR);
        long pair = heap.newObject(PAIR);
        heap.writePointer(pair, LEFT, child);
        heap.writePointer(pair, RIGHT, pair);
        heap.setLong(pair, VALUE, child); // a pointer-sized value in a data word: never visited
        assertEquals(List.of(LEFT + ":" + child, RIGHT + ":" + pair), fields(pair), "uniform span");

        long mixed = heap.newObject(other); // same size class and span: the span turns mixed
        assertEquals(heap.sizeOf(pair), heap.sizeOf(mixed));
        heap.setLong(mixed, other.offsetOf("value"), pair);
        heap.writePointer(mixed, a, child);
        heap.writePointer(mixed, b, mixed);
        assertEquals(List.of(LEFT + ":" + child, RIGHT + ":" + pair), fields(pair), "mixed span, first type");
        assertEquals(List.of(a + ":" + child, b + ":" + mixed), fields(mixed), "mixed span, second type");

        long fresh = heap.newObject(PAIR); // in the mixed span: its slot gets its own bits
        heap.writePointer(fresh, RIGHT, child);
        assertEquals(List.of(RIGHT + ":" + child), fields(fresh));
        List<Long> values = new ArrayList<>();
        gc.scan(pair, values::add);
        assertEquals(List.of(child, pair), values, "scan visits the same values as scanFields");
        for (long p : new long[] {child, pair, mixed, fresh}) {
            heap.free(p);
        }
    }

    private List<String> fields(long p) {
        List<String> seen = new ArrayList<>();
        gc.scanFields(p, (offset, value) -> seen.add(offset + ":" + value));
        return seen;
    }

    @Test
    void shouldFreeUnreachableLargeObjectsAndKeepReachableOnes() {
        long kept = heap.newObject(BIG);
        long dropped = heap.newObject(BIG);
        long child = heap.newObject(BIG);
        heap.writePointer(kept, 0, child);
        cycle(kept);
        assertEquals(2, heap.stats().liveObjects());
        assertThrows(IllegalArgumentException.class, () -> heap.sizeOf(dropped));
        heap.free(kept);
        heap.free(child);
    }

    @Test
    void shouldNeverFreeAGoroutineStackWhenSweeping() {
        long small = heap.allocateStack(2048, 7);
        long large = heap.allocateStack(1 << 20, 8);
        cycle();
        assertEquals(2, heap.stats().liveObjects());
        heap.freeStack(small);
        heap.freeStack(large);
    }

    @Test
    void shouldSweepSpansCachedByThreadsAtMarkTermination() {
        long kept = heap.newObject(PAIR);
        for (int i = 0; i < 100; i++) {
            heap.newObject(PAIR); // garbage in the same cached span
        }
        gc.finishSweep();
        gc.startMark();
        markFrom(kept);
        gc.finishMark(); // the cached span must be swept here: the next allocation may take its slots
        heap.verify();
        List<Long> next = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            next.add(heap.newObject(PAIR));
        }
        gc.finishSweep();
        heap.verify();
        assertEquals(101, heap.stats().liveObjects());
        assertFalse(next.contains(kept));
    }

    @Test
    void shouldNotAdoptASpanWhenFreeingIntoItWhileMarking() {
        long first = heap.newObject(PAIR);
        Span firstSpan = heap.chunks().spanInUse(first);
        long p = first;
        while (heap.chunks().spanInUse(p) == firstSpan) { // fill the span: the cache hands it back
            p = heap.newObject(PAIR);
        }
        gc.startMark();
        heap.free(first); // allocate-black is on: a free must not take a span (its slots would need marking)
        assertEquals(null, firstSpan.ownerPlain());
        markFrom();
        gc.finishMark();
        gc.finishSweep();
        heap.verify();
    }

    @Test
    void shouldRefuseToStartMarkingWhenSpansAreUnswept() {
        long p = heap.newObject(PAIR);
        heap.releaseThreadCache(); // its span goes central
        gc.startMark();
        markFrom(p);
        gc.finishMark();
        assertThrows(IllegalStateException.class, gc::startMark);
        gc.finishSweep();
        heap.verify();
        heap.free(p);
    }

    @Test
    void shouldRefuseToStartMarkingUntilASweepHasFoundNothingLeft() {
        long p = heap.newObject(PAIR);
        heap.allocate(1024); // garbage in spans of two more classes
        heap.allocate(4096);
        heap.releaseThreadCache();
        gc.startMark();
        markFrom(p);
        gc.finishMark();
        assertTrue(gc.sweepSome(1), "one span swept, others left");
        assertThrows(IllegalStateException.class, gc::startMark, "a partial sweep is not a finished one");
        gc.finishSweep();
        gc.startMark(); // the last sweep found nothing left
        markFrom(p);
        gc.finishMark();
        gc.finishSweep();
        heap.verify();
        heap.free(p);
    }

    /** Random graphs over many cycles: every reachable object survives with its contents. */
    @Test
    void shouldKeepEveryReachableObjectIntactOverManyCycles() {
        long seed = Long.getLong("goheap.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Long> roots = new ArrayList<>();
        try {
            for (int round = 0; round < 30; round++) {
                List<Long> all = new ArrayList<>(roots);
                for (int i = 0; i < 2000; i++) {
                    long p = random.nextInt(50) == 0 ? heap.newObject(BIG) : heap.newObject(PAIR);
                    heap.setLong(p, p == 0 ? 0 : (heap.sizeOf(p) > 100 ? 8 : VALUE), p ^ 0x5DEECE66DL);
                    if (!all.isEmpty()) {
                        long parent = all.get(random.nextInt(all.size()));
                        long field = heap.sizeOf(parent) > 100 ? 0 : (random.nextBoolean() ? LEFT : RIGHT);
                        heap.writePointer(parent, field, p);
                    }
                    all.add(p);
                }
                roots.clear();
                for (int i = 0; i < 5; i++) {
                    roots.add(all.get(random.nextInt(all.size())));
                }
                long[] rootArray = roots.stream().mapToLong(Long::longValue).toArray();
                Set<Long> reachable = reachableFrom(rootArray);
                cycle(rootArray);
                assertEquals(reachable.size(), heap.stats().liveObjects(), "seed " + seed);
                for (long p : reachable) {
                    long valueAt = heap.sizeOf(p) > 100 ? 8 : VALUE;
                    assertEquals(p ^ 0x5DEECE66DL, heap.getLong(p, valueAt), "seed " + seed);
                }
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (pass -Dgoheap.seed=" + seed + ")", e);
        }
        cycle();
        assertEquals(0, heap.stats().liveObjects());
    }

    private Set<Long> reachableFrom(long[] roots) {
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> todo = new ArrayDeque<>();
        for (long r : roots) {
            if (seen.add(r)) {
                todo.push(r);
            }
        }
        while (!todo.isEmpty()) {
            long p = todo.pop();
            long[] fields = heap.sizeOf(p) > 100 ? new long[] {0} : new long[] {LEFT, RIGHT};
            for (long f : fields) {
                long v = heap.readPointer(p, f);
                if (v != 0 && seen.add(v)) {
                    todo.push(v);
                }
            }
        }
        return seen;
    }

    /**
     * With the collector's goal set, a free that empties a chunk leaves it mapped (no arena's
     * close on the freeing thread, under the page heap's lock); the scavenger gives the chunks
     * back down to the goal (this heap retains 0 idle bytes); with no goal, the free does at once.
     */
    @Test
    void shouldLeaveFreeChunksToTheScavengerWhileAGoalIsSet() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        gc.setRetainGoalBytes(3 * chunk);
        // 256 KiB each (large objects too big for a stripe's cache: freed straight to the
        // page heap): 48 MiB, 12 chunks or more
        long[] objects = new long[192];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = heap.allocate(256 * 1024);
        }
        long mappedFull = heap.stats().heapMappedBytes();
        assertTrue(mappedFull >= 12 * chunk, "mapped " + mappedFull);
        for (long p : objects) {
            heap.free(p);
        }
        assertEquals(mappedFull, heap.stats().heapMappedBytes(), "the frees gave chunks back themselves");
        assertEquals(0, heap.stats().heapReleasedBytes());
        heap.verify();

        while (gc.scavengeOne()) {
            heap.verify();
        }
        long kept = heap.stats().heapMappedBytes();
        assertTrue(kept <= 3 * chunk && kept >= 2 * chunk, "mapped after the scavenger " + kept
                + " (expected: about the goal, " + 3 * chunk + ")");
        assertEquals(mappedFull - kept, heap.stats().heapReleasedBytes(), "released bytes counted");

        gc.setRetainGoalBytes(0); // off again: a later free into a kept chunk releases it
        heap.free(heap.allocate(256 * 1024));
        assertTrue(heap.stats().heapMappedBytes() < kept, "mapped with the goal off " + heap.stats().heapMappedBytes());
    }

    /**
     * The scavenger's three steps one at a time: a chunk taken off is in no table and on no
     * free list, its bytes mapped and idle, the heap's invariants whole (verify and stats run
     * while the taker closes it, holding no lock); once it is closed, it counts as released.
     */
    @Test
    void shouldKeepTheHeapWholeWhileTheScavengerClosesATakenChunk() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        PageHeap pages = heap.pageHeap();
        long kept = freeChunksKept(8 * chunk, chunk);

        int chunksBefore = heap.stats().chunkCount();
        Chunk taken = takeChunk(pages);
        assertEquals(chunksBefore - 1, heap.stats().chunkCount());
        heap.verify();
        HeapStats during = heap.stats();
        assertEquals(kept, during.heapMappedBytes(), "mapped until closed");
        assertEquals(during.heapMappedBytes(), during.heapInUseBytes() + during.heapIdleBytes(), "in use + idle");
        assertEquals(null, heap.chunks().get(taken.index), "a taken chunk is in no table");
        for (int i = 0; i < 64; i++) {
            long p = heap.allocate(256 * 1024); // the other free chunks serve: never the taken one
            assertTrue(heap.chunks().spanInUse(p).chunk != taken, "allocated in the taken chunk");
            heap.free(p);
        }

        finishRelease(pages, taken, taken.tryRelease());
        heap.verify();
        assertEquals(kept - chunk, heap.stats().heapMappedBytes());
        assertEquals(chunk, heap.stats().heapReleasedBytes());
        assertEquals(chunksBefore - 1, heap.stats().chunkCount());
    }

    /**
     * A close refused (a view of the chunk in use by a native call): the chunk joins the heap
     * again, whole and free, at an index of its own, and serves allocations; nothing is lost or
     * counted as released.
     */
    @Test
    void shouldTakeBackAChunkWhoseCloseWasRefused() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        PageHeap pages = heap.pageHeap();
        long kept = freeChunksKept(8 * chunk, chunk);
        int chunks = heap.stats().chunkCount();

        Chunk taken = takeChunk(pages);
        assertEquals(chunks - 1, heap.stats().chunkCount());
        finishRelease(pages, taken, false); // as if tryRelease had returned false
        heap.verify();
        assertEquals(kept, heap.stats().heapMappedBytes());
        assertEquals(0, heap.stats().heapReleasedBytes());
        assertEquals(chunks, heap.stats().chunkCount(), "the chunk in again");
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < kept / (256 * 1024); i++) { // every page of every chunk, the taken-back one's too
            long p = heap.allocate(256 * 1024);
            heap.setLong(p, 8, i);
            all.add(p);
        }
        assertEquals(kept, heap.stats().heapMappedBytes(), "the taken-back chunk served: nothing new mapped");
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, heap.getLong(all.get(i), 8));
            heap.free(all.get(i));
        }
    }

    /**
     * Free chunks kept for the scavenger give way to a growth that would pass the heap limit
     * (a large object longer than a chunk, which no free chunk can hold): they are given back
     * first, and the allocation succeeds.
     */
    @Test
    void shouldGiveBackKeptChunksBeforeAGrowthFailsAtTheLimit() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        heap.close();
        heap = Heap.open(6 * chunk, 0);
        gc = GcAccess.of(heap);
        gc.setRetainGoalBytes(64 * chunk); // every free chunk is kept
        long[] objects = new long[4 * 16]; // 4 chunks of 256 KiB objects
        for (int i = 0; i < objects.length; i++) {
            objects[i] = heap.allocate(256 * 1024);
        }
        for (long p : objects) {
            heap.free(p);
        }
        long kept = heap.stats().heapMappedBytes();
        assertTrue(kept >= 4 * chunk, "mapped " + kept);

        long large = heap.allocate(3 * chunk); // 12 MiB more would pass the 24 MiB limit
        heap.setLong(large, 3 * chunk - 8, 7);
        assertEquals(7, heap.getLong(large, 3 * chunk - 8));
        assertTrue(heap.stats().heapMappedBytes() <= 6 * chunk);
        assertTrue(heap.stats().heapReleasedBytes() >= chunk, "kept chunks given back for the growth");
    }

    /** A scavenger that runs after the heap closed (the collector's thread racing close) finds nothing to take. */
    @Test
    void shouldTakeNoChunkOnceTheHeapIsClosed() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        freeChunksKept(8 * chunk, chunk);
        PageHeap pages = heap.pageHeap();
        heap.close();
        assertFalse(gc.scavengeOne(), "a closed heap's chunks are closed already");
        pages.lock.lock();
        try {
            assertEquals(0, heap.chunks().count(), "chunks counted after close");
            assertEquals(0, pages.takenOffBytesLocked());
        } finally {
            pages.lock.unlock();
        }
        heap = Heap.open(1L << 30, 0); // an open one for the verify and close after each test
    }

    /** Allocates and frees large objects until {@code bytes} are mapped, all free, kept under a goal of {@code goal}. */
    private long freeChunksKept(long bytes, long goal) {
        gc.setRetainGoalBytes(goal);
        List<Long> objects = new ArrayList<>();
        while (heap.stats().heapMappedBytes() < bytes) {
            objects.add(heap.allocate(256 * 1024));
        }
        objects.forEach(heap::free);
        long kept = heap.stats().heapMappedBytes();
        assertTrue(kept >= bytes, "mapped " + kept);
        return kept;
    }

    private static void finishRelease(PageHeap pages, Chunk taken, boolean released) {
        pages.lock.lock();
        try {
            pages.finishReleaseLocked(taken, released);
        } finally {
            pages.lock.unlock();
        }
    }

    private static Chunk takeChunk(PageHeap pages) {
        pages.lock.lock();
        try {
            Chunk taken = pages.takeChunkAboveGoalLocked();
            assertTrue(taken != null, "a free chunk above the goal");
            return taken;
        } finally {
            pages.lock.unlock();
        }
    }

    /**
     * The scavenger's background work ({@code scavengeOne}): chunks freed while the goal was high
     * stay mapped as it comes down, until scavengeOne gives them back, one a call, down to the
     * goal; not while marking, and not at all with no goal set.
     */
    @Test
    void shouldGiveBackChunksFreedUnderAHigherGoalOneACallDownToTheGoal() {
        long chunk = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;
        gc.setRetainGoalBytes(64 * chunk); // high: no chunk goes back as it becomes free
        long[] objects = new long[192]; // 256 KiB each, freed straight to the page heap: 12 chunks or more
        for (int i = 0; i < objects.length; i++) {
            objects[i] = heap.allocate(256 * 1024);
        }
        for (long p : objects) {
            heap.free(p);
        }
        long kept = heap.stats().heapMappedBytes();
        assertTrue(kept >= 12 * chunk, "mapped after the frees " + kept);

        gc.setRetainGoalBytes(3 * chunk);
        assertEquals(kept, heap.stats().heapMappedBytes(), "a lower goal alone gives nothing back");
        gc.finishSweep();
        gc.startMark();
        assertFalse(gc.scavengeOne(), "marking: the marker may read any chunk");
        gc.finishMark();
        gc.finishSweep();
        assertEquals(kept, heap.stats().heapMappedBytes());

        int released = 0;
        while (gc.scavengeOne()) {
            released++;
            assertEquals(kept - released * chunk, heap.stats().heapMappedBytes(), "one chunk a call");
        }
        long after = heap.stats().heapMappedBytes();
        assertTrue(after <= 3 * chunk && after > 2 * chunk, "mapped " + after + " (expected: down to the goal, "
                + 3 * chunk + ")");
        assertEquals(kept - after, heap.stats().heapReleasedBytes(), "released bytes counted");

        gc.setRetainGoalBytes(0);
        assertFalse(gc.scavengeOne(), "no goal: only the frees' own rule gives chunks back");
        assertEquals(after, heap.stats().heapMappedBytes());
    }

    @Test
    void shouldRefuseANegativeRetainGoal() {
        assertThrows(IllegalArgumentException.class, () -> gc.setRetainGoalBytes(-1));
    }
}
