package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.NODE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.heap.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Rodata: its contents and every way a write can be attempted. */
class FixedSegmentsRodataTest {
    private static final byte[] TABLE = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, (byte) 130};

    private static FixedSegments link(Heap heap) {
        try (Arena arena = Arena.ofConfined()) {
            return FixedSegments.builder()
                    .rodata("table", TABLE)
                    .rodata("e", arena.allocateFrom(ValueLayout.JAVA_DOUBLE, Math.E))
                    .rodataString("motto", "Don't communicate by sharing memory; share memory by communicating. ✓")
                    .data("root", NODE)
                    .link(heap);
        }
    }

    @Test
    void shouldHoldInitialBytesWhenLinked() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol table = fixed.symbol("table");
            assertArrayEquals(TABLE, fixed.rodata(table).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(TABLE.length, fixed.rodata(table).byteSize());
            for (int i = 0; i < TABLE.length; i++) {
                assertEquals(TABLE[i], fixed.getByte(table, i));
            }
            assertEquals(Math.E, fixed.getDouble(fixed.symbol("e"), 0));
            Symbol motto = fixed.symbol("motto");
            String text = "Don't communicate by sharing memory; share memory by communicating. ✓";
            assertEquals(text, fixed.rodata(motto).getString(0));
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length + 1, motto.byteSize());
            heap.verify();
        }
    }

    @Test
    void shouldReadNativeOrderUnalignedPrimitivesWhenRodataIsRead() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol table = fixed.symbol("table");
            ByteBuffer expected = ByteBuffer.wrap(TABLE).order(ByteOrder.nativeOrder());
            for (int offset = 0; offset + 8 <= TABLE.length; offset++) {
                assertEquals(expected.getInt(offset), fixed.getInt(table, offset));
                assertEquals(expected.getLong(offset), fixed.getLong(table, offset));
                assertEquals(Double.doubleToRawLongBits(expected.getDouble(offset)),
                        Double.doubleToRawLongBits(fixed.getDouble(table, offset)));
            }
            heap.verify();
        }
    }

    @Test
    void shouldThrowUnsupportedOperationAndKeepBytesWhenRodataIsWrittenThroughAccessors() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol table = fixed.symbol("table");
            Map<String, Executable> writes = new LinkedHashMap<>();
            writes.put("setByte", () -> fixed.setByte(table, 0, (byte) 1));
            writes.put("setInt", () -> fixed.setInt(table, 0, 1));
            writes.put("setLong", () -> fixed.setLong(table, 0, 1));
            writes.put("setDouble", () -> fixed.setDouble(table, 0, 1));
            writes.put("setLong out of bounds", () -> fixed.setLong(table, 100, 1));
            writes.put("writePointer", () -> fixed.writePointer(table, 0, 0));
            writes.put("writePointerRelease", () -> fixed.writePointerRelease(table, 0, 0));
            writes.put("view.asByteBuffer().put", () -> fixed.rodata(table).asByteBuffer().put(0, (byte) 1));
            for (Map.Entry<String, Executable> write : writes.entrySet()) {
                assertThrows(UnsupportedOperationException.class, write.getValue(), write.getKey());
                assertArrayEquals(TABLE, fixed.rodata(table).toArray(ValueLayout.JAVA_BYTE), write.getKey());
            }
            heap.verify();
        }
    }

    /**
     * The views are the JDK's read-only segments: since JDK 22 (FFM final) their element and bulk
     * writes throw {@link IllegalArgumentException} ("Attempt to write a read-only segment"), as
     * {@link MemorySegment#set} and {@link MemorySegment#fill} document; only the accessors of
     * {@link FixedSegments} can throw {@link UnsupportedOperationException}.
     */
    @Test
    void shouldRefuseAndKeepBytesWhenRodataIsWrittenThroughView() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol table = fixed.symbol("table");
            MemorySegment view = fixed.rodata(table);
            MemorySegment anyView = fixed.segment(table);
            assertTrue(view.isReadOnly());
            assertTrue(anyView.isReadOnly());
            Map<String, Executable> writes = new LinkedHashMap<>();
            writes.put("view.set", () -> view.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            writes.put("view.setAtIndex", () -> view.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, 1, (short) 1));
            writes.put("varHandle.setRelease", () -> ValueLayout.JAVA_LONG.varHandle().setRelease(view, 0L, 1L));
            writes.put("view.fill", () -> view.fill((byte) 0));
            writes.put("view.copyFrom", () -> view.copyFrom(MemorySegment.ofArray(new byte[TABLE.length])));
            writes.put("copy into view", () -> MemorySegment.copy(new byte[4], 0, view, ValueLayout.JAVA_BYTE, 0, 4));
            writes.put("view.setString", () -> view.setString(0, "x"));
            writes.put("view.asSlice().set", () -> view.asSlice(4, 4).set(ValueLayout.JAVA_INT_UNALIGNED, 0, 1));
            writes.put("segment(symbol).fill", () -> anyView.fill((byte) 0));
            for (Map.Entry<String, Executable> write : writes.entrySet()) {
                var e = assertThrows(IllegalArgumentException.class, write.getValue(), write.getKey());
                assertTrue(e.getMessage().contains("read-only"), write.getKey() + ": " + e.getMessage());
                assertArrayEquals(TABLE, view.toArray(ValueLayout.JAVA_BYTE), write.getKey() + " changed rodata");
            }
            heap.verify();
        }
    }

    @Test
    void shouldNameTheSymbolWhenRodataWriteIsRefused() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            var e = assertThrows(UnsupportedOperationException.class, () -> fixed.setInt(fixed.symbol("e"), 0, 1));
            assertTrue(e.getMessage().contains("rodata:e"), e.getMessage());
            heap.verify();
        }
    }

    @Test
    void shouldThrowIndexOutOfBoundsWhenRodataReadLeavesTheSymbol() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            Symbol table = fixed.symbol("table");
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.getByte(table, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.getByte(table, TABLE.length));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.getInt(table, TABLE.length - 3));
            var e = assertThrows(IndexOutOfBoundsException.class, () -> fixed.getLong(table, 6));
            assertTrue(e.getMessage().contains("offset: 6") && e.getMessage().contains("0..5"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.getLong(table, Long.MIN_VALUE));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.getLong(table, Long.MAX_VALUE));
            assertThrows(IndexOutOfBoundsException.class, () -> fixed.rodata(table).get(ValueLayout.JAVA_BYTE, TABLE.length));
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentWhenRodataIsUsedAsPointerOrDataAsRodata() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = link(heap)) {
            assertThrows(IllegalArgumentException.class, () -> fixed.readPointer(fixed.symbol("table"), 0));
            assertThrows(IllegalArgumentException.class, () -> fixed.readPointerAcquire(fixed.symbol("table"), 0));
            assertThrows(IllegalArgumentException.class, () -> fixed.rodata(fixed.symbol("root")));
            heap.verify();
        }
    }
}
