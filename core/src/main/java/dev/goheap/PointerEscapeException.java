package dev.goheap;

import dev.goheap.internal.Pointers;

/**
 * Thrown when a pointer into a goroutine stack would be stored where it could outlive its frame:
 * in a heap object, a {@code data} slot, or another goroutine's stack (Go's compile-time "&amp;x
 * escapes to heap", checked here at run time). Such a pointer would dangle after its frame's pop,
 * and the stack's next move (grow or shrink by copy) adjusts only the pointers held by the stack
 * itself. The slot is unchanged when this is thrown; the runtime counts every refusal
 * ({@link dev.goheap.heap.Heap#pointerEscapeCount}, {@link RuntimeStats#pointerEscapeCount}).
 *
 * <p>Keep the object on the heap instead ({@code heap.newObject}), or keep the pointer in a
 * pointer slot of a frame of the same stack.
 */
public final class PointerEscapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long pointer;
    private final long stack;
    private final long goroutineId;
    private final String slot;

    /**
     * @param pointer     the pointer that escaped
     * @param stack       the pointer of the stack it points into (its first byte)
     * @param goroutineId the goroutine that owns that stack (-1 if unknown)
     * @param slot        where the store was going, for the message ("heap object 0x...+8")
     */
    public PointerEscapeException(long pointer, long stack, long goroutineId, String slot) {
        super("&stack+" + (pointer - stack) + " (" + Pointers.format(pointer) + ") escapes to heap: pointer into"
                + " the stack of goroutine " + goroutineId + " stored in " + slot + " (expected: nil or the start"
                + " of a live heap object; a pointer into a stack dangles after its frame's pop or the stack's"
                + " next move)");
        this.pointer = pointer;
        this.stack = stack;
        this.goroutineId = goroutineId;
        this.slot = slot;
    }

    /** Returns the same refusal naming another destination slot (the stack names its frames). */
    public PointerEscapeException storedIn(String slot) {
        PointerEscapeException e = new PointerEscapeException(pointer, stack, goroutineId, slot);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** Returns the pointer that escaped. */
    public long pointer() {
        return pointer;
    }

    /** Returns the pointer of the stack it points into. */
    public long stack() {
        return stack;
    }

    /** Returns the pointer's offset in its stack. */
    public long stackOffset() {
        return pointer - stack;
    }

    /** Returns the id of the goroutine that owns the stack, or -1 if it could not be read. */
    public long goroutineId() {
        return goroutineId;
    }

    /** Returns where the store was going. */
    public String slot() {
        return slot;
    }
}
