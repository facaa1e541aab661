package dev.goheap.gc;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global grey set (Go's {@code work.full}): pointers of marked objects whose fields are not
 * scanned yet, handed in by mutators' {@link GreyBuffer}s in batches and taken by the marker.
 *
 * <p><b>Thread safety:</b> every method takes {@link #lock}; the array grows with the grey set,
 * never per operation.
 */
final class WorkQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] items = new long[1024]; // guarded by lock
    private int size;                      // guarded by lock

    /** Adds {@code count} pointers from {@code batch}. */
    void addAll(long[] batch, int count) {
        lock.lock();
        try {
            if (size + count > items.length) {
                items = Arrays.copyOf(items, Math.max(items.length * 2, size + count));
            }
            System.arraycopy(batch, 0, items, size, count);
            size += count;
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code into.length} pointers into {@code into}; returns how many. */
    int takeSome(long[] into) {
        lock.lock();
        try {
            int n = Math.min(size, into.length);
            System.arraycopy(items, size - n, into, 0, n);
            size -= n;
            return n;
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
}
