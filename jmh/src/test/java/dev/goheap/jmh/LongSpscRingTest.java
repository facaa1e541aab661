package dev.goheap.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LongSpscRingTest {
    @Test
    void shouldRefuseOfferWhenFull() {
        LongSpscRing ring = new LongSpscRing(4);
        for (long v = 1; v <= 4; v++) {
            assertTrue(ring.offer(v));
        }
        assertFalse(ring.offer(5));
        assertEquals(4, ring.size());
        assertEquals(1, ring.poll());
        assertTrue(ring.offer(5));
        List<Long> drained = new ArrayList<>();
        ring.drain(drained::add);
        assertEquals(List.of(2L, 3L, 4L, 5L), drained);
        assertEquals(0, ring.poll());
    }

    @Test
    void shouldThrowWhenCapacityIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new LongSpscRing(3));
        assertThrows(IllegalArgumentException.class, () -> new RefSpscRing<String>(1));
    }

    @Test
    void shouldDeliverEveryValueInOrderWhenProducerAndConsumerRunConcurrently() throws Exception {
        LongSpscRing ring = new LongSpscRing(64);
        long count = 200_000;
        Thread producer = Thread.ofPlatform().start(() -> {
            for (long v = 1; v <= count; v++) {
                while (!ring.offer(v)) {
                    Thread.onSpinWait();
                }
            }
        });
        long expected = 1;
        while (expected <= count) {
            long v = ring.poll();
            if (v == 0) {
                Thread.onSpinWait();
                continue;
            }
            assertEquals(expected++, v);
        }
        producer.join();
        assertEquals(0, ring.size());
    }

    @Test
    void shouldClearSlotsWhenReferencesArePolled() {
        RefSpscRing<String> ring = new RefSpscRing<>(2);
        assertTrue(ring.offer("a"));
        assertTrue(ring.offer("b"));
        assertFalse(ring.offer("c"));
        assertEquals("a", ring.poll());
        assertEquals("b", ring.poll());
        assertNull(ring.poll());
    }
}
