package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeapTest {
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next"),
                    JAVA_INT.withName("tag"), JAVA_INT.withName("pad")),
            "next");
    static final long VALUE = NODE.offsetOf("value");
    static final long NEXT = NODE.offsetOf("next");
    static final long TAG = NODE.offsetOf("tag");

    Heap heap;

    @BeforeEach
    void open() {
        heap = Heap.open(256L << 20, 0);
    }

    @AfterEach
    void close() {
        if (!heap.isClosed()) {
            heap.verify();
            heap.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 8, 9, 16, 32, 33, 63, 64, 65, 1000, 1024, 1025, 4096, 32768, 32769, 65536,
            (64 << 10) + 8, 100_000, 1 << 20, 5 << 20})
    void shouldReturnZeroedDistinctMemoryOfAtLeastTheSizeWhenAllocating(long size) {
        long p = heap.allocate(size);
        long q = heap.allocate(size);
        assertNotEquals(0, p);
        assertNotEquals(p, q);
        assertTrue(heap.sizeOf(p) >= size);
        MemorySegment s = heap.segment(p);
        assertEquals(heap.sizeOf(p), s.byteSize());
        for (long i = 0; i < s.byteSize(); i++) {
            assertEquals(0, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
        }
        s.fill((byte) 0x5A);
        heap.free(p);
        long r = heap.allocate(size); // likely reuses p's slot: must be zeroed again
        MemorySegment t = heap.segment(r);
        for (long i = 0; i < t.byteSize(); i++) {
            assertEquals(0, t.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
        heap.free(q);
        heap.free(r);
    }

    /** Zeroing goes by size (stores, a fill, copies of a zero block): none may touch a neighbour. */
    @ParameterizedTest
    @ValueSource(longs = {8, 16, 24, 32, 48, 64, 80, 256, 1024, 2048, 8192, 32768})
    void shouldLeaveTheNeighbourSlotsIntactWhenZeroingADirtySlot(long size) {
        long[] slots = {heap.allocate(size), heap.allocate(size), heap.allocate(size)};
        for (long p : slots) {
            heap.segment(p).fill((byte) 0x5A);
        }
        heap.free(slots[1]);
        long r = heap.allocate(size);
        assertEquals(slots[1], r, "the freed middle slot is reused");
        assertEquals(-1L, heap.segment(r).asByteBuffer().mismatch(java.nio.ByteBuffer.allocate((int) heap.sizeOf(r))));
        for (long p : new long[] {slots[0], slots[2]}) {
            MemorySegment n = heap.segment(p);
            for (long i = 0; i < n.byteSize(); i++) {
                assertEquals((byte) 0x5A, n.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "neighbour byte " + i);
            }
        }
        for (long p : slots) {
            heap.free(p);
        }
    }

    @Test
    void shouldReuseAFreedSlotWhenTheSameThreadAllocatesAgain() {
        long p = heap.allocate(64);
        heap.free(p);
        assertEquals(p, heap.allocate(64));
        heap.free(p);
    }

    @Test
    void shouldNeverHandOutOnePointerTwiceWhenManyAreLive() {
        Set<Long> seen = new HashSet<>();
        long[] ps = new long[20_000];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(1 + (i * 37) % 3000);
            assertTrue(seen.add(ps[i]), "duplicate pointer");
        }
        heap.verify();
        for (long p : ps) {
            heap.free(p);
        }
        assertEquals(0, heap.stats().liveObjects());
    }

    @Test
    void shouldRefuseBadSizesWhenAllocating() {
        assertThrows(IllegalArgumentException.class, () -> heap.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> heap.allocate(-1));
        assertThrows(IllegalArgumentException.class, () -> heap.allocate(Long.MIN_VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> heap.allocate(1L << 40));
        assertTrue(e.getMessage().contains("1099511627776"), e.getMessage());
        heap.verify();
        heap.free(heap.allocate(16));
    }

    @Test
    void shouldRefuseBadPointersAndLeaveTheHeapUnchangedWhenFreeing() {
        long p = heap.allocate(64);
        long large = heap.allocate(100_000);
        HeapStats before = heap.stats();
        assertThrows(IllegalArgumentException.class, () -> heap.free(0));
        assertThrows(IllegalArgumentException.class, () -> heap.free(p + 8), "interior");
        assertThrows(IllegalArgumentException.class, () -> heap.free(large + 8192), "interior of large");
        assertThrows(IllegalArgumentException.class, () -> heap.free(12345), "foreign");
        assertThrows(IllegalArgumentException.class, () -> heap.free(-1L), "foreign");
        assertThrows(IllegalArgumentException.class, () -> heap.free(p + (1L << 30)), "beyond the chunk");
        heap.free(p);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> heap.free(p));
        assertTrue(twice.getMessage().contains("already free"), twice.getMessage());
        heap.free(large);
        assertThrows(IllegalArgumentException.class, () -> heap.free(large), "large twice");
        heap.verify();
        assertEquals(before.liveObjects() - 2, heap.stats().liveObjects());
        heap.free(heap.allocate(64));
    }

    @Test
    void shouldRefuseADoubleFreeFromAnotherThreadWhenTheOwnerStillCachesTheSpan() throws Exception {
        long p = heap.allocate(64);
        long keep = heap.allocate(64);
        runOnOtherThread(() -> heap.free(p));
        Throwable[] failure = new Throwable[1];
        runOnOtherThread(() -> {
            try {
                heap.free(p);
            } catch (IllegalArgumentException e) {
                failure[0] = e;
            }
        });
        assertTrue(failure[0] instanceof IllegalArgumentException);
        assertThrows(IllegalArgumentException.class, () -> heap.free(p), "owner frees a parked slot");
        heap.verify();
        heap.free(keep);
    }

    @Test
    void shouldMakeRemoteFreesReusableWhenTheOwnerRunsOutOfSlots() throws Exception {
        int c = SizeClasses.classOf(64);
        int n = SizeClasses.objectCount(c, SizeClasses.pageCount(c)); // a first span's
        long[] ps = new long[n * 3];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(64);
        }
        runOnOtherThread(() -> {
            for (long p : ps) {
                heap.free(p);
            }
        });
        heap.verify();
        assertEquals(0, heap.stats().liveObjects());
        long mappedBefore = heap.stats().heapMappedBytes();
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(64);
        }
        assertEquals(mappedBefore, heap.stats().heapMappedBytes(), "no new chunk needed");
        for (long p : ps) {
            heap.free(p);
        }
    }

    @Test
    void shouldAdoptAnUnownedSpanWhenItsThreadFreesIntoIt() {
        long first = heap.newObject(NODE);
        Span firstSpan = heap.chunks().spanInUse(first);
        long p = first;
        while (heap.chunks().spanInUse(p) == firstSpan) { // fill the span: the cache hands it back
            p = heap.newObject(NODE);
        }
        Span current = heap.chunks().spanInUse(p);
        assertEquals(null, firstSpan.ownerPlain(), "a full span is central");
        assertEquals(Thread.currentThread(), current.ownerPlain());

        heap.free(first); // into the central span: the cache adopts it, its own span goes back

        assertEquals(Thread.currentThread(), firstSpan.ownerPlain());
        assertEquals(null, current.ownerPlain());
        heap.verify();
        assertEquals(first, heap.newObject(NODE), "the adopted span's free slot is allocated next");
        assertThrows(IllegalArgumentException.class, () -> heap.free(first + 8)); // checks unchanged
        heap.free(first);
        assertThrows(IllegalArgumentException.class, () -> heap.free(first), "double free on the owner path");
        heap.verify();
    }

    @Test
    void shouldKeepFieldsWhenWrittenAndReadBack() {
        long p = heap.newObject(NODE);
        long q = heap.newObject(NODE);
        heap.setLong(p, VALUE, 42);
        heap.setInt(p, TAG, 7);
        heap.writePointer(p, NEXT, q);
        assertEquals(42, heap.getLong(p, VALUE));
        assertEquals(7, heap.getInt(p, TAG));
        assertEquals(q, heap.readPointer(p, NEXT));
        heap.writePointerRelease(q, NEXT, p);
        assertEquals(p, heap.readPointerAcquire(q, NEXT));
        heap.setDouble(q, VALUE, 2.5);
        assertEquals(2.5, heap.getDouble(q, VALUE));
        heap.setByte(q, TAG, (byte) 3);
        assertEquals(3, heap.getByte(q, TAG));
        heap.free(p);
        heap.free(q);
    }

    @Test
    void shouldRefuseMixingPointerAndPrimitiveFieldsWhenStoring() {
        long p = heap.newObject(NODE);
        long raw = heap.allocate(32);
        assertThrows(IllegalArgumentException.class, () -> heap.setLong(p, NEXT, 12345), "forged pointer");
        assertThrows(IllegalArgumentException.class, () -> heap.setInt(p, NEXT + 4, 1), "half a pointer");
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, VALUE, raw), "pointer into data");
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(raw, 0, p), "pointer into noscan");
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, NEXT, raw + 8), "interior value");
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, NEXT, 999), "foreign value");
        assertEquals(0, heap.readPointer(p, NEXT), "field unchanged");
        heap.free(raw);
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, NEXT, raw), "freed value");
        heap.free(p);
    }

    @Test
    void shouldCheckValuesInTheDestinationsOwnSpanWhenStoringPointers() {
        long p = heap.newObject(NODE);
        long q = heap.newObject(NODE);
        long r = heap.newObject(NODE);
        Span s = heap.chunks().spanInUse(p);
        assertTrue(s.holdsObjectAt(q) && s.holdsObjectAt(r), "the test needs neighbours in one span");
        heap.writePointer(p, NEXT, q);
        heap.writePointerRelease(p, NEXT, p); // itself
        heap.free(r);
        long tail = s.base + (long) s.objectCount * s.elemSize;
        for (long bad : new long[] {q + 8, q + 1, r, tail, s.base + s.byteSize() - 8}) {
            assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, NEXT, bad), Long.toHexString(bad));
            assertThrows(IllegalArgumentException.class, () -> heap.writePointerRelease(p, NEXT, bad));
        }
        assertEquals(p, heap.readPointer(p, NEXT), "field unchanged");
        heap.writePointer(p, NEXT, 0);
        heap.free(p);
        heap.free(q);
    }

    @Test
    void shouldCheckValuesInALargeDestinationsSpanWhenStoringPointers() {
        ObjectType big = ObjectType.of("Big", MemoryLayout.structLayout(
                JAVA_LONG.withName("link"), MemoryLayout.sequenceLayout(8192, JAVA_LONG).withName("data")), "link");
        long p = heap.newObject(big);
        long link = big.offsetOf("link");
        heap.writePointer(p, link, p); // a large span holds no slots: the full check accepts its start
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, link, p + 8));
        assertEquals(p, heap.readPointer(p, link));
        heap.free(p);
    }

    @Test
    void shouldRefuseOffsetsOutsideTheObjectWhenAccessing() {
        long p = heap.allocate(24); // slot of 24 bytes
        assertThrows(IndexOutOfBoundsException.class, () -> heap.getLong(p, 24));
        assertThrows(IndexOutOfBoundsException.class, () -> heap.getLong(p, 17));
        assertThrows(IndexOutOfBoundsException.class, () -> heap.setInt(p, -4, 0));
        heap.setLong(p, 16, 1);
        heap.free(p);
        assertThrows(IllegalArgumentException.class, () -> heap.getLong(p, 0), "use after free");
    }

    @Test
    void shouldThrowItsOwnExceptionAndStayUsableWhenTheLimitIsReached() {
        try (Heap small = Heap.open(8L << 20, 0)) {
            long a = small.allocate(3L << 20);
            long b = small.allocate(64);
            OutOfHeapMemoryException e = assertThrows(OutOfHeapMemoryException.class,
                    () -> small.allocate(6L << 20));
            assertEquals(6L << 20, e.requestedBytes());
            assertEquals(8L << 20, e.limitBytes());
            small.verify();
            long c = small.allocate(64); // still serves allocations
            small.free(a);
            long d = small.allocate(3L << 20); // reuses a's pages
            small.free(b);
            small.free(c);
            small.free(d);
            small.releaseThreadCache();
            long whole = small.allocate(6L << 20); // every chunk went back: now it fits
            small.verify();
            small.free(whole);
            small.verify();
        }
    }

    @Test
    void shouldReleaseFullyFreeChunksWhenObjectsAreFreed() {
        long[] ps = new long[8];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = heap.allocate(3L << 20);
        }
        HeapStats full = heap.stats();
        assertTrue(full.heapMappedBytes() >= 24L << 20);
        for (long p : ps) {
            heap.free(p);
        }
        HeapStats empty = heap.stats();
        assertEquals(0, empty.heapMappedBytes(), "retain 0: every free chunk goes back");
        assertTrue(empty.heapReleasedBytes() >= 24L << 20);
    }

    @Test
    void shouldKeepRetainedIdleChunksUntilScavengedWhenARetainIsSet() {
        try (Heap retaining = Heap.open(1L << 30, 64L << 20)) {
            long p = retaining.allocate(3L << 20);
            retaining.free(p);
            assertTrue(retaining.stats().heapMappedBytes() > 0, "kept for reuse");
            assertTrue(retaining.scavenge() > 0);
            assertEquals(0, retaining.stats().heapMappedBytes());
            retaining.verify();
        }
    }

    @Test
    void shouldNotStrandMemoryWhenThousandsOfShortLivedThreadsAllocate() throws Exception {
        int threads = 2_000;
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().start(() -> {
                long p = heap.allocate(64);
                heap.free(heap.allocate(200));
                heap.free(p);
            });
            t.join();
        }
        assertTrue(heap.caches().count() <= 130, "caches waiting to be reaped: " + heap.caches().count());
        heap.reapThreadCaches();
        assertTrue(heap.caches().count() <= 1);
        heap.verify();
        assertEquals(0, heap.stats().liveObjects());
        assertEquals(0, heap.stats().heapInUseBytes(), "every span went back to the page heap");
    }

    @Test
    void shouldFlushTheCacheWhenAThreadReleasesIt() throws Exception {
        long[] kept = new long[1];
        runOnOtherThread(() -> {
            kept[0] = heap.allocate(64);
            heap.releaseThreadCache();
        });
        heap.verify();
        assertEquals(1, heap.stats().liveObjects());
        heap.free(kept[0]);
        assertEquals(0, heap.stats().liveObjects());
    }

    @Test
    void shouldFailClearlyWhenUsedAfterClose() {
        long p = heap.allocate(64);
        heap.close();
        assertThrows(IllegalStateException.class, () -> heap.allocate(64));
        assertThrows(IllegalStateException.class, () -> heap.free(p));
        assertThrows(IllegalStateException.class, () -> heap.getLong(p, 0));
        assertThrows(IllegalStateException.class, heap::stats);
        heap.close(); // idempotent
    }

    @Test
    void shouldKeepEachTypesPointerFieldsWhenTwoTypesShareASpan() {
        // Both 24 bytes (one size class): NODE has a pointer at 8, OTHER at 0 and 16.
        ObjectType other = ObjectType.of("Other", MemoryLayout.structLayout(JAVA_LONG.withName("a"),
                JAVA_LONG.withName("n"), JAVA_LONG.withName("b")), "a", "b");
        long[] nodes = new long[40];
        long[] others = new long[40];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = heap.newObject(NODE);      // the span starts uniform (NODE's map)...
            if (i >= 20) {
                others[i] = heap.newObject(other); // ...and turns mixed halfway
            }
        }
        for (int i = 20; i < nodes.length; i++) {
            long p = nodes[i];
            long q = others[i];
            heap.writePointer(p, NEXT, q);
            heap.writePointer(q, 0, p);
            heap.writePointer(q, 16, nodes[0]);
            heap.setLong(q, 8, 7);
            heap.setLong(p, VALUE, 8);
            assertEquals(q, heap.readPointer(p, NEXT));
            assertEquals(p, heap.readPointer(q, 0));
            assertEquals(7, heap.getLong(q, 8));
            assertThrows(IllegalArgumentException.class, () -> heap.writePointer(q, 8, p), "Other.n is data");
            assertThrows(IllegalArgumentException.class, () -> heap.setLong(q, 16, 1), "Other.b is a pointer");
            assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, 0, q), "Node.value is data");
            assertThrows(IllegalArgumentException.class, () -> heap.setLong(p, NEXT, 1), "Node.next is a pointer");
        }
        heap.writePointer(nodes[0], NEXT, nodes[1]); // objects made while the span was uniform
        assertThrows(IllegalArgumentException.class, () -> heap.writePointer(nodes[0], VALUE, nodes[1]));
        assertThrows(IllegalArgumentException.class, () -> heap.setInt(nodes[0], NEXT + 4, 1));
        heap.verify();
        for (int i = 0; i < nodes.length; i++) {
            heap.free(nodes[i]);
            if (others[i] != 0) {
                heap.free(others[i]);
            }
        }
    }

    @Test
    void shouldGiveASpanFreshPointerFieldsWhenItIsReusedForAnotherType() {
        // A span emptied and reused (bitmaps kept for reuse) must not keep the old type's fields.
        ObjectType other = ObjectType.of("Other", MemoryLayout.structLayout(JAVA_LONG.withName("a"),
                JAVA_LONG.withName("n"), JAVA_LONG.withName("b")), "a", "b");
        long first = heap.newObject(NODE);
        heap.free(first);
        heap.releaseThreadCache(); // the empty span goes back to the page heap
        long q = heap.newObject(other);
        heap.writePointer(q, 0, q);
        heap.setLong(q, NEXT, 3); // NEXT (8) was a pointer field of the span's last type
        assertThrows(IllegalArgumentException.class, () -> heap.setLong(q, 0, 1));
        heap.free(q);
    }

    @Test
    void shouldGiveTheThreadANewCacheWhenItAllocatesAfterReleasingIt() {
        long p = heap.allocate(64);
        heap.releaseThreadCache();
        long q = heap.allocate(64); // must not reuse the flushed cache
        heap.verify();
        heap.free(p);
        heap.free(q);
        heap.releaseThreadCache();
        assertEquals(0, heap.stats().liveObjects());
    }

    @Test
    void shouldFailClearlyOnEveryAccessPathWhenUsedAfterClose() {
        long p = heap.newObject(NODE);
        long q = heap.newObject(NODE);
        heap.writePointer(p, NEXT, q);
        heap.close();
        assertThrows(IllegalStateException.class, () -> heap.newObject(NODE));
        assertThrows(IllegalStateException.class, () -> heap.readPointer(p, NEXT));
        assertThrows(IllegalStateException.class, () -> heap.writePointer(p, NEXT, q));
        assertThrows(IllegalStateException.class, () -> heap.setLong(p, VALUE, 1));
        assertThrows(IllegalStateException.class, () -> heap.free(q));
        assertThrows(IllegalStateException.class, () -> heap.allocate(100_000));
    }

    @Test
    void shouldLetLargeObjectsHoldPointersWhenTyped() {
        ObjectType big = ObjectType.of("Big", MemoryLayout.structLayout(
                MemoryLayout.sequenceLayout(8192, JAVA_LONG).withName("data"), JAVA_LONG.withName("link")), "link");
        long p = heap.newObject(big);
        long q = heap.newObject(NODE);
        long link = big.offsetOf("link");
        heap.writePointer(p, link, q);
        assertEquals(q, heap.readPointer(p, link));
        heap.setLong(p, 8 * 100, 5);
        assertThrows(IllegalArgumentException.class, () -> heap.setLong(p, link, 5));
        heap.free(p);
        heap.free(q);
    }

    static void runOnOtherThread(Runnable task) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.join();
        if (failure[0] != null) {
            throw new AssertionError("other thread failed", failure[0]);
        }
    }
}
