package dev.goheap.sched;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import java.lang.foreign.MemoryLayout;
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
 * The cost of a safepoint with nothing pending, which every push, pop and heap allocation pays,
 * and of parking around a blocking call. Run it with {@code -prof gc}: every method allocates
 * 0 B/op.
 *
 * <table>
 *   <caption>variants</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>poll_goheap</td><td>{@code safepoints.poll()} on a registered goroutine: one volatile read</td></tr>
 *   <tr><td>poll_volatileRead</td><td>the floor: a read of a volatile int field and a branch</td></tr>
 *   <tr><td>pushPop_goheap</td><td>{@code stack.push(FRAME64)}, {@code stack.pop(f)}: two polls inside
 *       (compare with {@code StackPushPopBenchmark.pushPop_goheap} of an older build)</td></tr>
 *   <tr><td>parkUnpark_goheap</td><td>{@code park()} then {@code unpark()}: a ThreadLocal read, a
 *       volatile write and a CAS</td></tr>
 * </table>
 *
 * <p>The benchmark thread attaches itself as a goroutine in {@code @Setup(Trial)}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
@State(Scope.Thread)
public class PollBenchmark {
    static final FrameType FRAME64 = FrameType.of("frame64", MemoryLayout.structLayout(
            JAVA_LONG.withName("a"), JAVA_LONG.withName("b"), JAVA_LONG.withName("c"), JAVA_LONG.withName("d"),
            JAVA_LONG.withName("e"), JAVA_LONG.withName("f"), JAVA_LONG.withName("g"), JAVA_LONG.withName("p")),
            "p");

    private GoRuntime runtime;
    private Safepoints safepoints;
    private Goroutine goroutine;
    private Stack stack;
    private long outer;
    private volatile int flag;

    @Setup(Level.Trial)
    public void open() {
        runtime = GoRuntime.builder().build();
        safepoints = runtime.safepoints();
        goroutine = runtime.attach();
        stack = goroutine.stack();
        outer = stack.push(FRAME64);
    }

    @TearDown(Level.Trial)
    public void close() {
        stack.pop(outer);
        goroutine.detach();
        runtime.heap().verify();
        runtime.close();
    }

    @Benchmark
    public void poll_goheap() {
        safepoints.poll();
    }

    @Benchmark
    public int poll_volatileRead() {
        return flag != 0 ? 1 : 0;
    }

    @Benchmark
    public long pushPop_goheap() {
        Stack s = stack;
        long f = s.push(FRAME64);
        s.pop(f);
        return f;
    }

    @Benchmark
    public void parkUnpark_goheap() {
        Safepoints sp = safepoints;
        sp.park();
        sp.unpark();
    }
}
