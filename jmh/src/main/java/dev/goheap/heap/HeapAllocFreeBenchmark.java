package dev.goheap.heap;

import dev.goheap.jmh.ForkArgs;
import dev.goheap.jmh.GoheapState;
import dev.goheap.jmh.JemallocState;
import dev.goheap.jmh.NativeMalloc;
import dev.goheap.jmh.NettyState;
import io.netty.buffer.ByteBuf;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An allocation immediately followed by its free, on one thread, for each allocator side by side:
 * the fast path of every allocator (a per-thread cache hit) plus the cost of crossing into it.
 * {@link HeapAllocFreeTwoThreadsBenchmark} runs the same methods on two threads at once.
 *
 * <table>
 *   <caption>variants (what each returns zeroed, and who frees)</caption>
 *   <tr><th>method</th><th>zeroed</th><th>what it does</th></tr>
 *   <tr><td>allocFree_goheap</td><td>yes</td><td>{@code heap.allocate(n)}, {@code heap.free(p)}; one heap per trial shared by all threads</td></tr>
 *   <tr><td>allocFree_malloc</td><td>no</td><td>glibc {@code malloc}/{@code free} through FFM downcalls</td></tr>
 *   <tr><td>callocFree_malloc</td><td>yes</td><td>glibc {@code calloc(1, n)}/{@code free}: the like-for-like anchor for goheap's zeroing</td></tr>
 *   <tr><td>allocFree_jemalloc</td><td>no</td><td>Debian's libjemalloc2 {@code malloc}/{@code free} through FFM downcalls</td></tr>
 *   <tr><td>allocFree_arena</td><td>yes</td><td>{@code Arena.ofConfined()}, {@code allocate(n)}, {@code close()}</td></tr>
 *   <tr><td>allocFree_nettyDefault</td><td>no</td><td>{@code PooledByteBufAllocator.DEFAULT.directBuffer(n)}, {@code release()}, Netty's defaults on JDK 25 (no Unsafe, no cache for plain threads)</td></tr>
 *   <tr><td>allocFree_nettyUnsafe</td><td>no</td><td>the same with Unsafe allowed and a cache for every thread (see {@link ForkArgs})</td></tr>
 *   <tr><td>allocFree_byteArray</td><td>yes</td><td>{@code new byte[n]}; the GC frees it (the fork's young GCs are in the score)</td></tr>
 * </table>
 *
 * <p>Leak detection is off for Netty in both configurations. Run with {@code -prof gc}: goheap's
 * {@code gc.alloc.rate.norm} should be about 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX,
        ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
@Threads(1)
@State(Scope.Thread)
public class HeapAllocFreeBenchmark {
    @Param({"00016", "00064", "00256", "04096", "65536"})
    public String size;

    private long byteSize;
    private int intSize;

    @Setup(Level.Trial)
    public void parseSize() {
        intSize = Integer.parseInt(size);
        byteSize = intSize;
    }

    @Benchmark
    public long allocFree_goheap(GoheapState goheap) {
        Heap heap = goheap.heap;
        long p = heap.allocate(byteSize);
        heap.free(p);
        return p;
    }

    @Benchmark
    public long allocFree_malloc() {
        long address = NativeMalloc.GLIBC.malloc(byteSize);
        NativeMalloc.GLIBC.free(address);
        return address;
    }

    @Benchmark
    public long callocFree_malloc() {
        long address = NativeMalloc.GLIBC.calloc(byteSize);
        NativeMalloc.GLIBC.free(address);
        return address;
    }

    /** jemalloc's handles come from a static final record (folded by the JIT); the state only guards. */
    @Benchmark
    public long allocFree_jemalloc(JemallocState guard) {
        NativeMalloc jemalloc = NativeMalloc.requireJemalloc();
        long address = jemalloc.malloc(byteSize);
        jemalloc.free(address);
        return address;
    }

    @Benchmark
    public long allocFree_arena() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(byteSize).address();
        }
    }

    @Benchmark
    public ByteBuf allocFree_nettyDefault(NettyState netty) {
        ByteBuf buffer = netty.allocator.directBuffer(intSize);
        buffer.release();
        return buffer;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX,
            ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION, ForkArgs.UNSAFE_MEMORY_ACCESS_ALLOW,
            ForkArgs.NETTY_USE_UNSAFE, ForkArgs.NETTY_CACHE_FOR_ALL_THREADS})
    public ByteBuf allocFree_nettyUnsafe(NettyState netty) {
        ByteBuf buffer = netty.allocator.directBuffer(intSize);
        buffer.release();
        return buffer;
    }

    @Benchmark
    public byte[] allocFree_byteArray() {
        return new byte[intSize];
    }
}
