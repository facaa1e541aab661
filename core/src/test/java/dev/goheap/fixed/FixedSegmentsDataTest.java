package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.BLOB;
import static dev.goheap.fixed.TestTypes.COUNTER;
import static dev.goheap.fixed.TestTypes.NODE;
import static dev.goheap.fixed.TestTypes.NODE_NEXT;
import static dev.goheap.fixed.TestTypes.NODE_VALUE;
import static dev.goheap.fixed.TestTypes.PAIR;
import static dev.goheap.fixed.TestTypes.PAIR_COUNT;
import static dev.goheap.fixed.TestTypes.PAIR_LEFT;
import static dev.goheap.fixed.TestTypes.PAIR_RIGHT;
import static dev.goheap.fixed.TestTypes.PAIR_WEIGHT;
import static dev.goheap.fixed.TestTypes.WIDE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.heap.Heap;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Data: primitive round trips, pointer slots and their checks. */
class FixedSegmentsDataTest {

    /** Pointer slots at data offsets 8 (root.next), 40 (wide.b), 64 (pair.left), 80 (pair.right). */
    private static FixedSegments link(Heap heap) {
        return FixedSegments.builder()
                .rodata("pi", new byte[] {3, 1, 4})
                .data("root", NODE)
                .data("counter", COUNTER)
                .data("wide", WIDE)
                .data("blob", BLOB)
                .data("pair", PAIR)
                .link(heap);
    }

