package dev.goheap.heap;

import static dev.goheap.heap.SizeClasses.PAGE_SHIFT;

import dev.goheap.PointerEscapeException;
import dev.goheap.internal.Pointers;
import java.lang.foreign.ValueLayout;

/**
 * The checks between a pointer and the memory an access may touch: from a {@code long} to the
 * span of a live object, and whether an access of some bytes at an offset, a pointer field or a
 * pointer value is allowed (package-info, "Access checks"). {@link Heap}'s accessors are these
 * checks followed by one {@link java.lang.foreign.MemorySegment} access.
 *
 * <p>Why static methods that take the heap, and not an object of their own: a checked access is
 * a chain of dependent loads (heap → chunk table → page table → span → its fields), which is
 * most of its cost (README, "Where a tree node's time goes"); an object holding the table would
 * put one more load at the head of every chain. The fast paths are small enough for the JIT to
 * inline into the accessors; the slow paths only find out which exception to throw.
 *
 * <p><b>Thread safety:</b> as the heap's accessors: racy lookups, exact for pointers received
 * with a happens-before edge from their allocation (see {@link ChunkTable}).
 */
final class ObjectChecks {
    private ObjectChecks() {}

    /** Returns the stack that contains {@code p}, or nil: the escape check's slow path. */
    private static long stackContaining(Heap heap, long p) {
        Span s = findSpan(heap, p);
        return s != null && s.noscan ? SpanStacks.stackContaining(s, p) : Pointers.NIL;
    }

    /**
     * Returns the span whose pages contain {@code p} (in any state), or null: no checks beyond
     * that, for the escape check, which must not throw before it knows what to report.
     */
    private static Span findSpan(Heap heap, long p) {
        Chunk chunk = heap.chunks.get(Pointers.chunkIndex(p));
        long offset = Pointers.offset(p);
        if (chunk == null || offset >= chunk.byteSize) {
            return null;
        }
        Span s = chunk.spanOfPage[(int) (offset >>> PAGE_SHIFT)];
        return s != null && s.contains(chunk, p) ? s : null;
    }

    private static PointerEscapeException escape(Heap heap, long value, long stack, long slotObject, long slotOffset) {
        heap.pointerEscapes.incrementAndGet();
        long goroutineId;
        try {
            goroutineId = heap.chunks.get(Pointers.chunkIndex(stack)).segment.get(ValueLayout.JAVA_LONG, Pointers.offset(stack));
        } catch (RuntimeException racedWithRelease) {
            goroutineId = -1;
        }
        return HeapErrors.escape(value, stack, goroutineId, slotObject, slotOffset);
    }

    /**
     * Returns the span in use that contains {@code p}, or throws. Does not check that p is a
     * slot start or allocated; see {@link #objectSpan}.
     */
    static Span spanOf(Heap heap, long p, String operation) {
        if (p == Pointers.NIL) {
            throw HeapErrors.nil(operation);
        }
        Chunk chunk = heap.chunks.get(Pointers.chunkIndex(p));
        long offset = Pointers.offset(p);
        if (chunk == null || offset >= chunk.byteSize) {
            throw HeapErrors.notAnObject(operation, p, "not in any chunk of this heap");
        }
        Span s = chunk.spanOfPage[(int) (offset >>> PAGE_SHIFT)];
        if (s == null || !s.contains(chunk, p)) {
            throw HeapErrors.notAnObject(operation, p, "in no span");
        }
        byte state = s.state;
        if (state != Span.SMALL && state != Span.LARGE) {
            throw HeapErrors.notAnObject(operation, p, "in free pages");
        }
        return s;
    }

