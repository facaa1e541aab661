package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.type.FrameType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One grow by copy of a stack whose block of {@code size} bytes is full, against {@code
 * MemorySegment.copy} of the same bytes: bandwidth = size / score.
 *
 * <table>
 *   <caption>variants</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>grow_goheap</td><td>the push that does not fit: allocate a block of 2 &times; size from the heap,
 *       copy the used bytes, free the old block; no frame holds a pointer into the stack, so
 *       nothing is adjusted (the low-water mark says so without a walk)</td></tr>
 *   <tr><td>grow_goheapLinked</td><td>the same with every frame holding a pointer to its parent: the
 *       adjust walk visits every frame and rewrites every such slot</td></tr>
 *   <tr><td>copy_segment</td><td>{@code MemorySegment.copy} of size bytes between two pre-touched segments</td></tr>
 * </table>
 *
 * <p>The stack is filled in {@code @Setup(Invocation)} (the benchmark thread attaches itself and
 * pushes 64-byte frames until the block is full) and freed in {@code @TearDown(Invocation)}; the
 * heap keeps its chunks mapped ({@code scavengeRetainBytes} 1 GiB), so after warm-up the new
 * block's pages are warm, like the anchor's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
public class StackGrowBenchmark {
    static final FrameType FRAME64 = FrameType.of("frame64", MemoryLayout.structLayout(
            JAVA_LONG.withName("a"), JAVA_LONG.withName("b"), JAVA_LONG.withName("c"), JAVA_LONG.withName("d"),
            JAVA_LONG.withName("e"), JAVA_LONG.withName("f"), JAVA_LONG.withName("g"), JAVA_LONG.withName("parent")),
            "parent");
    static final long PARENT = FRAME64.offsetOf("parent");

    /** A goroutine whose stack block of {@code size} bytes is full: the next push grows it. */
    @State(Scope.Thread)
    public static class FullStack {
        @Param({"00065536", "01048576", "67108864"})
        public String size;

        GoRuntime runtime;
        Goroutine goroutine;
        Stack stack;
        long byteSize;

        @Setup(Level.Trial)
        public void open() {
            byteSize = Long.parseLong(size);
            runtime = GoRuntime.builder().heapLimitBytes(2L << 30).scavengeRetainBytes(1L << 30).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            runtime.heap().verify();
            runtime.close();
        }

        void fill(boolean linked) {
            goroutine = runtime.attach();
            stack = goroutine.stack();
            long parent = 0;
            while (true) {
                long capacity = stack.capacityBytes();
                if (capacity == byteSize && stack.usedBytes() + 16 + FRAME64.bodyBytes() > capacity) {
                    return;
                }
                long f = stack.push(FRAME64);
                if (linked && parent != 0) {
                    stack.writePointer(f, PARENT, stack.addressOf(parent, 0));
                }
                parent = f;
            }
        }

        @TearDown(Level.Invocation)
        public void release() {
            goroutine.detach();
        }
    }

    /** {@link FullStack} with no pointer into the stack. */
    @State(Scope.Thread)
    public static class PlainStack extends FullStack {
        @Setup(Level.Invocation)
        public void fillPlain() {
            fill(false);
        }
    }

    /** {@link FullStack} where every frame points to its parent. */
    @State(Scope.Thread)
    public static class LinkedStack extends FullStack {
        @Setup(Level.Invocation)
        public void fillLinked() {
            fill(true);
        }
    }

    /** Two pre-touched segments for the anchor. */
    @State(Scope.Thread)
    public static class Segments {
        @Param({"00065536", "01048576", "67108864"})
        public String size;

        Arena arena;
        MemorySegment source;
        MemorySegment target;

        @Setup(Level.Trial)
        public void open() {
            long bytes = Long.parseLong(size);
            arena = Arena.ofShared();
            source = arena.allocate(bytes, 4096);
            target = arena.allocate(bytes, 4096);
            source.fill((byte) 1);
            target.fill((byte) 2);
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    @Benchmark
    public long grow_goheap(PlainStack full) {
        return full.stack.push(FRAME64);
    }

    @Benchmark
    public long grow_goheapLinked(LinkedStack full) {
        return full.stack.push(FRAME64);
    }

    @Benchmark
    public MemorySegment copy_segment(Segments segments) {
        MemorySegment.copy(segments.source, 0, segments.target, 0, segments.source.byteSize());
        return segments.target;
    }
}
