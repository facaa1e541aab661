package dev.goheap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class GoRuntimeTest {
    static final ObjectType ROOTS = ObjectType.of("Roots",
            MemoryLayout.structLayout(JAVA_LONG.withName("head")), "head");

    @Test
    void shouldHandOutTheHeapAndTheFixedSegmentsWhenBuilt() {
        try (GoRuntime rt = GoRuntime.builder()
                .heapLimitBytes(64L << 20)
                .fixedSegments(FixedSegments.builder().rodataString("hi", "hello").data("roots", ROOTS))
                .build()) {
            Heap heap = rt.heap();
            FixedSegments fixed = rt.fixedSegments();
            Symbol roots = fixed.symbol("roots");
            long p = heap.allocate(32);
            fixed.writePointer(roots, 0, 0);
            assertEquals("hello", fixed.rodata(fixed.symbol("hi")).getString(0));
            assertEquals(64L << 20, heap.stats().heapLimitBytes());
            heap.free(p);
            heap.verify();
        }
    }

    @Test
    void shouldReleaseEveryByteAndRefuseUseWhenClosed() {
        GoRuntime rt = GoRuntime.builder()
                .fixedSegments(FixedSegments.builder().data("roots", ROOTS))
                .build();
        Heap heap = rt.heap();
        FixedSegments fixed = rt.fixedSegments();
        long p = heap.allocate(100);
        long large = heap.allocate(10L << 20);
        MemorySegment view = heap.segment(p);
        MemorySegment largeView = heap.segment(large);
        rt.close();
        assertTrue(rt.isClosed());
        assertTrue(heap.isClosed());
        assertTrue(fixed.isClosed());
        assertThrows(IllegalStateException.class, rt::heap);
        assertThrows(IllegalStateException.class, rt::fixedSegments);
        assertThrows(IllegalStateException.class, () -> heap.allocate(8));
        assertThrows(IllegalStateException.class, () -> fixed.readPointer(fixed.symbol("roots"), 0));
        // The memory itself is gone: views of it fail instead of reading freed memory.
        assertThrows(IllegalStateException.class, () -> view.get(JAVA_LONG, 0));
        assertThrows(IllegalStateException.class, () -> largeView.get(JAVA_LONG, 0));
        rt.close(); // idempotent
    }

    @Test
    void shouldRefuseBadSettingsWhenBuilding() {
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().heapLimitBytes(0));
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().scavengeRetainBytes(-1));
        assertThrows(NullPointerException.class, () -> GoRuntime.builder().fixedSegments(null));
    }
}
