package dev.goheap.jmh;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.internal.PlatformDependent;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Netty's pooled allocator ({@link PooledByteBufAllocator#DEFAULT}), configured only by the fork's
 * system properties, and a line in the fork's output that shows which configuration a run really
 * had: whether Netty uses {@code sun.misc.Unsafe}, and whether plain threads get a per-thread cache.
 */
@State(Scope.Benchmark)
public class NettyState {
    public PooledByteBufAllocator allocator;

    @Setup(Level.Trial)
    public void open() {
        allocator = PooledByteBufAllocator.DEFAULT;
    }

    @TearDown(Level.Trial)
    public void report() {
        PooledByteBufAllocatorMetric metric = allocator.metric();
        System.out.printf("%nnetty: hasUnsafe=%b useCacheForAllThreads=%b directArenas=%d usedDirectMemory=%d%n",
                PlatformDependent.hasUnsafe(), PooledByteBufAllocator.defaultUseCacheForAllThreads(),
                metric.numDirectArenas(), metric.usedDirectMemory());
    }
}
