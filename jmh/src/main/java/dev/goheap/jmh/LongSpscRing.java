package dev.goheap.jmh;

import java.util.function.LongConsumer;

/**
 * A bounded single-producer single-consumer queue of {@code long}s (pointers), allocation-free.
 * See {@link SpscIndices} for the memory ordering.
 *
 * <p><b>Thread safety:</b> {@link #offer} from one producer thread, {@link #poll} from one consumer
 * thread; {@link #drain} only when neither runs.
 */
public final class LongSpscRing extends SpscIndices {
    private final long[] slots;

    /** @throws IllegalArgumentException if {@code capacity} is not a power of two {@code >= 2} */
    public LongSpscRing(int capacity) {
        super(capacity);
        this.slots = new long[capacity];
    }

    /** Producer only: enqueues {@code value}; {@code false} if the ring is full. */
    public boolean offer(long value) {
        long index = claimSlot();
        if (index < 0) {
            return false;
        }
        slots[(int) index & mask] = value;
        publish(index);
        return true;
    }

    /** Consumer only: dequeues the oldest value; {@code 0} (nil) if the ring is empty. */
    public long poll() {
        long index = nextFullSlot();
        if (index < 0) {
            return 0;
        }
        long value = slots[(int) index & mask];
        release(index);
        return value;
    }

    /** Quiescent only: hands every queued value to {@code action} and empties the ring. */
    public void drain(LongConsumer action) {
        for (long value = poll(); value != 0; value = poll()) {
            action.accept(value);
        }
    }

    /** Number of queued values; exact only when neither side runs. */
    public int size() {
        return fullSlotCount();
    }
}
