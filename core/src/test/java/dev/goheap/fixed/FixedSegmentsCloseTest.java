package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.NODE;
import static dev.goheap.fixed.TestTypes.NODE_NEXT;
import static dev.goheap.fixed.TestTypes.NODE_VALUE;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** close(): every later use fails clearly, the memory is gone, the heap is untouched. */
class FixedSegmentsCloseTest {

    private static FixedSegments link(Heap heap) {
        return FixedSegments.builder().rodata("k", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).data("root", NODE).link(heap);
    }

    @Test
    void shouldThrowIllegalStateWhenAnyMethodIsUsedAfterClose() {
        try (Heap heap = TestTypes.openHeap()) {
            FixedSegments fixed = link(heap);
            Symbol k = fixed.symbol("k");
            Symbol root = fixed.symbol("root");
            long p = heap.newObject(NODE);
            fixed.close();
            assertTrue(fixed.isClosed());
            Map<String, Executable> uses = new LinkedHashMap<>();
            uses.put("symbol", () -> fixed.symbol("k"));
            uses.put("lookup", () -> fixed.lookup("k"));
            uses.put("symbols", fixed::symbols);
            uses.put("rodataByteSize", fixed::rodataByteSize);
            uses.put("dataByteSize", fixed::dataByteSize);
            uses.put("rodata", () -> fixed.rodata(k));
            uses.put("segment", () -> fixed.segment(root));
            uses.put("getByte", () -> fixed.getByte(k, 0));
            uses.put("setByte", () -> fixed.setByte(root, 0, (byte) 1));
            uses.put("getInt", () -> fixed.getInt(root, 0));
            uses.put("setInt", () -> fixed.setInt(root, 0, 1));
            uses.put("getLong", () -> fixed.getLong(root, NODE_VALUE));
            uses.put("setLong", () -> fixed.setLong(root, NODE_VALUE, 1));
            uses.put("getDouble", () -> fixed.getDouble(root, 0));
            uses.put("setDouble", () -> fixed.setDouble(root, 0, 1));
            uses.put("setLong on rodata", () -> fixed.setLong(k, 0, 1));
            uses.put("readPointer", () -> fixed.readPointer(root, NODE_NEXT));
            uses.put("readPointerAcquire", () -> fixed.readPointerAcquire(root, NODE_NEXT));
            uses.put("writePointer", () -> fixed.writePointer(root, NODE_NEXT, p));
            uses.put("writePointerRelease", () -> fixed.writePointerRelease(root, NODE_NEXT, p));
            uses.put("dataPointerMap", fixed::dataPointerMap);
            uses.put("pointerSlots", fixed::pointerSlots);
            uses.put("forEachPointerSlot", () -> fixed.forEachPointerSlot(offset -> {}));
            uses.put("readPointerAt", () -> fixed.readPointerAt(NODE_NEXT));
            uses.put("readPointerAcquireAt", () -> fixed.readPointerAcquireAt(NODE_NEXT));
            for (Map.Entry<String, Executable> use : uses.entrySet()) {
                var e = assertThrows(IllegalStateException.class, use.getValue(), use.getKey());
                assertTrue(e.getMessage().contains("closed"), use.getKey() + ": " + e.getMessage());
            }
            heap.free(p);
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalStateWhenViewIsUsedAfterClose() {
        try (Heap heap = TestTypes.openHeap()) {
            FixedSegments fixed = link(heap);
            MemorySegment rodata = fixed.rodata(fixed.symbol("k"));
            MemorySegment data = fixed.segment(fixed.symbol("root"));
            fixed.close();
            assertFalse(rodata.scope().isAlive());
            assertFalse(data.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> rodata.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_LONG, 0));
            heap.verify();
        }
    }

    @Test
    void shouldDoNothingWhenClosedTwice() {
        try (Heap heap = TestTypes.openHeap()) {
            FixedSegments fixed = link(heap);
            assertFalse(fixed.isClosed());
            fixed.close();
            assertDoesNotThrow(fixed::close);
            assertTrue(fixed.isClosed());
            assertTrue(fixed.toString().contains("closed"), fixed.toString());
            heap.verify();
        }
    }

    @Test
    void shouldLeaveHeapAndPointedObjectsUsableWhenSegmentsAreClosed() {
        try (Heap heap = TestTypes.openHeap()) {
            long p = heap.newObject(NODE);
            heap.setLong(p, NODE_VALUE, 77);
            try (FixedSegments fixed = link(heap)) {
                fixed.writePointer(fixed.symbol("root"), NODE_NEXT, p);
            }
            assertFalse(heap.isClosed());
            assertEquals(77, heap.getLong(p, NODE_VALUE));
            heap.free(p);
            heap.free(heap.newObject(NODE));
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalStateWhenSegmentsOfClosedRuntimeAreUsed() {
        FixedSegments fixed;
        try (GoRuntime runtime = GoRuntime.builder()
                .heapLimitBytes(TestTypes.HEAP_LIMIT_BYTES)
                .fixedSegments(FixedSegments.builder().rodataString("greeting", "hello").data("root", NODE))
                .build()) {
            fixed = runtime.fixedSegments();
            Symbol root = fixed.symbol("root");
            long p = runtime.heap().newObject(NODE);
            fixed.writePointerRelease(root, NODE_NEXT, p);
            assertEquals(p, fixed.readPointerAcquire(root, NODE_NEXT));
            assertEquals("hello", fixed.rodata(fixed.symbol("greeting")).getString(0));
            runtime.heap().verify();
        }
        assertTrue(fixed.isClosed());
        assertThrows(IllegalStateException.class, () -> fixed.symbol("root"));
    }

    @Test
    void shouldHaveNoSymbolsWhenRuntimeIsBuiltWithoutFixedSegments() {
        try (GoRuntime runtime = GoRuntime.builder().heapLimitBytes(TestTypes.HEAP_LIMIT_BYTES).build()) {
            assertTrue(runtime.fixedSegments().symbols().isEmpty());
            assertEquals(0, runtime.fixedSegments().pointerSlots().length);
            runtime.heap().verify();
        }
    }
}