    @Test
    void shouldReadZeroesAndNilWhenNothingWasWritten() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            for (Symbol s : fixed.symbols()) {
                if (s.section() == Section.DATA) {
                    assertArrayEquals(new byte[(int) s.byteSize()], fixed.segment(s).toArray(ValueLayout.JAVA_BYTE));
                }
            }
            assertEquals(0, fixed.readPointer(fixed.symbol("root"), NODE_NEXT));
            heap.verify();
        }
    }

    @Test
    void shouldReadBackWhatWasWrittenWhenPrimitivesRoundTrip() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            Symbol pair = fixed.symbol("pair");
            Symbol counter = fixed.symbol("counter");
            fixed.setLong(root, NODE_VALUE, 0x0123_4567_89ab_cdefL);
            fixed.setInt(pair, PAIR_COUNT, -7);
            fixed.setDouble(pair, PAIR_WEIGHT, -0.5);
            fixed.setInt(counter, 0, Integer.MAX_VALUE);
            fixed.setByte(counter, 3, (byte) 0x12);
            fixed.setInt(pair, PAIR_COUNT + 4, 99); // padding is no pointer: writable
            assertEquals(0x0123_4567_89ab_cdefL, fixed.getLong(root, NODE_VALUE));
            assertEquals(-7, fixed.getInt(pair, PAIR_COUNT));
            assertEquals(-0.5, fixed.getDouble(pair, PAIR_WEIGHT));
            assertEquals(99, fixed.getInt(pair, PAIR_COUNT + 4));
            assertEquals(0x12, fixed.getByte(counter, 3));
            assertEquals(0x0123_4567_89ab_cdefL, fixed.segment(root).get(ValueLayout.JAVA_LONG, NODE_VALUE));
            heap.verify();
        }
    }

    @Test
    void shouldReadBackWhatWasWrittenWhenAccessIsUnaligned() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol blob = fixed.symbol("blob");
            for (int offset = 0; offset + 8 <= 13; offset++) {
                fixed.setLong(blob, offset, 0x1122_3344_5566_7788L + offset);
                assertEquals(0x1122_3344_5566_7788L + offset, fixed.getLong(blob, offset));
                fixed.setDouble(blob, offset, offset + 0.25);
                assertEquals(offset + 0.25, fixed.getDouble(blob, offset));
                fixed.setInt(blob, offset + 1, offset * 1000);
                assertEquals(offset * 1000, fixed.getInt(blob, offset + 1));
            }
            fixed.setByte(blob, 12, (byte) -1);
            assertEquals(-1, fixed.getByte(blob, 12));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.setLong(blob, 6, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.setByte(blob, 13, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.setInt(blob, -1, 1));
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentAndKeepSlotWhenPrimitiveIsWrittenIntoPointerField() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            Symbol pair = fixed.symbol("pair");
            long p = heap.newObject(NODE);
            fixed.writePointer(root, NODE_NEXT, p);
            Map<String, Executable> writes = new LinkedHashMap<>();
            writes.put("setLong on the field", () -> fixed.setLong(root, NODE_NEXT, 1));
            writes.put("setDouble on the field", () -> fixed.setDouble(root, NODE_NEXT, 1));
            writes.put("setInt in the high half", () -> fixed.setInt(root, NODE_NEXT + 4, 1));
            writes.put("setByte in the last byte", () -> fixed.setByte(root, NODE_NEXT + 7, (byte) 1));
            writes.put("setLong straddling", () -> fixed.setLong(root, NODE_NEXT - 4, 1));
            writes.put("setInt straddling", () -> fixed.setInt(root, NODE_NEXT - 2, 1));
            writes.put("setLong pair.left", () -> fixed.setLong(pair, PAIR_LEFT, 1));
            writes.put("setLong straddling pair.right", () -> fixed.setLong(pair, PAIR_RIGHT - 4, 1));
            for (Map.Entry<String, Executable> write : writes.entrySet()) {
                var e = assertThrows(IllegalArgumentException.class, write.getValue(), write.getKey());
                assertTrue(e.getMessage().contains("pointer field"), e.getMessage());
                assertEquals(p, fixed.readPointer(root, NODE_NEXT), write.getKey() + " changed the slot");
                assertEquals(0, fixed.getLong(root, NODE_VALUE), write.getKey() + " changed a neighbour");
            }
            assertEquals(p, fixed.getLong(root, NODE_NEXT), "a pointer field reads as a long");
            heap.verify();
        }
    }

    @Test
    void shouldStorePointerWhenValueIsNilOrLiveObject() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            Symbol pair = fixed.symbol("pair");
            long node = heap.newObject(NODE);
            long raw = heap.allocate(100);
            fixed.writePointer(root, NODE_NEXT, node);
            fixed.writePointerRelease(pair, PAIR_RIGHT, raw);
            fixed.writePointer(pair, PAIR_LEFT, node);
            assertEquals(node, fixed.readPointer(root, NODE_NEXT));
            assertEquals(node, fixed.readPointerAcquire(root, NODE_NEXT));
            assertEquals(raw, fixed.readPointerAcquire(pair, PAIR_RIGHT));
            assertEquals(node, fixed.readPointer(pair, PAIR_LEFT));
            fixed.writePointer(pair, PAIR_LEFT, 0);
            fixed.writePointerRelease(pair, PAIR_RIGHT, 0);
            assertEquals(0, fixed.readPointer(pair, PAIR_LEFT));
            assertEquals(0, fixed.readPointer(pair, PAIR_RIGHT));
            assertEquals(node, fixed.readPointer(root, NODE_NEXT), "other slots unchanged");
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentAndKeepSlotWhenPointerValueIsGarbage() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            long live = heap.newObject(NODE);
            long freed = heap.newObject(NODE);
            heap.free(freed);
            fixed.writePointer(root, NODE_NEXT, live);
            long[] garbage = {live + 8, live + 1, freed, 12345, -1, (1L << 40) * 4000 + 64};
            for (long value : garbage) {
                String what = "0x" + Long.toHexString(value);
                assertThrows(IllegalArgumentException.class, () -> fixed.writePointer(root, NODE_NEXT, value), what);
                assertEquals(live, fixed.readPointer(root, NODE_NEXT), what + " changed the slot");
                assertThrows(IllegalArgumentException.class,
                        () -> fixed.writePointerRelease(root, NODE_NEXT, value), what);
                assertEquals(live, fixed.readPointerAcquire(root, NODE_NEXT), what + " changed the slot");
            }
            heap.verify();
        }
    }

    @Test
    void shouldThrowWhenPointerAccessIsNotOnPointerField() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            Symbol pair = fixed.symbol("pair");
            Symbol counter = fixed.symbol("counter");
            long p = heap.newObject(NODE);
            Map<String, Executable> refused = new LinkedHashMap<>();
            refused.put("writePointer value", () -> fixed.writePointer(root, NODE_VALUE, p));
            refused.put("writePointerRelease count", () -> fixed.writePointerRelease(pair, PAIR_COUNT, 0));
            refused.put("writePointer weight", () -> fixed.writePointer(pair, PAIR_WEIGHT, p));
            refused.put("writePointer unaligned", () -> fixed.writePointer(pair, PAIR_LEFT + 4, p));
            refused.put("readPointer value", () -> fixed.readPointer(root, NODE_VALUE));
            refused.put("readPointerAcquire weight", () -> fixed.readPointerAcquire(pair, PAIR_WEIGHT));
            for (Map.Entry<String, Executable> access : refused.entrySet()) {
                var e = assertThrows(IllegalArgumentException.class, access.getValue(), access.getKey());
                assertTrue(e.getMessage().contains("pointer offset"), e.getMessage());
                assertEquals(0, fixed.getLong(root, NODE_VALUE), access.getKey());
                assertEquals(0, fixed.getDouble(pair, PAIR_WEIGHT), access.getKey());
            }
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.writePointer(root, 16, p));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.writePointer(root, -8, p));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.readPointer(counter, 0));
            heap.verify();
        }
    }

    @Test
    void shouldRunWriteBarrierWithOldAndNewValueWhenPointerIsWritten() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            long a = heap.newObject(NODE);
            long b = heap.newObject(NODE);
            List<long[]> seen = new ArrayList<>();
            heap.setWriteBarrier((oldValue, newValue) -> seen.add(new long[] {oldValue, newValue}));
            fixed.writePointer(root, NODE_NEXT, a);
            fixed.writePointerRelease(root, NODE_NEXT, b);
            assertThrows(IllegalArgumentException.class, () -> fixed.writePointer(root, NODE_NEXT, b + 8));
            fixed.writePointer(root, NODE_NEXT, 0);
            heap.setWriteBarrier(null);
            assertEquals(3, seen.size());
            assertArrayEquals(new long[] {0, a}, seen.get(0));
            assertArrayEquals(new long[] {a, b}, seen.get(1));
            assertArrayEquals(new long[] {b, 0}, seen.get(2));
            heap.verify();
        }
    }

    @Test
    void shouldFindExactlyThePointerFieldsWhenPointerSlotsAreEnumerated() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            long[] expected = {8, 40, 64, 80};
            assertArrayEquals(expected, fixed.pointerSlots());
            List<Long> visited = new ArrayList<>();
            fixed.forEachPointerSlot(visited::add);
            assertEquals(List.of(8L, 40L, 64L, 80L), visited);
            DataPointerMap map = fixed.dataPointerMap();
            assertEquals(4, map.pointerCount());
            assertEquals(fixed.dataByteSize() / 8, map.wordCount());
            assertEquals((1L << 1) | (1L << 5) | (1L << 8) | (1L << 10), map.bitsAt(0));
            assertEquals(0, map.bitsAt(1));
            long p = heap.newObject(PAIR);
            fixed.writePointer(fixed.symbol("pair"), PAIR_RIGHT, p);
            fixed.writePointer(fixed.symbol("wide"), WIDE.offsetOf("b"), p);
            assertEquals(p, fixed.readPointerAt(80));
            assertEquals(p, fixed.readPointerAcquireAt(40));
            assertEquals(0, fixed.readPointerAt(8));
            assertThrows(IllegalArgumentException.class, () -> fixed.readPointerAt(0));
            assertThrows(IllegalArgumentException.class, () -> fixed.readPointerAt(9));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.readPointerAt(fixed.dataByteSize()));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.readPointerAcquireAt(-8));
            heap.verify();
        }
    }

    @Test
    void shouldScanEverySlotWhenDataSectionSpansManyBitmapWords() {
        FixedSegments.Builder builder = FixedSegments.builder();
        for (int i = 0; i < 100; i++) {
            builder.data("node" + i, NODE).data("counter" + i, COUNTER);
        }
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = builder.link(heap)) {
            long[] expected = new long[100];
            for (int i = 0; i < 100; i++) {
                expected[i] = fixed.symbol("node" + i).offset() + NODE_NEXT;
                fixed.writePointer(fixed.symbol("node" + i), NODE_NEXT, heap.newObject(NODE));
            }
            assertArrayEquals(expected, fixed.pointerSlots());
            DataPointerMap map = fixed.dataPointerMap();
            assertTrue(map.bitsLength() > 1);
            int scanned = 0;
            for (int g = 0; g < map.bitsLength(); g++) {
                for (long bits = map.bitsAt(g); bits != 0; bits &= bits - 1) {
                    long dataOffset = ((long) g * 64 + Long.numberOfTrailingZeros(bits)) * 8;
                    assertEquals(expected[scanned], dataOffset);
                    assertTrue(fixed.readPointerAcquireAt(dataOffset) != 0);
                    scanned++;
                }
            }
            assertEquals(100, scanned);
            heap.verify();
        }
    }

    @Test
    void shouldKeepDataViewReadOnlyWhenViewIsTaken() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            MemorySegment view = fixed.segment(root);
            assertTrue(view.isReadOnly());
            assertEquals(NODE.byteSize(), view.byteSize());
            assertThrows(IllegalArgumentException.class, () -> view.set(ValueLayout.JAVA_LONG, NODE_NEXT, 12345L));
            assertThrows(IllegalArgumentException.class, () -> view.fill((byte) 1));
            fixed.setLong(root, NODE_VALUE, 5);
            assertEquals(5, view.get(ValueLayout.JAVA_LONG, NODE_VALUE), "the view shows later writes");
            assertEquals(0, fixed.readPointer(root, NODE_NEXT));
            heap.verify();
        }
    }

    @Test
    void shouldSeeInitialisedObjectWhenPointerIsPublishedWithRelease() throws Exception {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol root = fixed.symbol("root");
            for (int round = 1; round <= 200; round++) {
                long value = round;
                Thread writer = Thread.ofPlatform().start(() -> {
                    long p = heap.newObject(NODE);
                    heap.setLong(p, NODE_VALUE, value);
                    fixed.writePointerRelease(root, NODE_NEXT, p);
                    heap.releaseThreadCache();
                });
                long p;
                while ((p = fixed.readPointerAcquire(root, NODE_NEXT)) == 0) {
                    Thread.onSpinWait();
                }
                assertEquals(value, heap.getLong(p, NODE_VALUE));
                writer.join();
                fixed.writePointer(root, NODE_NEXT, 0);
                heap.free(p);
            }
            heap.verify();
        }
    }
}
