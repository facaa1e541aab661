package dev.goheap.gc;

import dev.goheap.internal.gc.HeapForGc;

/**
 * One thread's marking state (Go's per-P {@code gcWork} and {@code wbBuf}, plus the per-G
 * {@code gcAssistBytes}): the batch of newly greyed pointers that the write barrier, the stack
 * scans and this thread's drains add to without a lock (a full buffer goes to the {@link
 * WorkQueue} in one locked step), the batch it takes from the queue to scan, the bytes it
 * marked, and its assist balance.
 *
 * <p><b>Thread safety:</b> its thread only, except that while the world is stopped (or after the
 * thread ended) the collector drains it; the stop's handshake orders those accesses. No field
 * is touched while this thread is inside an assist by anyone else: an assist has no safepoint.
 * A dry assist's park ({@link Assists#parkIfOwed}) is a safepoint: while parked, the thread
 * touches only its balance, which the collector never touches.
 */
final class GreyBuffer implements HeapForGc.GreySink {
    static final int CAPACITY = 256;

    final Thread thread;
    private final WorkQueue queue; // where a full buffer goes when a drain's scan greys into it
    /** Bytes this thread marked this cycle (barrier shades, stack scans, drains). */
    long markedBytes;
    /** The part of {@link #markedBytes} already added to the cycle's mark work ({@link Assists}). */
    long publishedBytes;
    /** The Barrier's cycle this buffer is listed in (Barrier#listed): its owner reads it, written under the Barrier's lock. */
    long listedCycle;
    /**
     * The assist balance in allocation bytes (Go's {@code gcAssistBytes}): negative is debt to
     * pay by marking, positive is credit; valid for cycle {@link #assistCycle} only.
     */
    long assistBytes;
    long assistCycle;
    /** The cycle in which this thread's last assist ran dry past the goal and owes a park; 0: none. */
    long parkCycle;
    private AssistQueue.Waiter waiter; // made at the first park
    private final long[] items = new long[CAPACITY];
    private int size;
    private long[] batch; // the grey objects this thread is scanning; made at its first drain
    private HeapForGc.Scanner scanner; // made at its first drain

    GreyBuffer(Thread thread, WorkQueue queue) {
        this.thread = thread;
        this.queue = queue;
    }

    /** A drain's scan marked {@code p} (its bytes are counted by the drain): adds it, as {@link #add}. */
    @Override
    public void grey(long p) {
        add(p, queue);
    }

    void add(long p, WorkQueue queue) {
        if (size == 0) {
            queue.holdingBuffers.getAndIncrement(); // once per batch: WorkQueue, "Buffers holding greys"
        }
        items[size++] = p;
        if (size == CAPACITY) {
            flush(queue);
        }
    }

    void flush(WorkQueue queue) {
        if (size > 0) {
            queue.addAll(items, size);
            size = 0;
            queue.holdingBuffers.getAndDecrement(); // after the greys are in the queue
        }
    }

    /** Hands this buffer's greys to the queue and ends the hold of a batch taken from it, in one step. */
    void flushAndEndBatch(WorkQueue queue) {
        queue.batchDone(items, size);
        if (size > 0) {
            size = 0;
            queue.holdingBuffers.getAndDecrement();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Returns this thread's batch array for taking grey objects, of {@code capacity} (made once). */
    long[] batch(int capacity) {
        long[] b = batch;
        if (b == null || b.length != capacity) {
            b = new long[capacity];
            batch = b;
        }
        return b;
    }

    /** Returns this thread's scanner of {@code heap} (made once). */
    HeapForGc.Scanner scanner(HeapForGc heap) {
        HeapForGc.Scanner s = scanner;
        if (s == null) {
            s = heap.newScanner();
            scanner = s;
        }
        return s;
    }

    /** Returns this thread's waiter for parked assists (made once). */
    AssistQueue.Waiter waiter() {
        AssistQueue.Waiter w = waiter;
        if (w == null) {
            w = new AssistQueue.Waiter(thread);
            waiter = w;
        }
        return w;
    }

    /** Returns the bytes marked since the last call (this cycle's work not yet published). */
    long takeUnpublishedBytes() {
        long delta = markedBytes - publishedBytes;
        publishedBytes = markedBytes;
        return delta;
    }
}
