package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.goheap.heap.Heap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinsTest {
    @Test
    void shouldHandOutReusableHandlesWhenPinningAndUnpinning() {
        try (Heap heap = Heap.open(64L << 20, 0)) {
            Pins pins = new Pins();
            List<Long> objects = new ArrayList<>();
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long p = heap.allocate(32);
                objects.add(p);
                handles.add(pins.pin(heap, p, null));
            }
            assertEquals(200, pins.count());
            for (int i = 0; i < 200; i++) {
                assertEquals(objects.get(i), pins.get(handles.get(i)));
            }
            long released = handles.get(7);
            assertEquals(objects.get(7), pins.unpin(released, null));
            long again = pins.pin(heap, objects.get(7), null);
            assertEquals(released, again);
            List<Long> seen = new ArrayList<>();
            pins.forEach(seen::add);
            assertEquals(200, seen.size());
            for (long p : objects) {
                heap.free(p);
            }
            heap.verify();
        }
    }

    @Test
    void shouldRefuseBadHandlesAndValuesWhenPinning() {
        try (Heap heap = Heap.open(64L << 20, 0)) {
            Pins pins = new Pins();
            assertThrows(IllegalArgumentException.class, () -> pins.pin(heap, 0, null));
            assertThrows(IllegalArgumentException.class, () -> pins.pin(heap, 12345, null));
            long p = heap.allocate(16);
            long h = pins.pin(heap, p, null);
            pins.unpin(h, null);
            assertThrows(IllegalArgumentException.class, () -> pins.unpin(h, null));
            assertThrows(IllegalArgumentException.class, () -> pins.get(0));
            assertThrows(IllegalArgumentException.class, () -> pins.get(99));
            assertEquals(0, pins.count());
            heap.free(p);
            heap.verify();
        }
    }
}
