package dev.goheap.demo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.gc.Collector;
import dev.goheap.gc.GcConfig;
import dev.goheap.gc.MemStats;
import dev.goheap.gc.pause.Mmu;
import dev.goheap.gc.pause.PauseSnapshot;
import dev.goheap.heap.Heap;
import dev.goheap.sched.SafepointStats;
import dev.goheap.sched.Safepoints;
import dev.goheap.sched.StopListener;
import dev.goheap.sched.StopReport;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The Benchmarks Game's binary-trees on goheap with the collector: trees of 16-byte nodes built
 * and checked by several goroutines, garbage collected concurrently with bounded pauses. Prints
 * the program's usual lines, a gctrace line per cycle (stderr), and a summary: wall time,
 * cycles, pauses (max, p50, p99), MMU at 10 and 50 ms, the most stopped time in any 50 ms window,
 * and the JVM's own GC count and time during the run.
 *
 * <p>Usage: {@code BinaryTrees [maxDepth [goroutines]] [--result] [--quiet] [--no-assists]}; default depth 21 and
 * one goroutine per available processor but one (left to the collector); the environment variable {@code GOGC} (a percentage or
 * {@code off}) sets the pacer's growth as in Go. {@code --result} adds one machine-readable line,
 * {@code RESULT {json}}, for {@code jmh/compare-collectors.sh}; {@code --quiet} drops gctrace;
 * {@code --no-assists} turns mutator assists off (to compare).
 *
 * <p>How a tree stays alive: its root sits in a pointer slot of the building goroutine's frame
 * (a root); every node is stored into its parent right after its allocation, before the next
 * safepoint, so a node is always reachable through the root, and a pointer to it in a Java local
 * stays valid (objects never move).
 */
public final class BinaryTrees {
    /** A tree node: two pointers (16 bytes, Go's and the Benchmarks Game's node). */
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right")), "left", "right");
    static final long LEFT = NODE.offsetOf("left");
    static final long RIGHT = NODE.offsetOf("right");
    /** A frame holding one tree root. */
    static final FrameType TREE = FrameType.of("tree", MemoryLayout.structLayout(JAVA_LONG.withName("root")), "root");
    static final long ROOT = TREE.offsetOf("root");

    /** How long the JIT's warm-up is taken to last, for the pauses reported after it. */
    static final long WARM_UP_NANOS = 5_000_000_000L;

    private BinaryTrees() {}

    public static void main(String[] args) throws InterruptedException {
        runWith(null, args);
    }

    /**
     * The demo, its runtime's stops told to {@code stopListener} (null: none; the summary names
     * it): for a launcher that schedules the machine around the pauses, as {@code
     * dev.goheap.jmh.realtime.RealtimeBinaryTrees} does. Arguments as {@link #main}'s.
     */
    public static void runWith(StopListener stopListener, String... args) throws InterruptedException {
        List<String> numbers = new ArrayList<>();
        boolean result = false;
        boolean quiet = false;
        boolean assists = true;
        // Maven's -Ddemo.args arrives as one argument: split it at spaces.
        for (String a : String.join(" ", args).trim().split("\\s+")) {
            if (a.equals("--result")) {
                result = true;
            } else if (a.equals("--quiet")) {
                quiet = true;
            } else if (a.equals("--no-assists")) {
                assists = false;
            } else if (!a.isBlank()) {
                numbers.add(a.trim());
            }
        }
        int maxDepth = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 21;
        // One processor is left to the collector thread (Go's dedicated mark worker takes a P):
        // with every CPU running goroutines, the collector is preempted inside its own pauses.
        int goroutines = numbers.size() > 1 ? Integer.parseInt(numbers.get(1))
                : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        if (!quiet) {
            // One gctrace line per cycle, as Go prints them: the message only.
            System.setProperty("java.util.logging.SimpleFormatter.format", "%5$s%n");
        }
        run(Math.max(6, maxDepth), Math.max(1, goroutines), !quiet, result, assists, stopListener);
    }

