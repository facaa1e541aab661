package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.type.FrameType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A recursion 1M frames deep (64-byte frames, 80 MB of stack) and back, on a stack that starts
 * at 2 KiB each time and so grows 16 times to 128 MiB, against the same recursion on a stack that
 * keeps its 128 MiB block, and against {@code MemorySegment.copy} of the bytes the grows copy.
 *
 * <table>
 *   <caption>variants</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>recursion_growing</td><td>1M pushes from 2 KiB (the grows included), 1M pops, then
 *       {@code shrink()} back to 2 KiB (16 moves of 16 bytes each)</td></tr>
 *   <tr><td>recursion_pregrown</td><td>1M pushes and pops on the 128 MiB block: the same pushes,
 *       pops and zeroing without any grow</td></tr>
 *   <tr><td>copy_segment</td><td>{@code MemorySegment.copy} of each size the grows copy (the used
 *       bytes at each grow, recorded in setup), between two pre-touched 128 MiB segments</td></tr>
 * </table>
 * Grow bandwidth = copied bytes / (growing - pregrown); the anchor's = copied bytes / copy_segment.
 * The copied bytes per recursion are printed at setup ({@code stackCopiedBytes} of the stats).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
@State(Scope.Thread)
public class StackRecursionBenchmark {
    static final int FRAMES = 1_000_000;
    static final FrameType FRAME64 = FrameType.of("frame64", MemoryLayout.structLayout(
            JAVA_LONG.withName("a"), JAVA_LONG.withName("b"), JAVA_LONG.withName("c"), JAVA_LONG.withName("d"),
            JAVA_LONG.withName("e"), JAVA_LONG.withName("f"), JAVA_LONG.withName("g"), JAVA_LONG.withName("p")),
            "p");

    private GoRuntime runtime;
    private Goroutine goroutine;
    private Stack stack;
    private final long[] frames = new long[FRAMES];
    private Arena arena;
    private MemorySegment source;
    private MemorySegment target;
    private long[] copySizes;

    @Setup(Level.Trial)
    public void open() throws Exception {
        runtime = GoRuntime.builder().heapLimitBytes(2L << 30).scavengeRetainBytes(1L << 30).build();
        goroutine = runtime.attach();
        stack = goroutine.stack();
        List<Long> sizes = new ArrayList<>();
        long copiedBefore = runtime.stats().goroutines().stackCopiedBytes();
        for (int i = 0; i < FRAMES; i++) {
            long capacity = stack.capacityBytes();
            long used = stack.usedBytes();
            frames[i] = stack.push(FRAME64);
            if (capacity != 0 && stack.capacityBytes() != capacity) {
                sizes.add(used);
            }
        }
        long copied = runtime.stats().goroutines().stackCopiedBytes() - copiedBefore;
        unwind(stack);
        copySizes = sizes.stream().mapToLong(Long::longValue).toArray();
        System.out.println("\nstack: " + copySizes.length + " grows copy " + copied + " bytes per recursion");
        arena = Arena.ofShared();
        source = arena.allocate(128L << 20, 4096);
        target = arena.allocate(128L << 20, 4096);
        source.fill((byte) 1);
        target.fill((byte) 2);
    }

    private void unwind(Stack stack) {
        for (int i = FRAMES - 1; i >= 0; i--) {
            stack.pop(frames[i]);
        }
        while (stack.shrink()) {
            // back to 2 KiB, at most half at a time
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        goroutine.detach();
        runtime.heap().verify();
        runtime.close();
        arena.close();
    }

    @Benchmark
    public long recursion_growing() {
        Stack s = stack;
        long[] f = frames;
        for (int i = 0; i < FRAMES; i++) {
            f[i] = s.push(FRAME64);
        }
        long last = f[FRAMES - 1];
        unwind(s);
        return last;
    }

    @Benchmark
    public long recursion_pregrown() {
        Stack s = stack; // the first (warm-up) invocation grows it; it never shrinks here
        long[] f = frames;
        for (int i = 0; i < FRAMES; i++) {
            f[i] = s.push(FRAME64);
        }
        long last = f[FRAMES - 1];
        for (int i = FRAMES - 1; i >= 0; i--) {
            s.pop(f[i]);
        }
        return last;
    }

    @Benchmark
    public MemorySegment copy_segment() {
        for (long size : copySizes) {
            MemorySegment.copy(source, 0, target, 0, size);
        }
        return target;
    }
}
