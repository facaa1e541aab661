package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mark termination's look at the threads' grey buffers ({@link Barrier#drainAllBuffers}) on a
 * hand-driven heap: it skips the buffers when the queue's count says none holds greys, and
 * finds the greys a thread left in its buffer when one does (WorkQueue, "Buffers holding greys").
 */
class BarrierTest {
    Heap heap;
    HeapForGc gc;
    WorkQueue queue;
    Barrier barrier;

    @BeforeEach
    void open() {
        heap = Heap.open(64L << 20, 0);
        gc = GcAccess.of(heap);
        queue = new WorkQueue();
        barrier = new Barrier(gc, queue, () -> {});
    }

    @AfterEach
    void close() {
        heap.verify();
        heap.close();
    }

    private void endCycle() {
        gc.finishMark();
        barrier.takeMarkedBytes();
        gc.finishSweep();
    }

    @Test
    void shouldCountABufferHoldingGreysOnceUntilItIsFlushed() {
        long[] cells = new long[GreyBuffer.CAPACITY + 1];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = heap.newObject(MarkerTest.CELL);
        }
        gc.startMark();
        barrier.shade(cells[0]);
        barrier.shade(cells[1]);
        assertEquals(1, queue.holdingBuffers.get(), "one buffer, counted at its first grey");
        for (int i = 2; i < cells.length; i++) {
            barrier.shade(cells[i]); // the buffer fills at CAPACITY, goes to the queue, and fills again
        }
        assertEquals(1, queue.holdingBuffers.get(), "flushed when full, then holding the last one");
        assertFalse(queue.isEmpty(), "the full buffer went to the queue");

        assertTrue(barrier.drainAllBuffers());
        assertEquals(0, queue.holdingBuffers.get());
        new Marker(gc, queue, barrier, new MarkWork(), new AssistQueue()).drainStopped(Long.MAX_VALUE);
        assertFalse(barrier.drainAllBuffers(), "nothing held: the buffers are not visited");
        endCycle();
    }

    @Test
    void shouldFindTheGreysAnotherThreadLeftInItsBuffer() throws Exception {
        long cell = heap.newObject(MarkerTest.CELL);
        gc.startMark();
        Thread shader = new Thread(() -> barrier.shade(cell)); // a goroutine that then stops with greys buffered
        shader.start();
        shader.join(); // as a stop's arrival, orders its buffer's writes before the look below

        assertTrue(queue.isEmpty(), "the grey is in the thread's buffer, not in the queue");
        assertEquals(1, queue.holdingBuffers.get());
        assertTrue(barrier.drainAllBuffers(), "termination found the buffered grey");
        assertFalse(queue.isEmpty(), "and moved it to the queue");
        assertEquals(0, queue.holdingBuffers.get());
        new Marker(gc, queue, barrier, new MarkWork(), new AssistQueue()).drainStopped(Long.MAX_VALUE);
        endCycle();
    }
}
