package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkQueueTest {
    @Test
    void shouldNotBeDrainedWhenADrainerHoldsABatch() {
        WorkQueue q = new WorkQueue();
        assertTrue(q.isDrained());
        q.addAll(new long[] {8, 16, 24}, 3);
        long[] batch = new long[2];
        assertEquals(2, q.takeSome(batch));
        assertEquals(1, q.takeSome(batch)); // a second drainer takes the rest
        assertTrue(q.isEmpty());
        assertFalse(q.isDrained(), "two batches are out");
        q.batchDone();
        assertFalse(q.isDrained(), "one batch is out");
        q.batchDone();
        assertTrue(q.isDrained());
        assertEquals(0, q.takeSome(batch), "an empty take holds nothing");
        assertTrue(q.isDrained());
    }

    @Test
    void shouldThrowWhenABatchIsDoneTwice() {
        WorkQueue q = new WorkQueue();
        q.addAll(new long[] {8}, 1);
        q.takeSome(new long[4]);
        q.batchDone();
        assertThrows(InternalError.class, q::batchDone);
    }
}
