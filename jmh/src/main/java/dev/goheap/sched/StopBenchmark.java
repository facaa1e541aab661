package dev.goheap.sched;

import dev.goheap.GoRuntime;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.stack.Goroutine;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
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
 * A stop of the world with one goroutine running: the plain stop (the operator waits, is woken
 * by the goroutine's arrival, runs the work and releases) against the handoff ({@code
 * stopTheWorldAndRun}: the goroutine, last to stop, runs the work and releases). The score is
 * the operator's call; the pause itself (request to release, {@code lastReleaseNanos}, what the
 * collector records) is printed per iteration as p50 / p99 / max, since the handoff's operator
 * returns after the release, when it wakes.
 *
 * <p>The goroutine is a platform thread attached as one, polling in a loop (a safepoint every few
 * nanoseconds); the work is empty. Both threads have a CPU on a 2-core machine unless something
 * else runs, so this measures the protocol's own latency (the wake-ups), not the scheduling
 * delays the demo meets with the JIT's compiler threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@Threads(1)
@State(Scope.Benchmark)
public class StopBenchmark {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final StopWork NOTHING = () -> true;

    private GoRuntime runtime;
    private Safepoints safepoints;
    private Thread spinner;
    private volatile boolean quit;
    private long[] pauses = new long[1 << 20];
    private int count;

    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        runtime = GoRuntime.builder().build();
        safepoints = runtime.safepoints();
        CountDownLatch attached = new CountDownLatch(1);
        spinner = Thread.ofPlatform().name("stop-benchmark-goroutine").start(() -> {
            Goroutine g = runtime.attach();
            attached.countDown();
            try {
                while (!quit) {
                    safepoints.poll();
                    Thread.onSpinWait();
                }
            } finally {
                g.detach();
            }
        });
        attached.await();
    }

    @TearDown(Level.Iteration)
    public void report() {
        long[] p = Arrays.copyOf(pauses, count);
        Arrays.sort(p);
        if (p.length > 0) {
            System.out.printf(Locale.ROOT, " [pause p50 %.1f, p99 %.1f, max %.1f us; %d stops, %d by the goroutine]",
                    p[p.length / 2] / 1e3, p[(int) (p.length * 0.99)] / 1e3, p[p.length - 1] / 1e3, p.length,
                    safepoints.stats().stopsRunByGoroutine());
        }
        count = 0;
    }

    @TearDown(Level.Trial)
    public void close() throws InterruptedException {
        quit = true;
        spinner.join();
        runtime.close();
    }

    private void record(long start) {
        if (count < pauses.length) {
            pauses[count++] = safepoints.lastReleaseNanos() - start;
        }
    }

    /** The plain stop: request, the operator woken by the arrival, the (empty) work, release. */
    @Benchmark
    public boolean stopStart() {
        long start = System.nanoTime();
        boolean stopped = safepoints.stopTheWorld(start + DEADLINE_NANOS);
        if (stopped) {
            safepoints.startTheWorld();
        }
        record(start);
        return stopped;
    }

    /** The handoff: the goroutine, last to stop, runs the (empty) work and releases. */
    @Benchmark
    public StopOutcome stopAndRun() {
        long start = System.nanoTime();
        StopOutcome o = safepoints.stopTheWorldAndRun(start + DEADLINE_NANOS, NOTHING);
        record(start);
        return o;
    }
}
