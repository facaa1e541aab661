package dev.goheap.gc;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global grey set (Go's {@code work.full}): pointers of marked objects whose fields are not
 * scanned yet, handed in by the threads' {@link GreyBuffer}s in batches and taken in batches by
 * the drainers: the collector thread and assisting goroutines ({@link Marker}).
 *
 * <p><b>Several drainers, and termination.</b> A taken batch is grey work outside the queue
 * until its drainer has scanned it and handed what it greyed back. So a drainer that takes a
 * batch holds it ({@link #takeSome} counts it in {@link #heldBatches}) until {@link #batchDone},
 * which it calls after flushing its own buffer to the queue; {@link #isDrained} is true only
 * when the queue is empty and no batch is held (Go's {@code work.nwait == work.nproc} check).
 * The bad interleaving it closes: 1) an assist takes the last grey objects; 2) the collector
 * finds the queue empty and decides that marking is done; 3) the assist greys their children.
 * With the count, step 2 sees a held batch and waits. (Greys in the mutators' barrier buffers
 * are outside this count on purpose: mark termination drains them with the world stopped.)
 *
 * <p><b>Buffers holding greys.</b> {@link #holdingBuffers} counts the {@link GreyBuffer}s that
 * hold greys not yet handed in: one atomic add when a buffer's first grey goes in and one when
 * it is emptied, so per batch of greys, not per grey. Mark termination reads it with the world
 * stopped (every owner's adds happen before the stop) and visits the buffers only when it is
 * not 0: after the concurrent drain they are almost always empty, and visiting thousands of
 * goroutines' buffers to find that out was part of the pause.
 *
 * <p><b>Thread safety:</b> every method takes {@link #lock} but {@link #holdingBuffers}' (an
 * atomic); the array grows with the grey set, never per operation.
 */
final class WorkQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] items = new long[1024]; // guarded by lock
    private int size;                      // guarded by lock
    private int heldBatches;               // guarded by lock: batches taken and not yet done
    /** Buffers holding greys that are not in the queue yet (GreyBuffer's adds). */
    final AtomicInteger holdingBuffers = new AtomicInteger();

    /** Adds {@code count} pointers from {@code batch}. */
    void addAll(long[] batch, int count) {
        lock.lock();
        try {
            addAllLocked(batch, count);
        } finally {
            lock.unlock();
        }
    }

    private void addAllLocked(long[] batch, int count) {
        assert lock.isHeldByCurrentThread();
        if (size + count > items.length) {
            items = Arrays.copyOf(items, Math.max(items.length * 2, size + count));
        }
        System.arraycopy(batch, 0, items, size, count);
        size += count;
    }

    /**
     * Moves up to {@code into.length} pointers into {@code into}; returns how many. If that is
     * not 0, the caller holds a batch and must call {@link #batchDone} once it has scanned it and
     * flushed its buffer.
     */
    int takeSome(long[] into) {
        lock.lock();
        try {
            int n = Math.min(size, into.length);
            System.arraycopy(items, size - n, into, 0, n);
            size -= n;
            if (n > 0) {
                heldBatches++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the hold of a batch taken with {@link #takeSome}. */
    void batchDone() {
        batchDone(null, 0);
    }

    /**
     * Adds {@code count} pointers from {@code greys} (what the batch's scan greyed) and ends the
     * hold of a batch, in one locked step: one lock round trip less per batch, which matters when
     * a virtual thread and the collector contend for it.
     */
    void batchDone(long[] greys, int count) {
        lock.lock();
        try {
            if (heldBatches <= 0) {
                throw new InternalError("work queue: batchDone without a held batch (expected: one per non-empty takeSome)");
            }
            if (count > 0) {
                addAllLocked(greys, count);
            }
            heldBatches--;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return size == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether the queue is empty and no drainer holds a batch. */
    boolean isDrained() {
        lock.lock();
        try {
            return size == 0 && heldBatches == 0;
        } finally {
            lock.unlock();
        }
    }
}
