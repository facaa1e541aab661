package dev.goheap.heap;

import dev.goheap.PointerEscapeException;
import dev.goheap.internal.Pointers;

/** Builds the heap's exceptions in one place, so their wording stays consistent (STYLE "Errors"). */
final class HeapErrors {
    private HeapErrors() {}

    static IllegalArgumentException badSize(long byteSize, long limitBytes) {
        return new IllegalArgumentException("byteSize: " + byteSize + " (expected: 1.." + limitBytes + ")");
    }

    static IllegalArgumentException nil(String operation) {
        return new IllegalArgumentException(operation + ": nil pointer (expected: a live object)");
    }

    static IllegalArgumentException notAnObject(String operation, long p, String why) {
        return new IllegalArgumentException(operation + ": " + Pointers.format(p)
                + " (expected: the start of a live object; " + why + ")");
    }

    static IllegalArgumentException doubleFree(long p) {
        return new IllegalArgumentException("free: " + Pointers.format(p)
                + " (expected: a live object; it is already free)");
    }

    static IndexOutOfBoundsException outOfObject(long p, long offset, int accessBytes, long objectBytes) {
        return new IndexOutOfBoundsException("offset: " + offset + " for " + accessBytes + " bytes of "
                + Pointers.format(p) + " (expected: 0.." + (objectBytes - accessBytes) + ")");
    }

    static IllegalArgumentException notPointerField(long p, long offset) {
        return new IllegalArgumentException("offset: " + offset + " of " + Pointers.format(p)
                + " (expected: a pointer field of the object's type)");
    }

    static IllegalArgumentException primitiveIntoPointer(long p, long offset) {
        return new IllegalArgumentException("offset: " + offset + " of " + Pointers.format(p)
                + " (expected: a non-pointer field; pointer fields are written with writePointer)");
    }

    static IllegalArgumentException badPointerValue(long value, String why) {
        return new IllegalArgumentException("pointer value: " + Pointers.format(value)
                + " (expected: nil or the start of a live object; " + why + ")");
    }

    static PointerEscapeException escape(long value, long stack, long goroutineId,
            long slotObject, long slotOffset) {
        String slot = slotObject != Pointers.NIL ? "heap object " + Pointers.format(slotObject) + "+" + slotOffset
                : slotOffset >= 0 ? "the data slot at +" + slotOffset : "a pointer slot";
        return new PointerEscapeException(value, stack, goroutineId, slot);
    }

    static IllegalStateException closed() {
        return new IllegalStateException("heap: closed (expected: a heap that is open)");
    }

    static InternalError broken(String invariant, Object detail) {
        return new InternalError("heap invariant broken: " + invariant + ": " + detail);
    }
}