    static void run(int maxDepth, int goroutines, boolean gctrace, boolean result, boolean assists,
                    StopListener stopListener) throws InterruptedException {
        long jvmGcCount0 = jvmGcCount();
        long jvmGcMillis0 = jvmGcMillis();
        long start = System.nanoTime();
        GcConfig.Builder settings = GcConfig.builder().gctrace(gctrace).assists(assists);
        String gogc = System.getenv("GOGC"); // as in Go: a percentage, or "off"
        if (gogc != null && !gogc.isBlank()) {
            if (gogc.trim().equalsIgnoreCase("off")) {
                settings.gogcOff();
            } else {
                settings.gogc(Integer.parseInt(gogc.trim()));
            }
        }
        GcConfig config = settings.build();
        GoRuntime.Builder runtime = GoRuntime.builder().heapLimitBytes(4L << 30);
        if (stopListener != null) {
            runtime.stopListener(stopListener);
        }
        try (GoRuntime rt = runtime.build();
             Collector gc = Collector.start(rt, config)) {
            Heap heap = rt.heap();
            String[] lines = new String[maxDepth + 1];
            long[] longLived = new long[1];
            Goroutine main = rt.go(() -> {
                Stack stack = Goroutine.current().stack();
                int stretch = maxDepth + 1;
                System.out.println("stretch tree of depth " + stretch + "\t check: " + buildAndCheck(rt, stack, stretch));
                long f = stack.push(TREE); // the long-lived tree, rooted in this frame
                long root = heap.newObject(NODE);
                stack.writePointer(f, ROOT, root);
                fill(heap, root, maxDepth);
                List<Goroutine> workers = new ArrayList<>();
                AtomicLongArray checks = new AtomicLongArray(maxDepth + 1);
                for (int w = 0; w < goroutines; w++) {
                    int worker = w;
                    workers.add(rt.go(() -> {
                        Stack s = Goroutine.current().stack();
                        for (int d = 4; d <= maxDepth; d += 2) {
                            int iterations = 1 << (maxDepth - d + 4);
                            long sum = 0;
                            for (int i = worker; i < iterations; i += goroutines) {
                                sum += buildAndCheck(rt, s, d);
                            }
                            checks.addAndGet(d, sum);
                        }
                    }));
                }
                for (Goroutine g : workers) {
                    joinParked(g); // a joining goroutine is parked: it holds up no pause
                }
                for (int d = 4; d <= maxDepth; d += 2) {
                    lines[d] = (1 << (maxDepth - d + 4)) + "\t trees of depth " + d + "\t check: " + checks.get(d);
                }
                longLived[0] = check(rt.safepoints(), heap, stack.readPointer(f, ROOT));
                stack.pop(f);
            });
            main.join();
            for (int d = 4; d <= maxDepth; d += 2) {
                System.out.println(lines[d]);
            }
            System.out.println("long lived tree of depth " + maxDepth + "\t check: " + longLived[0]);
            long end = System.nanoTime();
            // The run is over: stop the collector before the summary, so that the gctrace line of
            // a cycle still running (its thread logs when it ends) does not land inside it.
            gc.close();
            StopReport worst = rt.safepoints().worstStopReport();
            if (worst != null) {
                System.out.println("slowest stop     " + worst);
            }
            if (stopListener != null) {
                System.out.println("stop listener    " + stopListener);
            }
            summary(gc, rt.safepoints().stats(), start, end, maxDepth, goroutines, jvmGcCount() - jvmGcCount0, jvmGcMillis() - jvmGcMillis0,
                    result);
        }
    }

    static void joinParked(Goroutine g) {
        try {
            g.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("binary-trees: interrupted while waiting for " + g, e);
        }
    }

    /** Builds a tree of {@code depth} rooted in a new frame, checks it, drops it. */
    static long buildAndCheck(GoRuntime rt, Stack stack, int depth) {
        Heap heap = rt.heap();
        long f = stack.push(TREE);
        long root = heap.newObject(NODE);
        stack.writePointer(f, ROOT, root);
        fill(heap, root, depth);
        long check = check(rt.safepoints(), heap, stack.readPointer(f, ROOT));
        stack.pop(f); // the tree is garbage from here on
        return check;
    }

