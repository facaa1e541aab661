package dev.goheap.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The count of active goroutines ({@code Safepoints.active}: RUNNING or STOPPED), on a cache line
 * of its own. Why: every park and unpark writes it, and every safepoint poll of every goroutine
 * reads the {@code pending} flag; sharing a line, each park would cost the other cores' polls a
 * cache miss. Padded by inheritance, as Agrona's and JCTools' counters are: the JVM lays out a
 * superclass's fields before a subclass's, but may reorder the fields of one class.
 *
 * <p><b>Thread safety:</b> atomic adds and volatile reads only.
 */
final class ActiveCount extends ActiveCountValue {
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7, q8;

    /** Adds {@code delta} atomically. */
    void add(int delta) {
        VALUE.getAndAdd(this, delta);
    }

    /** A volatile read. */
    int get() {
        return value;
    }
}

/** {@link ActiveCount}'s value, after a line of padding. */
abstract class ActiveCountValue extends ActiveCountPadding {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ActiveCountValue.class, "value", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile int value;
}

/** The padding in front of {@link ActiveCountValue#value}. */
abstract class ActiveCountPadding {
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7, p8;
}
