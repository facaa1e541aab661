package dev.goheap.stack;

/**
 * Receives the pointer slots of a stack ({@link Stack#forEachPointerSlot}): the collector's roots.
 * Implementations must not push, pop or allocate on the visited stack while visiting.
 */
@FunctionalInterface
public interface PointerSlotVisitor {
    /**
     * Called once per pointer slot, bottom up.
     *
     * @param handle the frame or stack object that holds the slot
     * @param offset the slot's offset in it
     * @param value  the slot's pointer: nil, a heap object, or a pointer into the same stack
     */
    void visit(long handle, long offset, long value);
}
