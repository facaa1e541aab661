package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import dev.goheap.heap.HeapTreesBenchmark;
import dev.goheap.jmh.ForkArgs;
import dev.goheap.type.ObjectType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The collector's cost per live object: a whole forced cycle ({@code gc()}: the mark-start
 * stop, concurrent marking, mark termination, a full sweep) over a heap that holds one live
 * binary tree of {@code depth} (the binary-trees demo's long-lived tree) and nothing else. No
 * goroutine runs meanwhile, so the score is the collector thread's own marking and sweeping,
 * per live node: what each cycle of the demo spends on its long-lived tree, and the throughput
 * that decides how long a cycle marks (and so how far the heap overshoots its trigger).
 *
 * <p>Two layouts of the same tree ({@link #layout}): as the demo allocates it, where the
 * marker's walk meets the nodes in address order, and shuffled, where each node's children lie
 * anywhere in the 12 MiB: the cost of marking a heap whose objects were not allocated in the
 * order they are reached (any long-running service's), memory-latency bound.
 *
 * <p>The score is wall time, which on a loaded machine includes the collector thread's waits
 * for a CPU. So each measurement iteration also prints the collector thread's own CPU time per
 * live node and cycle ({@code collector CPU}), the figure to compare builds by when the machine
 * is not quiet.
 *
 * <p>{@code java -jar jmh/target/benchmarks.jar CollectorCycle -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc}
 * ({@code -prof gc}: the Java heap allocated per cycle, divided by the nodes; it should be
 * about 0).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
@State(Scope.Benchmark)
public class CollectorCycleBenchmark {
    private static final ObjectType NODE = HeapTreesBenchmark.NODE;
    /** Nodes of the tree at the default depth: the divisor of the score. */
    static final int NODES = (1 << (18 + 1)) - 1;

    /** Depth of the live tree; its node count must match {@link #NODES}. */
    @Param("18")
    public int depth;

    /**
     * Where the nodes lie: {@code preorder}, allocated as the tree is built (a node's two
     * children, then their subtrees: the marker, which takes the newest grey objects first,
     * reads them in address order), or {@code shuffled}, the same number of nodes allocated
     * first and then linked in a random (seeded) order, so that a node's children lie anywhere.
     */
    @Param({"preorder", "shuffled"})
    public String layout;

    private GoRuntime runtime;
    private Collector collector;
    private long rootPin;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long collectorThreadId;
    private long cpuAtIterationStart;
    private long cyclesAtIterationStart;

    @Setup(Level.Trial)
    public void buildLiveTree() throws InterruptedException {
        if (!layout.equals("preorder") && !layout.equals("shuffled")) {
            throw new IllegalArgumentException("layout " + layout + " (expected: preorder or shuffled)");
        }
        if ((1 << (depth + 1)) - 1 != NODES) {
            throw new IllegalArgumentException("depth " + depth + " (expected: 18, the depth NODES is computed for)");
        }
        runtime = GoRuntime.builder().heapLimitBytes(1L << 30).build();
        collector = Collector.start(runtime, GcConfig.builder().gogcOff().build());
        Heap heap = runtime.heap();
        long[] pin = new long[1];
        runtime.go(() -> {
            long root = heap.newObject(NODE);
            pin[0] = collector.pin(root); // pinned before the next safepoint: the tree's one root
            if (layout.equals("shuffled")) {
                fillShuffled(heap, root);
            } else {
                HeapTreesBenchmark.fill(heap, root, depth);
            }
        }).join();
        rootPin = pin[0];
        collector.gc(); // the first cycle sweeps the build's leftovers: every later one sees the same heap
        collectorThreadId = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("goheap-gc")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no thread named goheap-gc"))
                .threadId();
    }

    /**
     * Links {@code NODES - 1} new nodes under {@code root} as a complete tree in heap order (node
     * i's children are nodes 2i+1 and 2i+2) whose nodes were allocated in a random order. No
     * cycle runs meanwhile (GOGC off), so the nodes not linked yet are not freed.
     */
    private static void fillShuffled(Heap heap, long root) {
        long[] nodes = new long[NODES];
        nodes[0] = root;
        for (int i = 1; i < NODES; i++) {
            nodes[i] = heap.newObject(NODE);
        }
        Random random = new Random(42);
        for (int i = NODES - 1; i > 1; i--) { // Fisher-Yates over nodes[1..]
            int j = 1 + random.nextInt(i);
            long t = nodes[i];
            nodes[i] = nodes[j];
            nodes[j] = t;
        }
        for (int i = 0; 2 * i + 2 < NODES; i++) {
            heap.writePointer(nodes[i], HeapTreesBenchmark.LEFT, nodes[2 * i + 1]);
            heap.writePointer(nodes[i], HeapTreesBenchmark.RIGHT, nodes[2 * i + 2]);
        }
    }

    @Setup(Level.Iteration)
    public void startCounting() {
        cpuAtIterationStart = threads.getThreadCpuTime(collectorThreadId);
        cyclesAtIterationStart = collector.cycles();
    }

    /** Prints the collector thread's CPU time per live node per cycle in this iteration. */
    @TearDown(Level.Iteration)
    public void printCollectorCpu() {
        long cycles = collector.cycles() - cyclesAtIterationStart;
        long cpu = threads.getThreadCpuTime(collectorThreadId) - cpuAtIterationStart;
        if (cycles > 0) {
            System.out.printf(Locale.ROOT, " [collector CPU %.1f ns/node, %d cycles]", (double) cpu / cycles / NODES, cycles);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            long live = runtime.heap().stats().liveObjects();
            if (live != NODES) {
                throw new IllegalStateException("live objects " + live + " (expected: the tree's " + NODES + ")");
            }
            collector.unpin(rootPin);
        } finally {
            collector.close();
            runtime.close();
        }
    }

    /** One whole cycle; the score is per live node. */
    @Benchmark
    @OperationsPerInvocation(NODES)
    public void cycle() {
        collector.gc();
    }
}
