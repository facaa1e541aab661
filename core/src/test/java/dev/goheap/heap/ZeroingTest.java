package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Zeroing#zero} goes by size (straight-line stores, a fill, copies of a zero block); each
 * way must clear exactly its bytes. Every multiple of 8 up to 1 KiB, which the size classes
 * reach only in part (no 40 or 56 B class), then sizes around the copy's 64 KiB step.
 */
class ZeroingTest {
    private static final long BEFORE = 24; // an offset that is not a multiple of 16: any alignment assumption shows
    private static final byte DIRTY = 0x5A;

    static LongStream sizes() {
        return LongStream.concat(
                LongStream.iterate(8, n -> n <= 1024, n -> n + 8),
                LongStream.of(1032, 2048, 4096, 32768, 65536 - 8, 65536, 65536 + 8, 3 * 65536 + 24));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void shouldZeroExactlyTheGivenBytes(long byteSize) {
        try (Arena arena = Arena.ofConfined()) {
            long after = 40;
            MemorySegment chunk = arena.allocate(BEFORE + byteSize + after, 8);
            chunk.fill(DIRTY);

            Zeroing.zero(chunk, BEFORE, byteSize);

            for (long i = 0; i < chunk.byteSize(); i++) {
                boolean inside = i >= BEFORE && i < BEFORE + byteSize;
                assertEquals(inside ? 0 : DIRTY, chunk.get(JAVA_BYTE, i), "byte " + i + " of a " + byteSize + "-byte zeroing");
            }
        }
    }
}