    /** Gives {@code node} (reachable from a root) two subtrees of {@code depth - 1}. */
    static void fill(Heap heap, long node, int depth) {
        if (depth <= 0) {
            return;
        }
        long left = heap.newObject(NODE);
        heap.writePointer(node, LEFT, left); // reachable before the next safepoint
        long right = heap.newObject(NODE);
        heap.writePointer(node, RIGHT, right);
        fill(heap, left, depth - 1);
        fill(heap, right, depth - 1);
    }

    /**
     * Counts the nodes. Reads are no safepoints, and a deep tree takes milliseconds to walk, so
     * the walk polls (Go's compiler puts a poll in every function prologue for the same reason);
     * the nodes in Java locals stay valid across it, being reachable from the tree's root.
     */
    static long check(Safepoints safepoints, Heap heap, long node) {
        safepoints.poll();
        long left = heap.readPointer(node, LEFT);
        if (left == 0) {
            return 1;
        }
        return 1 + check(safepoints, heap, left) + check(safepoints, heap, heap.readPointer(node, RIGHT));
    }

    private static void summary(Collector gc, SafepointStats safepoints, long start, long end, int depth, int goroutines, long jvmGcs,
            long jvmGcMillis, boolean result) {
        MemStats m = gc.memStats();
        PauseSnapshot pauses = gc.pauses().snapshot();
        long[] starts = pauses.startsNanos();
        long[] lengths = pauses.lengthsNanos();
        double mmu10 = Mmu.mmu(starts, lengths, start, end, 10_000_000L);
        double mmu50 = Mmu.mmu(starts, lengths, start, end, 50_000_000L);
        long worst50 = Mmu.maxStoppedInWindow(starts, lengths, 50_000_000L);
        System.out.printf(Locale.ROOT, "%nbinary-trees depth %d, %d goroutines, goheap collector (GOGC %d)%n",
                depth, goroutines, gc.config().gogc());
        System.out.printf(Locale.ROOT, "wall time        %.2f s%n", (end - start) / 1e9);
        System.out.printf(Locale.ROOT, "cycles           %d (%d forced)%n", m.numGc(), m.numForcedGc());
        System.out.printf(Locale.ROOT, "pauses           %d, total %.1f ms, max %.3f ms, p50 %.3f ms, p99 %.3f ms%n",
                pauses.size(), m.pauseTotalNanos() / 1e6, m.maxPauseNanos() / 1e6,
                gc.pauses().percentileNanos(50) / 1e6, gc.pauses().percentileNanos(99) / 1e6);
        System.out.printf(Locale.ROOT, "longest pauses   %s%n", longest(pauses, start, 5));
        System.out.printf(Locale.ROOT, "the longest      %s%n", gc.longestPause().map(String::valueOf).orElse("none"));
        System.out.printf(Locale.ROOT, "after warm-up    %s%n", afterWarmUp(pauses, start));
        System.out.printf(Locale.ROOT, "stops            %d, %d run by the last goroutine to stop, %d missed their deadline;"
                + " time to safepoint max %.3f ms%n", safepoints.stops(), safepoints.stopsRunByGoroutine(),
                safepoints.stopTimeouts(), safepoints.maxTimeToSafepointNanos() / 1e6);
        System.out.printf(Locale.ROOT, "MMU              %.1f %% at 10 ms, %.1f %% at 50 ms; most stopped in any 50 ms: %.3f ms%n",
                mmu10 * 100, mmu50 * 100, worst50 / 1e6);
        double[] felt = gc.mutatorUtilisation(start, end, true, 10_000_000L, 50_000_000L);
        System.out.printf(Locale.ROOT, "MMU with assists %.1f %% at 10 ms, %.1f %% at 50 ms (stops and assist busy periods)%n",
                felt[0] * 100, felt[1] * 100);
        System.out.printf(Locale.ROOT, "assists          %d, %.1f ms in all, %d MiB marked; heap at mark end / goal: max %.2f%n",
                m.assists(), m.assistTotalNanos() / 1e6, m.assistMarkedBytes() >> 20, m.maxHeapOverGoal());
        System.out.printf(Locale.ROOT, "assists parked   %d, %.1f ms in all (dry past the goal: waited for the collector)%n",
                m.assistParks(), m.assistParkNanos() / 1e6);
        System.out.printf(Locale.ROOT, "heap             %d MiB mapped, %d MiB in use, %d MiB marked live last cycle;"
                + " %d MiB given back to the OS during the run%n",
                m.heapSysBytes() >> 20, m.heapInUseBytes() >> 20, m.lastMarkedBytes() >> 20, m.heapReleasedBytes() >> 20);
        System.out.printf(Locale.ROOT, "objects          %d allocated, %d freed; GC CPU %.1f %% (collector and assists)%n",
                m.mallocs(), m.frees(), m.gcCpuFraction() * 100);
        System.out.printf(Locale.ROOT, "JVM's own GC     %d collections, %d ms during the run%n", jvmGcs, jvmGcMillis);
        if (result) {
            StringBuilder json = new StringBuilder();
            json.append("{\"wallMillis\":").append((end - start) / 1_000_000)
                    .append(",\"runStartNanos\":").append(start).append(",\"runEndNanos\":").append(end)
                    .append(",\"cycles\":").append(m.numGc())
                    .append(",\"jvmGcCount\":").append(jvmGcs).append(",\"jvmGcMillis\":").append(jvmGcMillis)
                    .append(",\"pauses\":[");
            for (int i = 0; i < starts.length; i++) {
                json.append(i == 0 ? "" : ",").append('[').append(starts[i]).append(',').append(lengths[i]).append(']');
            }
            System.out.println("RESULT " + json.append("]}"));
        }
    }

