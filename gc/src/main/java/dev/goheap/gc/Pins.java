package dev.goheap.gc;

import dev.goheap.heap.Heap;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Explicit roots (cgo's handles): a pinned object stays alive until unpinned, whatever points
 * to it. A handle is an index into a table; freed handles are reused.
 *
 * <p><b>Thread safety:</b> every method takes {@link #lock}. While the collector marks, pinning
 * shades the object (it may have been loaded from a slot that is overwritten next) and
 * unpinning shades it too (the snapshot at the start still holds it).
 */
final class Pins {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] pointers = new long[64]; // guarded by lock; 0 = free handle
    private int[] freeHandles = new int[64]; // guarded by lock
    private int freeCount;                   // guarded by lock
    private int used;                        // guarded by lock: handles ever handed out
    private int live;                        // guarded by lock

    /** Pins {@code p} and returns its handle (> 0). */
    long pin(Heap heap, long p, Barrier barrierWhileMarking) {
        heap.checkPointer(p);
        if (p == 0) {
            throw new IllegalArgumentException("pin: nil (expected: a live object)");
        }
        lock.lock();
        try {
            int h;
            if (freeCount > 0) {
                h = freeHandles[--freeCount];
            } else {
                if (used + 1 >= pointers.length) {
                    pointers = Arrays.copyOf(pointers, pointers.length * 2);
                }
                h = ++used;
            }
            pointers[h] = p;
            live++;
            if (barrierWhileMarking != null) {
                barrierWhileMarking.shade(p);
            }
            return h;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the object pinned under {@code handle}. */
    long get(long handle) {
        lock.lock();
        try {
            return pointers[checked(handle, "get")];
        } finally {
            lock.unlock();
        }
    }

    /** Unpins {@code handle}; returns the object it held. */
    long unpin(long handle, Barrier barrierWhileMarking) {
        lock.lock();
        try {
            int h = checked(handle, "unpin");
            long p = pointers[h];
            pointers[h] = 0;
            if (freeCount == freeHandles.length) {
                freeHandles = Arrays.copyOf(freeHandles, freeHandles.length * 2);
            }
            freeHandles[freeCount++] = h;
            live--;
            if (barrierWhileMarking != null) {
                barrierWhileMarking.shade(p);
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    private int checked(long handle, String operation) {
        if (handle <= 0 || handle > used || pointers[(int) handle] == 0) {
            throw new IllegalArgumentException(operation + ": handle " + handle + " (expected: a pinned handle)");
        }
        return (int) handle;
    }

    /** Calls {@code visitor} with every pinned object. */
    void forEach(LongConsumer visitor) {
        lock.lock();
        try {
            for (int h = 1; h <= used; h++) {
                if (pointers[h] != 0) {
                    visitor.accept(pointers[h]);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }
}
