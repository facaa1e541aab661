package dev.goheap.gc;

import dev.goheap.internal.gc.HeapForGc;

/**
 * Drains the grey set: takes grey objects from the {@link WorkQueue} in batches and scans their
 * pointer fields, shading what they point to (Go's {@code gcDrain}). Several threads drain at
 * once: the collector thread ({@link #drain}, {@link #drainStopped}) and goroutines paying an
 * assist ({@link #drainBatch}, from {@link Assists}). Each object is scanned once: its pointer is
 * queued only by the shade that set its mark bit (an atomic bit operation), and a batch is taken
 * out of the queue under its lock by exactly one drainer.
 *
 * <p><b>Credit:</b> after each batch the collector's work is credit ({@link MarkWork#addBackground}),
 * offered first to the assists parked for it ({@link AssistQueue#flush}, Go's
 * {@code gcFlushBgCredit}) while the world runs; with the world stopped it stays in the pool.
 *
 * <p><b>Termination:</b> {@link #drainBatch} flushes what it greyed to the queue before it
 * gives the batch up ({@link WorkQueue#batchDone}), so when the queue is empty and no batch is
 * held, no drainer holds grey work. The collector's concurrent {@link #drain} waits for held
 * batches before it reports the grey set empty; {@link #drainStopped} runs with the world
 * stopped, where no assist can be in progress (an assist contains no safepoint), and treats a
 * held batch as a broken invariant.
 *
 * <p><b>Thread safety:</b> {@link #drainBatch} on any thread, with that thread's own buffer and
 * batch array; {@link #drain} and {@link #scannedAndReset} on the collector thread only; {@link
 * #drainStopped} in a pause's work, on the collector thread or on the goroutine that completed
 * the stop (the collector thread waits meanwhile, and the stop's handoff orders the two).
 */
final class Marker {
    /** The collector's batch: as large as a grey buffer, so a full buffer moves in one take. */
    static final int COLLECTOR_BATCH = GreyBuffer.CAPACITY;

    private final HeapForGc heap;
    private final WorkQueue queue;
    private final Barrier barrier;
    private final MarkWork work;
    private final AssistQueue assistQueue;
    private final Runnable betweenBatches;
    private long scanned; // collector thread: objects it scanned this cycle

    Marker(HeapForGc heap, WorkQueue queue, Barrier barrier, MarkWork work, AssistQueue assistQueue) {
        this(heap, queue, barrier, work, assistQueue, () -> {});
    }

    /**
     * @param assistQueue    the dry assists waiting parked, which the collector's work pays first
     * @param betweenBatches the collector's chores, run between two batches of concurrent
     *     marking ({@link #drain}; not {@link #drainStopped}): a mark can take the collector
     *     thread for seconds, and the heap's spare chunk cannot wait that long (SpareChunks)
     */
    Marker(HeapForGc heap, WorkQueue queue, Barrier barrier, MarkWork work, AssistQueue assistQueue,
            Runnable betweenBatches) {
        this.heap = heap;
        this.queue = queue;
        this.barrier = barrier;
        this.work = work;
        this.assistQueue = assistQueue;
        this.betweenBatches = betweenBatches;
    }

    /**
     * Concurrent mark, collector thread: scans grey objects until the grey set is drained
     * (queue empty and no batch held by an assist) or {@code deadlineNanos} passes (checked every
     * batch); returns true if drained. Mutators' barrier buffers may still hold grey objects:
     * mark termination takes them with the world stopped.
     */
    boolean drain(long deadlineNanos) {
        return drainUntil(deadlineNanos, false);
    }

    /**
     * Mark termination, world stopped, the mutators' buffers already in the queue: scans until
     * the queue is empty (true) or {@code deadlineNanos} passes (false).
     *
     * @throws InternalError if a batch is held by another thread while the world is stopped
     */
    boolean drainStopped(long deadlineNanos) {
        return drainUntil(deadlineNanos, true);
    }

    /** The collector's drain loop: {@link #drain} and {@link #drainStopped} differ only in an empty queue. */
    private boolean drainUntil(long deadlineNanos, boolean worldStopped) {
        GreyBuffer own = barrier.buffer();
        long[] batch = own.batch(COLLECTOR_BATCH);
        while (true) {
            own.flush(queue);
            int n = drainBatch(own, batch);
            work.addBackground(own.takeUnpublishedBytes());
            if (!worldStopped) {
                // Parked assists first (Go's gcFlushBgCredit; one volatile read if none). Not with
                // the world stopped: a woken goroutine could only run to its unpark and wait there,
                // taking CPU from the pause; termination wakes them all once the world runs.
                assistQueue.flush(work);
            }
            scanned += n;
            if (n == 0) {
                if (queue.isDrained()) {
                    return true;
                }
                if (worldStopped) {
                    throw new InternalError("mark termination: a grey batch is held by another thread while the world"
                            + " is stopped (expected: none; an assist has no safepoint)");
                }
                // An assist holds a batch of a few objects: its children come back in microseconds.
                Thread.yield();
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            if (!worldStopped) {
                betweenBatches.run();
            }
        }
    }

    /**
     * Takes one batch of up to {@code batch.length} grey objects, scans them with {@code own}
     * (the calling thread's buffer) as the shading target, hands what they greyed to the queue,
     * and gives the batch up. Returns the number of objects scanned (0: the queue was empty).
     */
    int drainBatch(GreyBuffer own, long[] batch) {
        int n = queue.takeSome(batch);
        if (n == 0) {
            return 0;
        }
        HeapForGc.Scanner scanner = own.scanner(heap);
        boolean scanned = false;
        try {
            own.markedBytes += scanner.scanAndMark(batch, n, own);
            scanned = true;
        } finally {
            if (scanned) {
                own.flushAndEndBatch(queue); // what it greyed goes back as the hold ends: no gap between
            } else {
                queue.batchDone(); // a scan failed: do not leave the collector waiting for this batch
            }
        }
        return n;
    }

    long scannedAndReset() {
        long s = scanned;
        scanned = 0;
        return s;
    }
}
