package dev.goheap.heap;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.jmh.LongSpscRing;
import dev.goheap.jmh.NativeMalloc;
import dev.goheap.jmh.NettyState;
import dev.goheap.jmh.RefSpscRing;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Producer/consumer: one thread allocates and hands each block through a bounded SPSC ring to a
 * second thread, which frees it. This is the cross-thread pattern of servers (an I/O thread
 * allocates a buffer, a worker frees it) that Larson's benchmark models: every block is freed on a
 * thread whose cache did not give it out, so blocks keep flowing from the consumer's cache back to
 * the producer's through the allocator's shared structures.
 *
 * <p>Each group ({@code producerConsumer_<allocator>}) reports the time per block moved; its two
 * threads' rows ({@code produce_…}, {@code consume_…}) show which side is the bottleneck (the faster
 * side waits on a full or empty ring, which is counted in its time). A side that waits spins a
 * little, then yields (so the pair still moves when the two threads share a core on a busy
 * machine), and polls {@link Control#stopMeasurement}, so an iteration always ends; blocks left in
 * the ring are freed in {@code @TearDown(Iteration)}. The ring holds at most {@value #RING_CAPACITY} blocks in flight.
 *
 * <p>No {@code Arena} variant: a confined arena cannot be closed by another thread, and closing a
 * shared arena is a handshake with every thread (microseconds), not an allocator's free. No
 * {@code byte[]} variant: the GC, not the consumer, would free it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX,
        ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
@State(Scope.Benchmark)
public class HeapCrossThreadBenchmark {
    /** Blocks in flight at most: 1024 x 4 KiB = 4 MiB. */
    public static final int RING_CAPACITY = 1024;

    @Param({"00064", "04096"})
    public String size;

    private long byteSize;
    private int intSize;

    @Setup(Level.Trial)
    public void parseSize() {
        intSize = Integer.parseInt(size);
        byteSize = intSize;
    }

    /** How a side waits for the other: spin first, then give the core away. */
    static final class Waiting {
        /** Spins before yielding: about a microsecond of PAUSE instructions. */
        static final int SPINS_BEFORE_YIELD = 64;

        private Waiting() {
        }

        static int pause(int spins) {
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            return spins + 1;
        }
    }

    // ---- goheap ------------------------------------------------------------------------------

    /** One goheap runtime per producer/consumer group and trial, and the ring between the two. */
    @State(Scope.Group)
    public static class GoheapChannel {
        GoRuntime runtime;
        Heap heap;
        final LongSpscRing ring = new LongSpscRing(RING_CAPACITY);

        @Setup(Level.Trial)
        public void open() {
            runtime = GoRuntime.builder().build();
            heap = runtime.heap();
        }

        @TearDown(Level.Iteration)
        public void drain() {
            ring.drain(heap::free);
        }

        @TearDown(Level.Trial)
        public void close() {
            try {
                heap.verify();
            } finally {
                runtime.close();
            }
        }
    }

    @Benchmark
    @Group("producerConsumer_goheap")
    public void produce_goheap(GoheapChannel channel, Control control) {
        int spins = 0;
        long p = channel.heap.allocate(byteSize);
        while (!channel.ring.offer(p)) {
            if (control.stopMeasurement) {
                channel.heap.free(p);
                return;
            }
            spins = Waiting.pause(spins);
        }
    }

    @Benchmark
    @Group("producerConsumer_goheap")
    public void consume_goheap(GoheapChannel channel, Control control) {
        int spins = 0;
        long p;
        while ((p = channel.ring.poll()) == 0) {
            if (control.stopMeasurement) {
                return;
            }
            spins = Waiting.pause(spins);
        }
        channel.heap.free(p);
    }

    // ---- glibc malloc ------------------------------------------------------------------------

    @State(Scope.Group)
    public static class MallocChannel {
        final LongSpscRing ring = new LongSpscRing(RING_CAPACITY);

        @TearDown(Level.Iteration)
        public void drain() {
            ring.drain(NativeMalloc.GLIBC::free);
        }
    }

    @Benchmark
    @Group("producerConsumer_malloc")
    public void produce_malloc(MallocChannel channel, Control control) {
        int spins = 0;
        long address = NativeMalloc.GLIBC.malloc(byteSize);
        while (!channel.ring.offer(address)) {
            if (control.stopMeasurement) {
                NativeMalloc.GLIBC.free(address);
                return;
            }
            spins = Waiting.pause(spins);
        }
    }

    @Benchmark
    @Group("producerConsumer_malloc")
    public void consume_malloc(MallocChannel channel, Control control) {
        int spins = 0;
        long address;
        while ((address = channel.ring.poll()) == 0) {
            if (control.stopMeasurement) {
                return;
            }
            spins = Waiting.pause(spins);
        }
        NativeMalloc.GLIBC.free(address);
    }

    // ---- jemalloc ----------------------------------------------------------------------------

    /** Stops the trial with a clear message if jemalloc cannot be loaded (see {@link NativeMalloc}). */
    @State(Scope.Group)
    public static class JemallocChannel {
        final LongSpscRing ring = new LongSpscRing(RING_CAPACITY);

        @Setup(Level.Trial)
        public void load() {
            NativeMalloc.requireJemalloc();
        }

        @TearDown(Level.Iteration)
        public void drain() {
            ring.drain(NativeMalloc.requireJemalloc()::free);
        }
    }

    @Benchmark
    @Group("producerConsumer_jemalloc")
    public void produce_jemalloc(JemallocChannel channel, Control control) {
        int spins = 0;
        NativeMalloc jemalloc = NativeMalloc.requireJemalloc();
        long address = jemalloc.malloc(byteSize);
        while (!channel.ring.offer(address)) {
            if (control.stopMeasurement) {
                jemalloc.free(address);
                return;
            }
            spins = Waiting.pause(spins);
        }
    }

    @Benchmark
    @Group("producerConsumer_jemalloc")
    public void consume_jemalloc(JemallocChannel channel, Control control) {
        int spins = 0;
        long address;
        while ((address = channel.ring.poll()) == 0) {
            if (control.stopMeasurement) {
                return;
            }
            spins = Waiting.pause(spins);
        }
        NativeMalloc.requireJemalloc().free(address);
    }

    // ---- Netty, in its two labelled configurations -------------------------------------------

    @State(Scope.Group)
    public static class NettyChannel {
        final RefSpscRing<ByteBuf> ring = new RefSpscRing<>(RING_CAPACITY);

        @TearDown(Level.Iteration)
        public void drain() {
            ring.drain(ByteBuf::release);
        }
    }

    @Benchmark
    @Group("producerConsumer_nettyDefault")
    public void produce_nettyDefault(NettyState netty, NettyChannel channel, Control control) {
        produceNetty(netty, channel, control);
    }

    @Benchmark
    @Group("producerConsumer_nettyDefault")
    public void consume_nettyDefault(NettyChannel channel, Control control) {
        consumeNetty(channel, control);
    }

    @Benchmark
    @Group("producerConsumer_nettyUnsafe")
    @Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX,
            ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION, ForkArgs.UNSAFE_MEMORY_ACCESS_ALLOW,
            ForkArgs.NETTY_USE_UNSAFE, ForkArgs.NETTY_CACHE_FOR_ALL_THREADS})
    public void produce_nettyUnsafe(NettyState netty, NettyChannel channel, Control control) {
        produceNetty(netty, channel, control);
    }

    @Benchmark
    @Group("producerConsumer_nettyUnsafe")
    @Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX,
            ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION, ForkArgs.UNSAFE_MEMORY_ACCESS_ALLOW,
            ForkArgs.NETTY_USE_UNSAFE, ForkArgs.NETTY_CACHE_FOR_ALL_THREADS})
    public void consume_nettyUnsafe(NettyChannel channel, Control control) {
        consumeNetty(channel, control);
    }

    private void produceNetty(NettyState netty, NettyChannel channel, Control control) {
        int spins = 0;
        ByteBuf buffer = netty.allocator.directBuffer(intSize);
        while (!channel.ring.offer(buffer)) {
            if (control.stopMeasurement) {
                buffer.release();
                return;
            }
            spins = Waiting.pause(spins);
        }
    }

    private static void consumeNetty(NettyChannel channel, Control control) {
        int spins = 0;
        ByteBuf buffer;
        while ((buffer = channel.ring.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            spins = Waiting.pause(spins);
        }
        buffer.release();
    }
}
