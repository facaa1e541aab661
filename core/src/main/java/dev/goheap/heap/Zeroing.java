package dev.goheap.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Clears freshly allocated slots: Go's {@code memclrNoHeapPointers}, without Java-heap garbage. */
final class Zeroing {
    /** Up to this many bytes, 8-byte stores: cheaper than the fill's stub call. */
    private static final long STORE_BYTES = 64;
    /** Up to this many bytes, a slice and its fill; above, copies of {@link #ZEROS}. */
    private static final long FILL_BYTES = 128;
    /**
     * 64 KiB of zeros that slots above {@link #FILL_BYTES} and large objects are cleared from.
     * Read-only, so no caller can dirty it; allocated once for the JVM (the global arena),
     * shared by every heap.
     */
    private static final MemorySegment ZEROS = Arena.global().allocate(64 * 1024, 8).asReadOnly();

    private Zeroing() {}

    /**
     * Zeroes {@code byteSize} bytes at {@code offset} of {@code chunk}.
     *
     * <p>Up to 64 bytes: straight-line 8-byte stores ({@link #storeZeros}). The fill calls the
     * JDK's {@code unsafe_setmemory} stub, whose call and size dispatch cost more than eight
     * stores (JMH, 64 B allocate + free: 12.85 ns with the fill, 12.37 with the stores,
     * alternating forks; on its own, zeroing 64 bytes 3.0 against 2.1 ns).
     *
     * <p>Up to 128 bytes: one slice and {@link MemorySegment#fill}. The JDK's bulk fill does one
     * bounds and liveness check and unrolls small sizes, where a loop of 8-byte {@code set}s
     * pays both per store (measured here: 64 bytes in ~3 ns against ~8 ns). The slice does not
     * escape once the fast path is compiled with it inlined, so C2 scalar-replaces it (JMH
     * {@code -prof gc}: 0 B/op).
     *
     * <p>Above 128 bytes: copies from {@link #ZEROS} with the static {@link MemorySegment#copy(
     * MemorySegment, long, MemorySegment, long, long)}. Faster: on JDK 25 here the fill's stub
     * stores 8 bytes at a time (one store a cycle), the copy goes through the vectorised copy
     * stub. Allocate + free, one thread, alternating forks (session 17): 256 B 20.7-22.0 ns with
     * the fill against 16.1-16.5 with the copy, 512 B 25.3-25.9 against 17.8-18.0, 1 KiB
     * 33.2-34.5 against 21.4-25.9; 80 and 128 B even (13.6-15.8 either way); 4 KiB ~90 against
     * 135-185 ns of CPU (an earlier session's). And it creates no object: in the large path,
     * compiled on its own, the slice escaped in some forks (JFR allocation samples:
     * {@code NativeMemorySegmentImpl} from {@code Zeroing.zero} in {@code Allocation.allocateLarge}:
     * 3.7 B per 64 KiB allocate + free on two threads).
     */
    static void zero(MemorySegment chunk, long offset, long byteSize) {
        if (byteSize <= STORE_BYTES) {
            storeZeros(chunk, offset, byteSize);
            return;
        }
        if (byteSize <= FILL_BYTES) {
            chunk.asSlice(offset, byteSize).fill((byte) 0);
            return;
        }
        copyZeros(chunk, offset, byteSize);
    }

    /**
     * Up to 64 bytes (the tree nodes and list cells of most programs), 8-byte stores beat the
     * fill (sizes are multiples of 8). Straight-line code, not a loop: for one to eight stores
     * the JIT's loop setup costs more than the stores, and the segment checks after the first
     * fold into it.
     */
    private static void storeZeros(MemorySegment chunk, long offset, long byteSize) {
        chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
        if (byteSize > 8) {
            chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8, 0L);
            if (byteSize > 16) {
                chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 16, 0L);
                if (byteSize > 24) {
                    chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 24, 0L);
                    if (byteSize > 32) {
                        chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 32, 0L);
                        if (byteSize > 40) {
                            chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 40, 0L);
                            if (byteSize > 48) {
                                chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 48, 0L);
                                if (byteSize > 56) {
                                    chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 56, 0L);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void copyZeros(MemorySegment chunk, long offset, long byteSize) {
        long step = ZEROS.byteSize();
        for (long done = 0; done < byteSize; done += step) {
            MemorySegment.copy(ZEROS, 0, chunk, offset + done, Math.min(step, byteSize - done));
        }
    }
}
