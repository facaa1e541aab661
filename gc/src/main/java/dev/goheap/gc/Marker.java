package dev.goheap.gc;

import dev.goheap.internal.gc.HeapForGc;
import java.util.function.LongConsumer;

/**
 * Drains the grey set: takes grey objects from the {@link WorkQueue} and scans their pointer
 * fields, shading what they point to (Go's {@code gcDrain}). Runs on the collector thread,
 * concurrently with mutators, and to completion during mark termination.
 *
 * <p><b>Thread safety:</b> collector thread only.
 */
final class Marker {
    private final HeapForGc heap;
    private final WorkQueue queue;
    private final Barrier barrier;
    private final long[] batch = new long[GreyBuffer.CAPACITY];
    private final LongConsumer shadeField;
    private long scanned; // objects scanned this cycle

    Marker(HeapForGc heap, WorkQueue queue, Barrier barrier) {
        this.heap = heap;
        this.queue = queue;
        this.barrier = barrier;
        this.shadeField = barrier::shade;
    }

    /**
     * Scans grey objects until none is left or {@code deadlineNanos} passes (checked every
     * batch); returns true if the grey set is empty (as far as this thread can see: mutators'
     * buffers may still hold some).
     */
    boolean drain(long deadlineNanos) {
        while (true) {
            barrier.flushCurrent();
            int n = queue.takeSome(batch);
            if (n == 0) {
                return true;
            }
            for (int i = 0; i < n; i++) {
                heap.scan(batch[i], shadeField);
            }
            scanned += n;
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
        }
    }

    long scannedAndReset() {
        long s = scanned;
        scanned = 0;
        return s;
    }
}
