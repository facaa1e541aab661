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
 * through their own too); {@link #drainAllBuffers} only while the world is stopped; {@link
 * #takeMarkedBytes} after mark termination's pause, on the collector's thread.
 *
 * <p><b>Buffers in the pause.</b> Mark termination visits the buffers only if one holds greys
 * (WorkQueue, "Buffers holding greys"), and then only the buffers used this cycle
 * ({@link #listed}): a buffer is listed when its thread first takes it in a cycle, so the pause
 * does not grow with goroutines that did not mark anything (10 000 parked goroutines, each with a
 * buffer from an earlier cycle, made termination 2-3.5 ms). Buffers of ended threads are dropped
 * when a new buffer registers and the list has doubled since (as the heap's thread caches are).
 */
final class Barrier implements WriteBarrier {
    private final HeapForGc heap;
    private final WorkQueue queue;
    private final ThreadLocal<GreyBuffer> local = new ThreadLocal<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<GreyBuffer> buffers = new ArrayList<>(); // every buffer: guarded by lock
    /** The buffers taken this cycle (the last termination to the next): guarded by lock. */
    private final List<GreyBuffer> listed = new ArrayList<>();
    /** Bumped by {@link #takeMarkedBytes}, under lock: buffers with an older {@code listedCycle} are not listed. */
    private volatile long cycle = 1;
    private int reapThreshold = MIN_REAP_THRESHOLD; // guarded by lock
    private long markedBytesOfEnded; // guarded by lock: counts of buffers forgotten this cycle
    private static final int MIN_REAP_THRESHOLD = 64;
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
        return b != null ? listed(b) : register();
    }

    /** Returns the calling thread's buffer if it has one, else null (registers none). */
    GreyBuffer localOrNull() {
        GreyBuffer b = local.get();
        return b != null ? listed(b) : null;
    }

    /** Returns the calling thread's buffer, or null if it has none and may not register one. */
    GreyBuffer bufferOrNull() {
        GreyBuffer b = local.get();
        if (b != null) {
            return listed(b);
        }
        try {
            return register();
        } catch (IllegalStateException notAMutator) {
            return null;
        }
    }

    /**
     * Returns {@code b}, listed for this cycle's termination first if it is not yet: every path
     * that may grey into a buffer or count its bytes takes it through here. The cycle changes
     * after termination's pause, before the next mark start's, so every owner sees the change
     * before its next shade; an assist that ends late may list its buffer once more, which only
     * visits it twice.
     */
    private GreyBuffer listed(GreyBuffer b) {
        if (b.listedCycle != cycle) {
            lock.lock();
            try {
                b.listedCycle = cycle;
                listed.add(b);
            } finally {
                lock.unlock();
            }
        }
        return b;
    }

    private GreyBuffer register() {
        mutatorCheck.check();
        GreyBuffer b = new GreyBuffer(Thread.currentThread(), queue);
        lock.lock();
        try {
            if (buffers.size() + 1 >= reapThreshold) {
                forgetEndedLocked();
                reapThreshold = Math.max(MIN_REAP_THRESHOLD, 2 * (buffers.size() + 1));
            }
            buffers.add(b);
            b.listedCycle = cycle;
            listed.add(b);
        } finally {
            lock.unlock();
        }
        local.set(b);
        return b;
    }

    /**
     * Drops the buffers of threads that have ended (their thread's end orders what they did
     * before this): their greys go to the queue, their counts to {@link #markedBytesOfEnded}.
     */
    private void forgetEndedLocked() {
        for (int i = buffers.size() - 1; i >= 0; i--) {
            GreyBuffer b = buffers.get(i);
            if (!b.thread.isAlive()) {
                b.flush(queue);
                markedBytesOfEnded += b.markedBytes;
                b.markedBytes = 0;
                b.publishedBytes = 0;
                buffers.remove(i);
            }
        }
    }

    /** Hands the calling thread's buffered grey objects to the queue. */
    void flushCurrent() {
        GreyBuffer b = local.get();
        if (b != null) {
            b.flush(queue);
        }
    }

    /**
     * After mark termination's pause (the barrier off, no thread shading): returns the bytes all
     * threads marked this cycle, zeroes the counts and starts the listing of the next cycle. Not
     * in the pause: it visits every buffer that marked this cycle, thousands with as many
     * goroutines.
     */
    long takeMarkedBytes() {
        lock.lock();
        try {
            long sum = markedBytesOfEnded;
            markedBytesOfEnded = 0;
            for (GreyBuffer b : listed) { // a buffer not taken this cycle counted nothing in it
                sum += b.markedBytes;
                b.markedBytes = 0;
                b.publishedBytes = 0;
            }
            listed.clear();
            cycle++;
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /**
     * World stopped: moves the buffered grey objects of every buffer taken this cycle to the
     * queue (no other buffer holds any). Returns whether any buffer held something. Visits the
     * buffers only if the queue's count of buffers holding greys says some do (WorkQueue,
     * "Buffers holding greys"): after the concurrent drain, almost never.
     */
    boolean drainAllBuffers() {
        if (queue.holdingBuffers.get() == 0) {
            return false;
        }
        boolean any = false;
        lock.lock();
        try {
            for (GreyBuffer b : listed) {
                any |= !b.isEmpty();
                b.flush(queue);
            }
        } finally {
            lock.unlock();
        }
        assert queue.holdingBuffers.get() == 0 : "a buffer holding greys was not listed";
        return any;
    }
}
