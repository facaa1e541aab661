package dev.goheap.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The two indices of a single-producer single-consumer ring, each on its own cache line.
 *
 * <pre>
 *   producer: tail (written), headCache (owner only)  |  consumer: head (written), tailCache (owner only)
 *   slot i is full  when head &lt;= i &lt; tail;  it is the producer's when tail - head &lt; capacity
 * </pre>
 * The producer writes a slot with a plain store, then publishes it with {@code setRelease(tail)};
 * the consumer reads {@code tail} with {@code getAcquire}, so it sees the slot's value. Back the
 * other way, the consumer's {@code setRelease(head)} after reading a slot hands it to the producer,
 * whose {@code getAcquire(head)} orders its next store to that slot after the consumer's read.
 * Each side re-reads the other's index only when its cached copy says full (or empty).
 *
 * <p>Fields are padded through the class hierarchy (JCTools' way): the JVM lays a superclass's
 * fields out before a subclass's, so the paddings stay between the indices.
 */
abstract class SpscIndices extends SpscConsumerFields {
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(SpscProducerFields.class, "tail", long.class);
            HEAD = lookup.findVarHandle(SpscConsumerFields.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;

    final int capacity;
    final int mask;

    SpscIndices(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a power of two >= 2)");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /**
     * Producer only: the index of a free slot to fill, or {@code -1} if the ring is full. After
     * filling it, call {@link #publish}.
     */
    final long claimSlot() {
        long tail = this.tail; // owner: plain read of its own field
        if (tail - headCache >= capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (tail - headCache >= capacity) {
                return -1;
            }
        }
        return tail;
    }

    /** Producer only: makes slot {@code index} (from {@link #claimSlot}) visible to the consumer. */
    final void publish(long index) {
        TAIL.setRelease(this, index + 1);
    }

    /** Consumer only: the index of a full slot to read, or {@code -1} if empty. Then {@link #release}. */
    final long nextFullSlot() {
        long head = this.head; // owner: plain read of its own field
        if (head >= tailCache) {
            tailCache = (long) TAIL.getAcquire(this);
            if (head >= tailCache) {
                return -1;
            }
        }
        return head;
    }

    /** Consumer only: hands slot {@code index} (from {@link #nextFullSlot}) back to the producer. */
    final void release(long index) {
        HEAD.setRelease(this, index + 1);
    }

    /** Number of full slots; exact only when neither side is running. */
    final int fullSlotCount() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }
}

abstract class SpscPad0 {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}

abstract class SpscProducerFields extends SpscPad0 {
    long tail; // written by the producer only (release), read by the consumer (acquire)
    long headCache; // producer only
}

abstract class SpscPad1 extends SpscProducerFields {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
}

abstract class SpscConsumerFields extends SpscPad1 {
    long head; // written by the consumer only (release), read by the producer (acquire)
    long tailCache; // consumer only
}
