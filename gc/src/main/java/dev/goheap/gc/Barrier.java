package dev.goheap.gc;

import dev.goheap.heap.WriteBarrier;
import dev.goheap.internal.gc.HeapForGc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write barrier and the shading of grey objects (DESIGN decision 7).
 *
 * <p><b>Which barrier, and why.</b> While the collector marks, every pointer store through the
 * API (heap fields, {@code data} slots, stack frames) shades both the value it overwrites
 * (Yuasa's deletion barrier: the snapshot of the graph at the start is kept) and the value it
 * stores (Dijkstra's insertion barrier). These are the two halves of Go's hybrid barrier; Go
 * shades the new value only while the storing goroutine's stack is still grey, because its
 * stack writes carry no barrier. goheap shades it always, because a frame's pop carries no
 * barrier either. The race it prevents, step by step: 1) frame F holds the only pointer to X
 * and this goroutine's stack is not scanned yet; 2) it stores X into object H, which the
 * marker has already scanned (black); 3) it pops F; 4) the stack scan no longer finds X, and H
 * is not scanned again: without step 2's insertion shade, X would be freed while H points to
 * it. With both halves, every object reachable at the start, or stored anywhere since, is
 * marked; objects allocated during marking are black (allocate-black), so nothing reachable is
 * lost. The cost: floating garbage (objects dropped during the cycle survive until the next).
 *
 * <p><b>Thread safety:</b> {@link #beforeStore} and {@link #shade} run on any mutator thread,
 * each with its own {@link GreyBuffer} (the collector thread and assisting goroutines shade
 * through their own too); {@link #drainAllBuffers} and {@link #takeMarkedBytes} only while the
 * world is stopped.
 */
final class Barrier implements WriteBarrier {
    private final HeapForGc heap;
    private final WorkQueue queue;
    private final ThreadLocal<GreyBuffer> local = new ThreadLocal<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<GreyBuffer> buffers = new ArrayList<>(); // guarded by lock
    private long markedBytesOfEnded; // guarded by lock: counts of buffers forgotten this cycle
    private final MutatorCheck mutatorCheck;

    /** Refuses threads that may not store pointers while the collector runs. */
    interface MutatorCheck {
        void check();
    }

    Barrier(HeapForGc heap, WorkQueue queue, MutatorCheck mutatorCheck) {
        this.heap = heap;
        this.queue = queue;
        this.mutatorCheck = mutatorCheck;
    }

    @Override
    public void beforeStore(long oldValue, long newValue) {
        shade(oldValue);
        shade(newValue);
    }

    /**
     * Marks the object at {@code p} (if it is one and unmarked), counts its bytes and, if it may
     * hold pointers, queues it for scanning.
     */
    void shade(long p) {
        if (p == 0) {
            return;
        }
        long marked = heap.mark(p);
        if (marked != 0) {
            counted(p, marked, buffer());
        }
    }

    private void counted(long p, long marked, GreyBuffer b) {
        b.markedBytes += marked & ~HeapForGc.NEEDS_SCAN;
        if ((marked & HeapForGc.NEEDS_SCAN) != 0) {
            b.add(p, queue);
        }
    }

    /** Returns the calling thread's buffer, registering it first (refused to non-mutators). */
    GreyBuffer buffer() {
        GreyBuffer b = local.get();
        return b != null ? b : register();
    }

    /** Returns the calling thread's buffer if it has one, else null (registers none). */
    GreyBuffer localOrNull() {
        return local.get();
    }

    /** Returns the calling thread's buffer, or null if it has none and may not register one. */
    GreyBuffer bufferOrNull() {
        GreyBuffer b = local.get();
        if (b != null) {
            return b;
        }
        try {
            return register();
        } catch (IllegalStateException notAMutator) {
            return null;
        }
    }

    private GreyBuffer register() {
        mutatorCheck.check();
        GreyBuffer b = new GreyBuffer(Thread.currentThread(), queue);
        lock.lock();
        try {
            buffers.add(b);
        } finally {
            lock.unlock();
        }
        local.set(b);
        return b;
    }

    /** Hands the calling thread's buffered grey objects to the queue. */
    void flushCurrent() {
        GreyBuffer b = local.get();
        if (b != null) {
            b.flush(queue);
        }
    }

    /** World stopped, marking done: returns the bytes all threads marked this cycle and zeroes the counts. */
    long takeMarkedBytes() {
        lock.lock();
        try {
            long sum = markedBytesOfEnded;
            markedBytesOfEnded = 0;
            for (GreyBuffer b : buffers) {
                sum += b.markedBytes;
                b.markedBytes = 0;
                b.publishedBytes = 0;
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /**
     * World stopped: moves every thread's buffered grey objects to the queue; forgets the buffers
     * of threads that ended. Returns whether any buffer held something.
     */
    boolean drainAllBuffers() {
        boolean any = false;
        lock.lock();
        try {
            for (int i = buffers.size() - 1; i >= 0; i--) {
                GreyBuffer b = buffers.get(i);
                any |= !b.isEmpty();
                b.flush(queue);
                if (!b.thread.isAlive()) {
                    markedBytesOfEnded += b.markedBytes;
                    buffers.remove(i);
                }
            }
        } finally {
            lock.unlock();
        }
        return any;
    }
}
