package dev.goheap.heap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which objects of a noscan span are goroutine stacks ({@link Heap#allocateStack}): the marks
 * that let the pointer checks refuse pointers into a stack, and the sweep keep a stack the
 * collector never marks (package-info, "Goroutine stacks"). The state is {@link Span}'s
 * {@code stackBits} (small spans: one bit per slot, created by the span's first stack) and
 * {@code largeStack} (large spans).
 *
 * <p>Static methods on the span's fields, as {@link SpanPointerMaps}: {@link #stackContaining}
 * is on the pointer-check path, which has the span's fields loaded already.
 */
final class SpanStacks {
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle STACK_BITS;

    static {
        try {
            STACK_BITS = MethodHandles.lookup().findVarHandle(Span.class, "stackBits", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SpanStacks() {}

    /** No object of span {@code s} is a stack: it is set up for a use, or its object is recycled. */
    static void forget(Span s) {
        s.stackBits = null;
        s.largeStack = false;
    }

    /**
     * Marks ({@code on}) or unmarks the object that starts at {@code p} as a goroutine stack. Any
     * thread that owns the stack may call it, whether or not it owns the span: small spans use
     * atomic bit operations, so two stacks of one span marked at once never lose a bit.
     */
    static void markStack(Span s, long p, boolean on) {
        if (s.state == Span.LARGE) {
            s.largeStack = on;
            return;
        }
        int slot = s.slotIndexAt(p - s.base);
        long[] bits = stackBits(s);
        if (bits == null) {
            bits = new long[s.allocBits.length];
            if (!STACK_BITS.compareAndSet(s, null, bits)) {
                bits = stackBits(s);
            }
        }
        if (on) {
            BITS.getAndBitwiseOr(bits, slot >>> 6, 1L << slot);
        } else {
            BITS.getAndBitwiseAnd(bits, slot >>> 6, ~(1L << slot));
        }
    }

    /**
     * Returns the pointer of the goroutine stack that contains {@code p} (a slot start or an
     * interior pointer of span {@code s}), or nil if {@code p} is in no stack. Racy for stacks of
     * other threads: exact for a {@code p} received with a happens-before edge from its stack's
     * allocation, which is how every pointer into a stack is obtained.
     */
    static long stackContaining(Span s, long p) {
        if (s.state == Span.LARGE) {
            return s.largeStack ? s.base : 0L;
        }
        long[] bits = stackBits(s);
        if (s.state != Span.SMALL || bits == null) {
            return 0L;
        }
        int slot = (int) (((p - s.base) * s.divMagic) >>> 32);
        if (slot >= s.objectCount || ((long) BITS.getOpaque(bits, slot >>> 6) & (1L << slot)) == 0) {
            return 0L;
        }
        return s.base + (long) slot * s.elemSize;
    }

    /** Returns the stack bits of small span {@code s} (null before its first stack), read with acquire. */
    static long[] stackBits(Span s) {
        return (long[]) STACK_BITS.getAcquire(s);
    }
}
