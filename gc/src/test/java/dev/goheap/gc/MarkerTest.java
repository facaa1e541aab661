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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The collector's drain loop on a hand-driven heap (no collector thread, no goroutines): its
 * chore points, and its credit to parked assists (that of a concurrent drain goes to them, that
 * of a drain with the world stopped does not: Marker's class note, "Credit").
 */
class MarkerTest {
    static final ObjectType CELL = ObjectType.of("Cell", MemoryLayout.structLayout(JAVA_LONG.withName("ref")), "ref");
    static final long REF = CELL.offsetOf("ref");
    static final int LENGTH = 10;

    /** Builds a list of {@link #LENGTH} cells: each scan greys one more, so each batch holds one. */
    static long list(Heap heap) {
        long head = 0;
        for (int i = 0; i < LENGTH; i++) {
            long cell = heap.newObject(CELL);
            heap.writePointer(cell, REF, head);
            head = cell;
        }
        return head;
    }

    @Test
    void shouldRunTheChoresBetweenBatchesOfConcurrentMarkingButNotWhileStopped() {
        try (Heap heap = Heap.open(64L << 20, 0)) {
            HeapForGc gc = GcAccess.of(heap);
            WorkQueue queue = new WorkQueue();
            Barrier barrier = new Barrier(gc, queue, () -> {});
            AtomicInteger chores = new AtomicInteger();
            Marker marker = new Marker(gc, queue, barrier, new MarkWork(), new AssistQueue(), chores::incrementAndGet);
            long head = list(heap);

            gc.startMark();
            barrier.shade(head);
            assertTrue(marker.drain(Long.MAX_VALUE));
            assertTrue(chores.get() >= LENGTH - 1, "a chore point after every batch but the last: " + chores);
            assertEquals(LENGTH, marker.scannedAndReset());
            gc.finishMark();
            gc.finishSweep();

            chores.set(0);
            gc.startMark();
            barrier.shade(head);
            assertTrue(marker.drainStopped(Long.MAX_VALUE));
            assertEquals(0, chores.get(), "none inside a pause: a chore would lengthen it");
            assertEquals(LENGTH, marker.scannedAndReset());
            gc.finishMark();
            gc.finishSweep();
            heap.verify();
        }
    }

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
