package dev.goheap.sched;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Park and unpark of goroutines of one runtime on two threads at once: both add to the runtime's
 * count of active goroutines ({@code Safepoints.active}, by which a stop knows it is complete
 * without visiting parked goroutines). The count is striped ({@code ActiveCount}): the two
 * threads attach one after the other, so their goroutines' ids are consecutive and their stripes
 * differ (on different lines), and this measures what is left of its contention; the anchor is
 * the cost of sharing one line.
 * {@link PollBenchmark#parkUnpark_goheap} is the one-thread figure (a runtime per thread).
 *
 * <table>
 *   <caption>variants (two threads each)</caption>
 *   <tr><th>method</th><th>what it does</th></tr>
 *   <tr><td>parkUnpark_goheap</td><td>{@code park()} then {@code unpark()} on each thread's own
 *       goroutine of one shared runtime</td></tr>
 *   <tr><td>addPair_sharedAtomic</td><td>the anchor: two {@code getAndAdd} (-1, +1) on one shared
 *       {@code AtomicInteger}, what the count cost under the same contention before it was striped</td></tr>
 * </table>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@Threads(2)
public class ParkUnparkSharedBenchmark {

    /** The runtime both threads' goroutines belong to, and the anchor's counter. */
    @State(Scope.Benchmark)
    public static class Shared {
        GoRuntime runtime;
        final AtomicInteger counter = new AtomicInteger();
        /** Goroutines attached and not yet detached. */
        final AtomicInteger attached = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        @Setup(Level.Trial)
        public void open() {
            runtime = GoRuntime.builder().build();
        }

        /**
         * Closes the runtime if no goroutine is attached; else the last thread to detach closes it
         * ({@link Own#detach}). Why: JMH may run this teardown before a thread's own teardown
         * (its goroutine's detach), and closing a runtime with a goroutine attached fails.
         */
        @TearDown(Level.Trial)
        public void close() {
            if (attached.get() == 0) {
                closeOnce();
            }
        }

        void closeOnce() {
            if (closed.compareAndSet(false, true)) {
                runtime.close();
            }
        }
    }

    /** Each benchmark thread's goroutine (the thread attaches itself). */
    @State(Scope.Thread)
    public static class Own {
        Goroutine goroutine;
        Shared shared;

        @Setup(Level.Trial)
        public void attach(Shared shared) {
            this.shared = shared;
            goroutine = shared.runtime.attach();
            shared.attached.incrementAndGet();
        }

        @TearDown(Level.Trial)
        public void detach() {
            goroutine.detach();
            if (shared.attached.decrementAndGet() == 0) {
                shared.closeOnce();
            }
        }
    }

    @Benchmark
    public void parkUnpark_goheap(Shared shared, Own own) {
        Safepoints sp = shared.runtime.safepoints();
        sp.park();
        sp.unpark();
    }

    @Benchmark
    public int addPair_sharedAtomic(Shared shared) {
        shared.counter.getAndAdd(-1);
        return shared.counter.getAndAdd(1);
    }
}
