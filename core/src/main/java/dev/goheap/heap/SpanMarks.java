package dev.goheap.heap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The collector's part of a span (Go's gcmarkBits and {@code mspan.sweep}): its mark bits, set
 * by the marker, the write barrier and allocate-black, and the sweep that keeps the marked
 * slots. The state is {@link Span}'s {@code markBits} and {@code sweepGen}; see
 * {@link CycleState} for the cycle and the span's field comments for who writes them.
 *
 * <p>Static methods on the span's fields, as {@link SpanPointerMaps}: {@link #mark} is on the
 * owner's free path while marking and on the marker's, both with the span's fields loaded.
 */
final class SpanMarks {
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    private SpanMarks() {}

    /** Sets the mark bit of {@code slot} (0 for a large span); returns whether this call set it. */
    static boolean mark(Span s, int slot) {
        long[] bits = s.markBits; // null only if a dangling pointer led here to a span being freed
        if (bits == null) {
            return false;
        }
        int w = slot >>> 6;
        long mask = 1L << slot;
        // Test before the atomic OR (Go's greyobject does the same): the write barrier mostly
        // shades objects that are marked already (allocate-black makes every new object so),
        // and the OR is a locked read-modify-write of a word the marker thread writes too. A
        // set bit stays set until the span is swept, so seeing it set answers "not this call".
        if (((long) BITS.getOpaque(bits, w) & mask) != 0) {
            return false;
        }
        return ((long) BITS.getAndBitwiseOr(bits, w, mask) & mask) == 0;
    }

    /**
     * Allocate-black for a whole span (Go marks each new object; here a span's free slots are
     * marked at once): marks every slot that is free now, so that whatever the owner allocates
     * from them is black without an atomic per object. One atomic OR per bitmap word that has an
     * unmarked free slot (a 16-byte class: 8 per 8 KiB span, against 512 per-object ORs). The
     * marker ORs the same words, so a plain read-modify-write here could lose its bits.
     *
     * <p>Owner path while marking (refill), or mark start with the world stopped. A marked free
     * slot changes nothing for the collector: no pointer leads to it (the checks refuse
     * pointers to free slots), and the sweep keeps {@code alloc & mark}, so its mark is cleared
     * with the others. Slots that become free later, by the owner's free while marking, are
     * marked by that free ({@link Heap#free}); parked remote frees become free slots only
     * through a merge, at a refill, which calls this after it.
     */
    static void markFreeSlots(Span s) {
        long[] alloc = s.allocBits;
        long[] marks = s.markBits;
        int count = s.objectCount;
        for (int w = 0; w < alloc.length; w++) {
            long free = ~alloc[w];
            int slotsInWord = count - (w << 6);
            if (slotsInWord < 64) {
                free &= (1L << slotsInWord) - 1; // no bits past the last slot
            }
            long unmarked = free & ~(long) BITS.getOpaque(marks, w);
            if (unmarked != 0) {
                BITS.getAndBitwiseOr(marks, w, unmarked);
            }
        }
    }

    static boolean isMarked(Span s, int slot) {
        long[] bits = s.markBits;
        return bits != null && ((long) BITS.getOpaque(bits, slot >>> 6) & (1L << slot)) != 0;
    }

    /**
     * Sweeps a small span (Go's {@code mspan.sweep}): merges parked remote frees, then frees
     * every allocated slot that is neither marked nor a goroutine stack, and clears the marks.
     * Requires the central lock, and that the owner (if any) is stopped. Returns the slots freed.
     */
    static int sweepSmall(Span s, int gen) {
        RemoteFrees.merge(s);
        long[] stacks = SpanStacks.stackBits(s);
        long[] allocBits = s.allocBits;
        long[] markBits = s.markBits;
        int freed = 0;
        for (int w = 0; w < allocBits.length; w++) {
            long alloc = allocBits[w];
            long live = alloc & (markBits[w] | (stacks != null ? stacks[w] : 0));
            freed += Long.bitCount(alloc & ~live);
            allocBits[w] = live;
            markBits[w] = 0;
        }
        s.allocCount -= freed;
        s.frees += freed;
        s.freeWord = 0;
        s.sweepGen = gen;
        return freed;
    }

    /**
     * Sweeps a large span: returns true if its object is garbage (unmarked and not a stack); the
     * caller then frees it. Clears the mark. Requires the page heap lock.
     */
    static boolean sweepLarge(Span s, int gen) {
        boolean dead = (s.markBits[0] & 1) == 0 && !s.largeStack;
        s.markBits[0] = 0;
        s.sweepGen = gen;
        return dead;
    }
}
