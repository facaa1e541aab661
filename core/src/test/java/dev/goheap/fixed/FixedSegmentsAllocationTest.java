package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.NODE;
import static dev.goheap.fixed.TestTypes.NODE_NEXT;
import static dev.goheap.fixed.TestTypes.NODE_VALUE;
import static dev.goheap.fixed.TestTypes.PAIR;
import static dev.goheap.fixed.TestTypes.PAIR_COUNT;
import static dev.goheap.fixed.TestTypes.PAIR_RIGHT;
import static dev.goheap.fixed.TestTypes.PAIR_WEIGHT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.ThreadAllocation;
import dev.goheap.heap.Heap;
import org.junit.jupiter.api.Test;

/**
 * DESIGN decision 8 for the hot accessors: after warm-up, a long run of reads, writes, pointer
 * stores and a root scan allocates (almost) nothing on the Java heap. One allocation per access
 * would show as megabytes; the bound leaves room for the JIT's own transitions.
 */
class FixedSegmentsAllocationTest {
    private static final int WARMUP_ROUNDS = 50_000;
    private static final int MEASURED_ROUNDS = 100_000;
    private static final long BOUND_BYTES = 64 * 1024;

    @Test
    void shouldAllocateNothingPerAccessWhenHotAccessorsRun() {
        ThreadAllocation.assumeAvailable();
        try (Heap heap = TestTypes.openHeap();
                FixedSegments fixed = FixedSegments.builder()
                        .rodata("k", new byte[] {1, 2, 3, 4, 5, 6, 7, 8})
                        .data("root", NODE).data("pair", PAIR).link(heap)) {
            Symbol k = fixed.symbol("k");
            Symbol root = fixed.symbol("root");
            Symbol pair = fixed.symbol("pair");
            long p = heap.newObject(NODE);
            long sink = rounds(fixed, k, root, pair, p, WARMUP_ROUNDS);
            long before = ThreadAllocation.bytes();
            sink += rounds(fixed, k, root, pair, p, MEASURED_ROUNDS);
            long allocated = ThreadAllocation.bytes() - before;
            assertTrue(allocated < BOUND_BYTES, "allocated " + allocated + " bytes in " + MEASURED_ROUNDS
                    + " rounds (expected: < " + BOUND_BYTES + "); sink " + sink);
            heap.verify();
        }
    }

    private static long rounds(FixedSegments fixed, Symbol k, Symbol root, Symbol pair, long p, int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            fixed.setLong(root, NODE_VALUE, i);
            fixed.setInt(pair, PAIR_COUNT, i);
            fixed.setDouble(pair, PAIR_WEIGHT, i);
            fixed.setByte(pair, PAIR_COUNT + 4, (byte) i);
            fixed.writePointer(root, NODE_NEXT, (i & 1) == 0 ? p : 0);
            fixed.writePointerRelease(pair, PAIR_RIGHT, p);
            sink += fixed.getLong(root, NODE_VALUE) + fixed.getInt(pair, PAIR_COUNT) + fixed.getByte(k, i & 7)
                    + (long) fixed.getDouble(pair, PAIR_WEIGHT) + fixed.getLong(k, 0)
                    + fixed.readPointer(root, NODE_NEXT) + fixed.readPointerAcquire(pair, PAIR_RIGHT);
            DataPointerMap map = fixed.dataPointerMap();
            for (int g = 0; g < map.bitsLength(); g++) {
                for (long bits = map.bitsAt(g); bits != 0; bits &= bits - 1) {
                    sink += fixed.readPointerAcquireAt(((long) g * 64 + Long.numberOfTrailingZeros(bits)) * 8);
                }
            }
        }
        return sink;
    }
}
