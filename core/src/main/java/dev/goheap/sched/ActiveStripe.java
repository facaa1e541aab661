package dev.goheap.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stripe of an {@link ActiveCount}: a goroutine's {@link Mutator#activeStripe} adds here
 * directly (one load of the field, one atomic add: no index, no bounds check on the hot path).
 * Padded by inheritance, as Agrona's and JCTools' counters are: the JVM lays out a superclass's
 * fields before a subclass's, but may reorder the fields of one class. 128 bytes each side.
 *
 * <p><b>Thread safety:</b> atomic adds and volatile reads only.
 */
final class ActiveStripe extends ActiveStripeValue {
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15, q16;

    ActiveStripe(int index) {
        super(index);
    }

    /** Adds {@code delta} atomically (a volatile read-modify-write). */
    void add(int delta) {
        VALUE.getAndAdd(this, delta);
    }

    /** A volatile read. */
    int getVolatile() {
        return value;
    }
}

/** {@link ActiveStripe}'s value, after 128 bytes of padding. */
abstract class ActiveStripeValue extends ActiveStripePadding {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ActiveStripeValue.class, "value", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile int value;

    ActiveStripeValue(int index) {
        super(index);
    }
}

/** The padding in front of {@link ActiveStripeValue#value}, and the stripe's index (read-only, off the hot line). */
abstract class ActiveStripePadding {
    /** Which stripe of its count this is: for tests. */
    final int index;
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, p16;

    ActiveStripePadding(int index) {
        this.index = index;
    }
}
