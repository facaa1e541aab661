package dev.goheap.heap;

import static dev.goheap.heap.ObjectChecks.checkPointerValue;
import static dev.goheap.heap.ObjectChecks.checkedPointerField;

import dev.goheap.internal.Pointers;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The pointer store paths behind {@link Heap#writePointer}, {@link Heap#storePointer} and their
 * release forms: check the slot and the value ({@link ObjectChecks}), run the write barrier (if
 * set) on the old and the new value, store.
 *
 * <p>Why static methods that take the heap, as {@link ObjectChecks}: {@link #write} is the
 * store of every tree node's child, which the JIT inlines into {@code Heap.writePointer}, with
 * {@link #beforeWrite}, as it did when it was its body; the barrier's test is out of line, so
 * the store stays small.
 */
final class PointerStores {
    private static final ValueLayout.OfLong POINTER = ValueLayout.JAVA_LONG;
    private static final VarHandle POINTER_HANDLE = POINTER.varHandle();

    private PointerStores() {}

    /** {@link Heap#writePointer}. */
    static void write(Heap heap, long p, long offset, long value) {
        Span s = beforeWrite(heap, p, offset, value);
        s.segment.set(POINTER, Pointers.offset(p) + offset, value);
    }

    /** {@link Heap#writePointerRelease}: {@link #write} with a release store. */
    static void writeRelease(Heap heap, long p, long offset, long value) {
        Span s = beforeWrite(heap, p, offset, value);
        POINTER_HANDLE.setRelease(s.segment, Pointers.offset(p) + offset, value);
    }

    /**
     * What a write does before its store: checks the field and the value, and runs the write
     * barrier if it has something to do. Returns the span of {@code p}.
     */
    private static Span beforeWrite(Heap heap, long p, long offset, long value) {
        Span s = checkedPointerField(heap, p, offset);
        int valueSlot = s.objectSlotAt(value);
        if (valueSlot < 0) {
            checkPointerValue(heap, value, p, offset);
        }
        WriteBarrier barrier = heap.writeBarrier;
        if (barrier != null) {
            barrierUnlessShaded(heap, barrier, s.segment, Pointers.offset(p) + offset, value, s, valueSlot);
        }
        return s;
    }

    /**
     * The write barrier of {@link #write}, which has found {@code value} in {@code valueSpan} at
     * {@code valueSlot} (-1: not there, or nil): runs it unless it has nothing to do. It has
     * nothing to do when the slot holds nil (no old value to shade) and the value is marked in
     * the running cycle (its shade would find the mark and stop there: a mark stays set until
     * its span is swept, after mark termination). The usual store while the collector marks is
     * a new object (allocated black) into a new parent beside it, so this test, one bit of the
     * span found for the value check, replaces the barrier's own lookup of the value's span and
     * slot. Out of line: the store path stays small enough to inline.
     */
    private static void barrierUnlessShaded(Heap heap, WriteBarrier barrier, MemorySegment segment, long slotOffset,
            long value, Span valueSpan, int valueSlot) {
        long oldValue = segment.get(POINTER, slotOffset);
        if (oldValue == Pointers.NIL && valueSlot >= 0 && heap.cycle.marking && SpanMarks.isMarked(valueSpan, valueSlot)) {
            return;
        }
        barrier.beforeStore(oldValue, value);
    }

    /** {@link Heap#storePointer}: checks, the barrier (if set), then a plain write. */
    static void store(Heap heap, MemorySegment segment, long offset, long value) {
        beforeStore(heap, segment, offset, value);
        segment.set(POINTER, offset, value);
    }

    /** {@link Heap#storePointerRelease}: {@link #store} with a release write. */
    static void storeRelease(Heap heap, MemorySegment segment, long offset, long value) {
        beforeStore(heap, segment, offset, value);
        POINTER_HANDLE.setRelease(segment, offset, value);
    }

    /** What a store does before it stores: checks the value, runs the write barrier (if set). */
    private static void beforeStore(Heap heap, MemorySegment segment, long offset, long value) {
        heap.checkOpen();
        checkPointerValue(heap, value, Pointers.NIL, offset);
        WriteBarrier barrier = heap.writeBarrier;
        if (barrier != null) {
            barrier.beforeStore(segment.get(POINTER, offset), value);
        }
    }
}
