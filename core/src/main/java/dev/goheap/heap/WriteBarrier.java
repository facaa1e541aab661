package dev.goheap.heap;

/**
 * Runs before every pointer store that goes through the heap's store path ({@link
 * Heap#writePointer}, {@link Heap#storePointer}: heap objects, {@code data} slots, stack frames).
 * This is where the collector's write barrier plugs in; the heap calls it only while one is set.
 *
 * <p>While the heap's collector marks ({@code startMark} to {@code finishMark}), {@link
 * Heap#writePointer} skips the call for a store whose slot holds nil and whose value is already
 * marked: for a shading barrier there is nothing to do then. Every other store calls it.
 *
 * <p><b>Thread safety:</b> called concurrently from every mutating thread; must not allocate on
 * the Java heap on its fast path (DESIGN decision 8).
 */
@FunctionalInterface
public interface WriteBarrier {
    /**
     * Called with the slot's value before the store and the value about to be stored; both are
     * nil or the start of a live object.
     */
    void beforeStore(long oldValue, long newValue);
}
