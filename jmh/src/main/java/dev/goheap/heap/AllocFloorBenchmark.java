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
 * Anchors for {@link HeapAllocFreeBenchmark}'s 64-byte pair: what its parts, and the least an
 * allocator of goheap's design or of a tcache's pays here in Java, cost on their own. Not
 * allocators: one span, one slot size, nothing shared, no collector.
 *
 * <table>
 *   <caption>variants, 64 bytes each</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>loopOnly</td><td>nothing: JMH's loop and the returned value</td></tr>
 *   <tr><td>zeroFill</td><td>a slice of a shared arena's segment and {@link MemorySegment#fill}</td></tr>
 *   <tr><td>zeroStores</td><td>eight 8-byte stores into the segment ({@link Zeroing}'s way up to 64 bytes)</td></tr>
 *   <tr><td>bitmapPair</td><td>take the lowest clear bit of a word, zero the slot with stores, then
 *       check and clear the bit from the slot's address: the bitmap work of an allocate + free,
 *       with the free's dependency on the allocation's result, and no span look-up</td></tr>
 *   <tr><td>lookupBitmapPair</td><td>the same, the free finding its span in a page table first and
 *       checking it as a checked free must ({@link #checkedFree}): goheap's design, without its
 *       thread-cache look-up, size-class table, collector phase and counters</td></tr>
 *   <tr><td>lookupBinPair</td><td>a tcache's design with the same checked free: the allocation pops
 *       a pointer from its size class's stack and sets its bit, the free pushes it onto the stack
 *       of the class its looked-up span has</td></tr>
 * </table>
 *
 * <p>Why the look-up weighs: the next allocation's slot (bitmap) or pointer (bin) comes from
 * what the free stored, and the free knows where to store only at the end of the page-table
 * look-up; so each pair waits for the one before it (docs/measurements.md "Session 18").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class AllocFloorBenchmark {
    private static final long SLOT_BYTES = 64;
    private static final int PAGE_SHIFT = 13;
    /** The size class of the 64-byte slots: an index into {@link #bins}; any would do. */
    private static final int SIZE_CLASS = 5;

    private final long[] allocBits = new long[1];
    private Arena arena;
    private MemorySegment chunk;
    /** Not a constant, as a span's base and slot size are not. */
    private long base = 4096;
    private long slotBytes = SLOT_BYTES;
    /** Go's divMagic for {@link #SLOT_BYTES}: the slot index from an offset without a division. */
    private long divMagic = ((1L << 32) + SLOT_BYTES - 1) / SLOT_BYTES;
    /** Not a constant, as the class of a requested size is not. */
    private int sizeClass = SIZE_CLASS;
    /** The page table: one span over the page of {@link #base}. */
    private FloorSpan[] pageTable;
    /** {@link #lookupBinPair}'s free pointers per size class, and how many each stack holds. */
    private long[][] bins;
    private int[] binCounts;

    /** The fields a checked free reads from the span its page table gives. */
    static final class FloorSpan {
        long base;
        int pageCount;
        int elemSize;
        int objectCount;
        long divMagic;
        Thread owner;
        long[] allocBits;
        int sizeClass;
    }

    @Setup
    public void open() {
        arena = Arena.ofShared(); // as goheap's chunks
        chunk = arena.allocate(1 << 20, 8192);
        FloorSpan span = new FloorSpan();
        span.base = base;
        span.pageCount = 1;
        span.elemSize = (int) slotBytes;
        span.objectCount = (int) ((1L << PAGE_SHIFT) / slotBytes);
        span.divMagic = divMagic;
        span.owner = Thread.currentThread(); // State.Thread: the thread that runs the benchmark
        span.allocBits = allocBits;
        span.sizeClass = SIZE_CLASS;
        pageTable = new FloorSpan[512];
        pageTable[(int) (base >>> PAGE_SHIFT)] = span;
        bins = new long[SIZE_CLASS + 1][];
        binCounts = new int[SIZE_CLASS + 1];
        long[] free = new long[8];
        for (int i = 0; i < free.length; i++) {
            free[i] = base + (free.length - 1 - i) * slotBytes; // slot 0 on top
        }
        bins[SIZE_CLASS] = free;
        binCounts[SIZE_CLASS] = free.length;
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
        long p = takeLowestSlot();
        long[] bits = allocBits;
        int slot = (int) ((p - base) / SLOT_BYTES);
        long w = bits[slot >>> 6];
        if ((w & (1L << slot)) == 0) {
            throw new IllegalStateException("double free of slot " + slot);
        }
        bits[slot >>> 6] = w & ~(1L << slot);
        return p;
    }

    @Benchmark
    public long lookupBitmapPair() {
        long p = takeLowestSlot();
        checkedFree(p);
        return p;
    }

    @Benchmark
    public long lookupBinPair() {
        int c = sizeClass; // known from the requested size, before the free's look-up ends
        long[] bin = bins[c];
        int n = binCounts[c] - 1;
        long p = bin[n];
        binCounts[c] = n;
        long[] bits = allocBits;
        int slot = (int) (((p - base) * divMagic) >>> 32);
        bits[slot >>> 6] |= 1L << slot;
        zero64(chunk, p);

        FloorSpan span = checkedFree(p);
        int k = span.sizeClass; // the free knows the class only from the span it looked up
        int m = binCounts[k];
        bins[k][m] = p;
        binCounts[k] = m + 1;
        return p;
    }

    /** The allocation of the bitmap pairs: takes the lowest clear bit and zeroes its slot. */
    private long takeLowestSlot() {
        long[] bits = allocBits;
        long word = bits[0];
        int bit = Long.numberOfTrailingZeros(~word);
        bits[0] = word | (1L << bit);
        long p = base + bit * slotBytes;
        zero64(chunk, p);
        return p;
    }

    /**
     * What a checked free does before it changes anything: the span from the page table, the
     * range and owner tests, the slot index by Go's divMagic, the allocated bit; then clears it.
     */
    private FloorSpan checkedFree(long p) {
        FloorSpan[] table = pageTable;
        int i = (int) (p >>> PAGE_SHIFT);
        FloorSpan span = Integer.compareUnsigned(i, table.length) < 0 ? table[i] : null;
        long off = span == null ? -1 : p - span.base;
        if (off < 0 || off >= (long) span.pageCount << PAGE_SHIFT || span.owner != Thread.currentThread()) {
            throw new IllegalStateException("not an object of this thread's: " + p);
        }
        int slot = (int) ((off * span.divMagic) >>> 32);
        if ((long) slot * span.elemSize != off || slot >= span.objectCount) {
            throw new IllegalStateException("interior pointer " + p);
        }
        long[] spanBits = span.allocBits;
        long w = spanBits[slot >>> 6];
        if ((w & (1L << slot)) == 0) {
            throw new IllegalStateException("double free of slot " + slot);
        }
        spanBits[slot >>> 6] = w & ~(1L << slot);
        return span;
    }

    private static void zero64(MemorySegment chunk, long offset) {
        for (int i = 0; i < SLOT_BYTES; i += 8) { // a constant trip count: C2 unrolls it fully
            chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + i, 0L);
        }
    }
}
