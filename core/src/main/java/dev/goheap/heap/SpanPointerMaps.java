package dev.goheap.heap;

import dev.goheap.type.PointerMap;

/**
 * Which words of a scan span's objects are pointer fields (Go's heapBitsSetType, and the tests
 * of its heap bits): the allocator records each object's map, the access checks and the marker
 * ask. The state is {@link Span}'s: {@code pointerBits}, {@code uniformMap}, {@code mixedTypes},
 * {@code pointerLayout}, {@code uniformMask} and {@code pointerFieldMask}; the span's field
 * comments say who writes them.
 *
 * <p>Why static methods on the span's fields, and not an object of their own: the pointer-field
 * check reads {@code pointerFieldMask} beside the span's other fields, which the JIT has loaded
 * already for the access; an object of its own would put one more dependent load on every
 * checked pointer access. The methods are small enough to inline where they are called.
 */
final class SpanPointerMaps {
    private SpanPointerMaps() {}

    /** No object yet (the span is set up, or leaves use): no map, {@link Span#LAYOUT_BITS}, no mask. */
    static void forget(Span s) {
        s.uniformMap = null;
        s.mixedTypes = false;
        s.pointerLayout = Span.LAYOUT_BITS;
        s.pointerFieldMask = 0;
    }

    /**
     * Owner path, scan span: records that the object just allocated in {@code slot} has pointer
     * map {@code map} (Go's heapBitsSetType). Writing the slot's bits costs a read-modify-write of
     * the bitmap per object, so the span remembers the first object's map and writes it into
     * every slot's bits at once: as long as every later object has the same map (the usual case:
     * a size class serves one type), nothing is written per object, and the access checks test
     * one {@code long} ({@link Span#uniformMask}) instead of the bitmap. The first object of another
     * map turns the span to {@link Span#LAYOUT_BITS} for the rest of its life, and from then on each
     * object writes its own slot's bits. The collector always reads the bits, which are right
     * for every allocated slot either way.
     *
     * <p>Why other threads see a consistent state: the fill and the layout change happen before
     * the object is allocated, so before its pointer is handed to anyone; a thread that holds an
     * object of span {@code s} got it with a happens-before edge from its allocation and sees at
     * least the layout written before it. A span still {@code LAYOUT_UNIFORM} from that thread's
     * view is uniform for every object it can know of.
     */
    static void setPointerMap(Span s, int slot, PointerMap map) {
        PointerMap uniform = s.uniformMap;
        if (uniform == map) {
            return;
        }
        int slotWords = s.elemSize >>> 3;
        if (uniform == null && !s.mixedTypes) {
            // The span's first object since initSmall: no slot is allocated yet.
            PointerBits.fillSlots(s.pointerBits, s.objectCount, slotWords, map);
            s.uniformMap = map;
            if (slotWords <= 64) {
                s.uniformMask = map.bitsAt(0);
                s.pointerLayout = Span.LAYOUT_UNIFORM;
                s.pointerFieldMask = s.uniformMask;
            }
            return;
        }
        s.pointerFieldMask = 0; // mixed from now on
        s.pointerLayout = Span.LAYOUT_BITS;
        s.uniformMap = null;
        s.mixedTypes = true;
        PointerBits.write(s.pointerBits, (long) slot * slotWords, slotWords, map);
    }

    /**
     * Returns whether word {@code wordInObject} of the object whose first word is
     * {@code firstWordInSpan} holds a pointer field. Requires a scan span and a word inside
     * the object.
     */
    static boolean isPointerWord(Span s, long firstWordInSpan, long wordInObject) {
        if (s.pointerLayout == Span.LAYOUT_UNIFORM) {
            return (s.uniformMask & (1L << wordInObject)) != 0;
        }
        long word = firstWordInSpan + wordInObject;
        return (s.pointerBits[(int) (word >>> 6)] & (1L << word)) != 0;
    }

    /**
     * The pointer-field check's fast path: returns whether {@code offset} is a pointer field of
     * every object of span {@code s} because it is a small scan span in {@code LAYOUT_UNIFORM} and
     * the offset is an aligned word of a slot whose type has a pointer there. False says
     * nothing: the caller then asks the checked path. One load beyond the slot size.
     */
    static boolean isUniformPointerField(Span s, long offset) {
        return (offset & 7) == 0 && Long.compareUnsigned(offset, s.elemSize) < 0
                && (s.pointerFieldMask & (1L << (offset >>> 3))) != 0;
    }

    /**
     * Returns whether any word from {@code firstWord} to {@code lastWord} of the object whose
     * first word is {@code firstWordInSpan} holds a pointer field (same requirements).
     */
    static boolean anyPointerWord(Span s, long firstWordInSpan, long firstWord, long lastWord) {
        if (s.pointerLayout == Span.LAYOUT_UNIFORM) {
            long range = (-1L << firstWord) & (-1L >>> (63 - lastWord));
            return (s.uniformMask & range) != 0;
        }
        return PointerBits.anySet(s.pointerBits, firstWordInSpan + firstWord, firstWordInSpan + lastWord);
    }
}