    /** Returns the span of the live object that starts at {@code p}, or throws IAE. */
    static Span objectSpan(Heap heap, long p, String operation) {
        Span s = spanOf(heap, p, operation);
        if (s.state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot < 0) {
                throw HeapErrors.notAnObject(operation, p, "it points inside an object");
            }
            if (!s.isAllocated(slot)) {
                throw HeapErrors.notAnObject(operation, p, "it is free");
            }
        } else if (p != s.base) {
            throw HeapErrors.notAnObject(operation, p, "it points inside an object");
        }
        return s;
    }

    /** The span of an object the calling thread has just allocated: no checks needed. */
    static Span spanOfFresh(Heap heap, long p) {
        Chunk chunk = heap.chunks.get(Pointers.chunkIndex(p));
        return chunk.spanOfPage[(int) (Pointers.offset(p) >>> PAGE_SHIFT)];
    }

    /** Returns the bytes of the live object {@code s} holds: its slot size, or a large object's pages. */
    static long objectBytes(Span s) {
        return s.state == Span.LARGE ? s.byteSize() : s.elemSize;
    }

    /**
     * As {@link Heap#checkPointer}; a refused pointer into a stack is counted and named with its
     * destination: the object {@code slotObject} at {@code slotOffset}, or (nil) the data slot at
     * {@code slotOffset} (-1: unknown).
     */
    static void checkPointerValue(Heap heap, long value, long slotObject, long slotOffset) {
        if (value == Pointers.NIL) {
            return;
        }
        Span fast = heap.chunks.liveObjectSpan(value);
        if (fast != null && (!fast.noscan || SpanStacks.stackContaining(fast, value) == Pointers.NIL)) {
            return; // a live object, not a stack (stacks are noscan objects marked in their span)
        }
        checkPointerValueSlow(heap, value, slotObject, slotOffset);
    }

    private static void checkPointerValueSlow(Heap heap, long value, long slotObject, long slotOffset) {
        Span s;
        try {
            s = objectSpan(heap, value, "pointer value");
        } catch (IllegalArgumentException e) {
            long stack = stackContaining(heap, value);
            if (stack != Pointers.NIL) {
                throw escape(heap, value, stack, slotObject, slotOffset);
            }
            throw HeapErrors.badPointerValue(value, e.getMessage());
        }
        if (s.noscan && SpanStacks.stackContaining(s, value) != Pointers.NIL) {
            throw escape(heap, value, value, slotObject, slotOffset);
        }
    }

    /**
     * Returns the span of the live object at {@code p} if {@code bytes} at {@code offset} lie
     * inside it, else throws. The fast path (a small object, the bytes inside its slot) needs
     * no {@code closed} check: a closed heap has no chunks, so every pointer takes the slow path.
     */
    static Span checkedRead(Heap heap, long p, long offset, int bytes) {
        Span s = heap.chunks.liveObjectSpan(p);
        if (s != null && s.state == Span.SMALL && offset >= 0 && offset <= s.elemSize - bytes) {
            return s;
        }
        return checkedReadSlow(heap, p, offset, bytes);
    }

    private static Span checkedReadSlow(Heap heap, long p, long offset, int bytes) {
        heap.checkOpen();
        Span s = objectSpan(heap, p, "read");
        long size = objectBytes(s);
        if (offset < 0 || offset > size - bytes) {
            throw HeapErrors.outOfObject(p, offset, bytes, size);
        }
        return s;
    }

    static Span checkedWrite(Heap heap, long p, long offset, int bytes) {
        Span s = checkedRead(heap, p, offset, bytes);
        if (!s.noscan) {
            boolean pointerWord = s.state == Span.SMALL
                    ? SpanPointerMaps.anyPointerWord(s, (p - s.base) >>> 3, offset >>> 3, (offset + bytes - 1) >>> 3)
                    : PointerBits.anySet(s.pointerBits, (p - s.base + offset) >>> 3, (p - s.base + offset + bytes - 1) >>> 3);
            if (pointerWord) {
                throw HeapErrors.primitiveIntoPointer(p, offset);
            }
        }
        return s;
    }

    /**
     * Returns the span of the live object at {@code p} if {@code offset} is one of its pointer
     * fields, else throws. The fast path: a small object of a scan span whose objects all have
     * one type, an 8-byte aligned offset inside its slot (slot sizes are multiples of 8), one
     * bit of the span's mask ({@link SpanPointerMaps#isUniformPointerField}); the middle path the same for
     * a span of mixed types, through its bitmap. Always a scan span, so no stack: the store
     * paths check a value in it by its slot alone.
     */
    static Span checkedPointerField(Heap heap, long p, long offset) {
        Span s = heap.chunks.liveObjectSpan(p);
        if (s != null && SpanPointerMaps.isUniformPointerField(s, offset)) {
            return s;
        }
        return checkedPointerFieldSlow(heap, p, offset, s);
    }

    private static Span checkedPointerFieldSlow(Heap heap, long p, long offset, Span live) {
        if (live != null && live.state == Span.SMALL && !live.noscan && (offset & 7) == 0
                && Long.compareUnsigned(offset, live.elemSize) < 0 && SpanPointerMaps.isPointerWord(live, (p - live.base) >>> 3, offset >>> 3)) {
            return live; // mixed types: the slot's bits
        }
        Span s = checkedReadSlow(heap, p, offset, 8);
        long inSpan = p - s.base + offset;
        if ((offset & 7) != 0 || s.noscan || !PointerBits.anySet(s.pointerBits, inSpan >>> 3, inSpan >>> 3)) {
            throw HeapErrors.notPointerField(p, offset);
        }
        return s;
    }
}