    /**
     * The pauses that begin after the first {@value #WARM_UP_NANOS} ns of the run: count, max and
     * p99. On two CPUs the JIT's compiler threads take most of a CPU in the first seconds, and a
     * goroutine's carrier queued behind them lengthens the stops then (README, "time to
     * safepoint"); this line shows the steady state apart from that.
     */
    static String afterWarmUp(PauseSnapshot pauses, long runStart) {
        List<Long> lengths = new ArrayList<>();
        for (int i = 0; i < pauses.size(); i++) {
            if (pauses.startNanos(i) - runStart >= WARM_UP_NANOS) {
                lengths.add(pauses.lengthNanos(i));
            }
        }
        if (lengths.isEmpty()) {
            return String.format(Locale.ROOT, "no pause after the first %.0f s", WARM_UP_NANOS / 1e9);
        }
        lengths.sort(null);
        long p99 = lengths.get((int) Math.ceil(lengths.size() * 0.99) - 1); // nearest rank
        return String.format(Locale.ROOT, "%d pauses after the first %.0f s: max %.3f ms, p99 %.3f ms",
                lengths.size(), WARM_UP_NANOS / 1e9, lengths.get(lengths.size() - 1) / 1e6, p99 / 1e6);
    }

    /** The {@code n} longest pauses, longest first, as "kind length ms @ seconds into the run". */
    static String longest(PauseSnapshot pauses, long runStart, int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pauses.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Long.compare(pauses.lengthNanos(b), pauses.lengthNanos(a)));
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < Math.min(n, order.size()); k++) {
            int i = order.get(k);
            out.append(k == 0 ? "" : ", ").append(pauses.kind(i).name().toLowerCase(Locale.ROOT))
                    .append(String.format(Locale.ROOT, " %.3f ms @%.1f s", pauses.lengthNanos(i) / 1e6,
                            (pauses.startNanos(i) - runStart) / 1e9));
        }
        return out.toString();
    }

    private static long jvmGcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    private static long jvmGcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionTime());
        }
        return n;
    }
}
