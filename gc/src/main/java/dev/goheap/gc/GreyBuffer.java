package dev.goheap.gc;

/**
 * One thread's batch of newly greyed pointers (Go's {@code wbBuf}): the write barrier and the
 * stack scans of a goroutine add to it without a lock; a full buffer goes to the {@link
 * WorkQueue} in one locked step.
 *
 * <p><b>Thread safety:</b> its thread only, except that while the world is stopped (or after the
 * thread ended) the collector drains it; the stop's handshake orders those accesses.
 */
final class GreyBuffer {
    static final int CAPACITY = 256;

    final Thread thread;
    /** Bytes this thread marked this cycle (barrier shades, stack scans, the marker's work). */
    long markedBytes;
    private final long[] items = new long[CAPACITY];
    private int size;

    GreyBuffer(Thread thread) {
        this.thread = thread;
    }

    void add(long p, WorkQueue queue) {
        items[size++] = p;
        if (size == CAPACITY) {
            flush(queue);
        }
    }

    void flush(WorkQueue queue) {
        if (size > 0) {
            queue.addAll(items, size);
            size = 0;
        }
    }

    boolean isEmpty() {
        return size == 0;
    }
}
