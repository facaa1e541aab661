package dev.goheap.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Anchors for {@link HeapAllocFreeBenchmark}'s 64-byte pair: what its parts cost on their own in
 * Java, so that the goheap figure can be read against the least any allocator of this design
 * pays here. Not an allocator: no span look-up, no owner, size or collector checks.
 *
 * <table>
 *   <caption>variants, 64 bytes each</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>loopOnly</td><td>nothing: JMH's loop and the returned value</td></tr>
 *   <tr><td>zeroFill</td><td>a slice of a shared arena's segment and {@link MemorySegment#fill}</td></tr>
 *   <tr><td>zeroStores</td><td>eight 8-byte stores into the segment ({@link Zeroing}'s way up to 64 bytes)</td></tr>
 *   <tr><td>bitmapPair</td><td>take the lowest clear bit of a word, zero the slot with stores, then
 *       check and clear the bit from the slot's address: the bitmap work of an allocate + free,
 *       with the free's dependency on the allocation's result</td></tr>
 * </table>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class AllocFloorBenchmark {
    private static final long SLOT_BYTES = 64;

    private final long[] allocBits = new long[1];
    private Arena arena;
    private MemorySegment chunk;
    /** Not a constant, as a span's base and slot size are not. */
    private long base = 4096;
    private long slotBytes = SLOT_BYTES;

    @Setup
    public void open() {
        arena = Arena.ofShared(); // as goheap's chunks
        chunk = arena.allocate(1 << 20, 8192);
    }

    @TearDown
    public void close() {
        arena.close();
    }

    @Benchmark
    public long loopOnly() {
        return base;
    }

    @Benchmark
    public long zeroFill() {
        chunk.asSlice(base, slotBytes).fill((byte) 0);
        return base;
    }

    @Benchmark
    public long zeroStores() {
        zero64(chunk, base);
        return base;
    }

    @Benchmark
    public long bitmapPair() {
        long[] bits = allocBits;
        long word = bits[0];
        int bit = Long.numberOfTrailingZeros(~word);
        bits[0] = word | (1L << bit);
        long p = base + bit * slotBytes;
        zero64(chunk, p);

        int slot = (int) ((p - base) / SLOT_BYTES);
        long w = bits[slot >>> 6];
        if ((w & (1L << slot)) == 0) {
            throw new IllegalStateException("double free of slot " + slot);
        }
        bits[slot >>> 6] = w & ~(1L << slot);
        return p;
    }

    private static void zero64(MemorySegment chunk, long offset) {
        for (int i = 0; i < SLOT_BYTES; i += 8) { // a constant trip count: C2 unrolls it fully
            chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + i, 0L);
        }
    }
}
