package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.type.FrameType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
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
 * Push and pop of a 64-byte frame, zeroing included, against the ways FFM code gets temporaries
 * without a stack. Run it with {@code -prof gc}: every goheap method allocates 0 B/op.
 *
 * <table>
 *   <caption>variants</caption>
 *   <tr><th>method</th><th>zeroed</th><th>frees</th><th>what it does</th></tr>
 *   <tr><td>pushPop_goheap</td><td>yes</td><td>yes</td><td>{@code stack.push(FRAME64)}, {@code stack.pop(f)}: owner check, bounds check, header, sequence stamp</td></tr>
 *   <tr><td>pushPopSlots_goheap</td><td>yes</td><td>yes</td><td>the same plus one {@code setLong} and one {@code getLong} through the handle</td></tr>
 *   <tr><td>scratch_goheap</td><td>yes</td><td>yes</td><td>push, {@code stack.allocator().allocate(64)} (a bounded slice), pop</td></tr>
 *   <tr><td>pushPop_bump</td><td>yes</td><td>yes</td><td>the floor: a hand-written bump pointer over a {@code MemorySegment}, 8 zeroing stores</td></tr>
 *   <tr><td>pushPop_bumpAsSlice</td><td>yes</td><td>yes</td><td>the same handing out {@code asSlice(at, 64)}</td></tr>
 *   <tr><td>allocate_slicingAllocator</td><td>no</td><td>no</td><td>{@code SegmentAllocator.slicingAllocator(segment).allocate(64)}: a new allocator per call, as it cannot free</td></tr>
 *   <tr><td>allocateClose_confinedArena</td><td>yes</td><td>yes</td><td>{@code Arena.ofConfined()}, {@code allocate(64)}, {@code close()}</td></tr>
 * </table>
 *
 * <p>The benchmark thread attaches itself as a goroutine in {@code @Setup(Trial)} (Scope.Thread
 * state setup runs on the benchmark thread) and pushes one frame there, so the first stack block
 * is allocated outside the measurement.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
@State(Scope.Thread)
public class StackPushPopBenchmark {
    static final FrameType FRAME64 = FrameType.of("frame64", MemoryLayout.structLayout(
            JAVA_LONG.withName("a"), JAVA_LONG.withName("b"), JAVA_LONG.withName("c"), JAVA_LONG.withName("d"),
            JAVA_LONG.withName("e"), JAVA_LONG.withName("f"), JAVA_LONG.withName("g"), JAVA_LONG.withName("p")),
            "p");
    static final FrameType EMPTY = FrameType.of("empty", MemoryLayout.structLayout());
    static final long A = FRAME64.offsetOf("a");

    private GoRuntime runtime;
    private Goroutine goroutine;
    private Stack stack;
    private SegmentAllocator scratch;
    private long outer;

    private Arena arena;
    private MemorySegment segment;
    private long bumpTop;

    @Setup(Level.Trial)
    public void open() {
        runtime = GoRuntime.builder().build();
        goroutine = runtime.attach();
        stack = goroutine.stack();
        scratch = stack.allocator();
        outer = stack.push(FRAME64);
        arena = Arena.ofShared();
        segment = arena.allocate(1 << 20, 64);
    }

    @TearDown(Level.Trial)
    public void close() {
        stack.pop(outer);
        goroutine.detach();
        runtime.heap().verify();
        runtime.close();
        arena.close();
    }

    @Benchmark
    public long pushPop_goheap() {
        Stack s = stack;
        long f = s.push(FRAME64);
        s.pop(f);
        return f;
    }

    @Benchmark
    public long pushPopSlots_goheap() {
        Stack s = stack;
        long f = s.push(FRAME64);
        s.setLong(f, A, f);
        long v = s.getLong(f, A);
        s.pop(f);
        return v;
    }

    @Benchmark
    public long scratch_goheap() {
        Stack s = stack;
        long f = s.push(EMPTY);
        long address = scratch.allocate(64).address();
        s.pop(f);
        return address;
    }

    @Benchmark
    public long pushPop_bump() {
        MemorySegment s = segment;
        long at = bumpTop;
        for (long i = 0; i < 64; i += 8) {
            s.set(JAVA_LONG, at + i, 0L);
        }
        bumpTop = at + 64;
        bumpTop = at;
        return at;
    }

    @Benchmark
    public MemorySegment pushPop_bumpAsSlice() {
        long at = bumpTop;
        MemorySegment slice = segment.asSlice(at, 64);
        for (long i = 0; i < 64; i += 8) {
            slice.set(JAVA_LONG, i, 0L);
        }
        bumpTop = at + 64;
        bumpTop = at;
        return slice;
    }

    @Benchmark
    public MemorySegment allocate_slicingAllocator() {
        return SegmentAllocator.slicingAllocator(segment).allocate(64);
    }

    @Benchmark
    public long allocateClose_confinedArena() {
        try (Arena confined = Arena.ofConfined()) {
            return confined.allocate(64).address();
        }
    }
}
