package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import org.junit.jupiter.api.Test;

/**
 * The collector's drains and the parked assists: the credit of a concurrent drain goes to them,
 * that of a drain with the world stopped does not (Marker's class note, "Credit"). Driven by hand
 * on a heap of its own, as the jcstress GcStress does: no collector thread, no goroutines.
 */
class MarkerTest {
    static final ObjectType CELL = ObjectType.of("MarkerCell", MemoryLayout.structLayout(JAVA_LONG.withName("ref")), "ref");
    static final long REF = CELL.offsetOf("ref");

    @Test
    void shouldHandCreditToParkedAssistsOnlyWhenDrainingWithTheWorldRunning() {
        Heap h = Heap.open(64L << 20, 0);
        try {
            HeapForGc heap = GcAccess.of(h);
            WorkQueue greys = new WorkQueue();
            Barrier barrier = new Barrier(heap, greys, () -> {});
            MarkWork work = new MarkWork();
            AssistQueue parked = new AssistQueue();
            Marker marker = new Marker(heap, greys, barrier, work, parked);
            long a = h.newObject(CELL);
            long b = h.newObject(CELL);
            h.writePointer(a, REF, h.newObject(CELL));
            h.writePointer(b, REF, h.newObject(CELL));
            heap.startMark();
            parked.beginCycle(1);
            AssistQueue.Waiter w = new AssistQueue.Waiter(Thread.currentThread());
            assertTrue(parked.enqueue(w, 1, 1, work));

            barrier.shade(a);
            barrier.drainAllBuffers();
            assertTrue(marker.drainStopped(Long.MAX_VALUE));
            assertTrue(work.backgroundCreditBytes() > 0, "the stopped drain's work is credit");
            assertFalse(w.done, "woken with the world stopped");
            assertEquals(0, w.gotWork);

            barrier.shade(b);
            assertTrue(marker.drain(Long.MAX_VALUE));
            assertTrue(w.done, "the concurrent drain's flush did not wake the parked assist");
            assertEquals(1, w.gotWork);
            assertEquals(0, parked.size());

            barrier.drainAllBuffers();
            heap.finishMark();
            heap.finishSweep();
            h.verify();
        } finally {
            h.close();
        }
    }
}
