package dev.goheap.jmh;

import java.util.function.Consumer;

/**
 * A bounded single-producer single-consumer queue of references, allocation-free: the reference
 * twin of {@link LongSpscRing} (for Netty's {@code ByteBuf}s). See {@link SpscIndices}.
 *
 * <p><b>Thread safety:</b> {@link #offer} from one producer thread, {@link #poll} from one consumer
 * thread; {@link #drain} only when neither runs.
 *
 * @param <E> the element type
 */
public final class RefSpscRing<E> extends SpscIndices {
    private final Object[] slots;

    /** @throws IllegalArgumentException if {@code capacity} is not a power of two {@code >= 2} */
    public RefSpscRing(int capacity) {
        super(capacity);
        this.slots = new Object[capacity];
    }

    /** Producer only: enqueues {@code value} (not null); {@code false} if the ring is full. */
    public boolean offer(E value) {
        long index = claimSlot();
        if (index < 0) {
            return false;
        }
        slots[(int) index & mask] = value;
        publish(index);
        return true;
    }

    /** Consumer only: dequeues the oldest value; {@code null} if the ring is empty. */
    @SuppressWarnings("unchecked")
    public E poll() {
        long index = nextFullSlot();
        if (index < 0) {
            return null;
        }
        int slot = (int) index & mask;
        E value = (E) slots[slot];
        slots[slot] = null; // before release(): the producer may write the slot right after it
        release(index);
        return value;
    }

    /** Quiescent only: hands every queued value to {@code action} and empties the ring. */
    public void drain(Consumer<? super E> action) {
        for (E value = poll(); value != null; value = poll()) {
            action.accept(value);
        }
    }

    /** Number of queued values; exact only when neither side runs. */
    public int size() {
        return fullSlotCount();
    }
}
