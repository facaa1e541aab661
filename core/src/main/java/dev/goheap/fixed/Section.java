package dev.goheap.fixed;

/**
 * The two sections of a {@link FixedSegments}: where a {@link Symbol} lives and what may be done
 * with its bytes.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public enum Section {
    /**
     * Read-only initialised bytes (constants, strings): written once by {@link
     * FixedSegments.Builder#link}, after which every write fails: {@link FixedSegments}' writers
     * throw {@link UnsupportedOperationException}, the JDK's read-only views the exception the
     * JDK documents (see {@link FixedSegments#rodata}). Holds no pointers.
     */
    RODATA,

    /**
     * Read-write symbols, each laid out as an {@link dev.goheap.type.ObjectType}; they start
     * zeroed (nil pointers, like Go's {@code .bss}) and their pointer fields are roots of the
     * collector.
     */
    DATA;

    /** Returns the section's name as a linker would print it: {@code rodata} or {@code data}. */
    @Override
    public String toString() {
        return this == RODATA ? "rodata" : "data";
    }
}
