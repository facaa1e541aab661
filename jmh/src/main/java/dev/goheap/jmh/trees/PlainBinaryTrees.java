package dev.goheap.jmh.trees;

import dev.goheap.jmh.Json;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Benchmarks Game's binary-trees on plain Java objects: the workload that {@link
 * CollectorComparison} runs under each JVM collector.
 *
 * <ol>
 *   <li>build and check a stretch tree of depth {@code max + 1}, then drop it;</li>
 *   <li>build a long-lived tree of depth {@code max}, kept until the end;</li>
 *   <li>for depth d = 4, 6, …, max: build and check 2^(max − d + 4) trees of depth d, one at a time
 *       per thread; the iterations of a depth are split evenly across the threads (as the Java #2
 *       and #7 programs share the work between a pool's threads), and the depths run one after
 *       another;</li>
 *   <li>check the long-lived tree.</li>
 * </ol>
 * A tree's check is its node count, 2^(d+1) − 1, so the output is fixed for a depth and equals the
 * reference output ({@link #expectedOutput}). {@code max} is at least 6, as in the reference.
 *
 * <p>After the reference output it prints one line {@code RESULT {json}}: {@code wallMillis} (from
 * the stretch tree to the last check; JVM start-up not included), {@code runStartEpochNanos} and
 * {@code runEndEpochNanos} (wall-clock bounds of that span, to place JFR's events in it),
 * {@code jvmGcCount} and {@code jvmGcMillis} (sums over the {@link GarbageCollectorMXBean}s, see
 * {@link #gcBeans}), the beans one by one, {@code depth}, {@code threads}, {@code cpus} and
 * {@code javaVersion}.
 *
 * <p>Usage: {@code java -Xmx2g dev.goheap.jmh.trees.PlainBinaryTrees [depth [threads]]}
 * (defaults 21 and 1).
 */
public final class PlainBinaryTrees {
    static final int MIN_DEPTH = 4;
    /** The prefix of the machine-readable last line; the JSON object follows it. */
    public static final String RESULT_PREFIX = "RESULT ";

    /** A node as in the reference programs: two children, no payload. */
    private static final class TreeNode {
        final TreeNode left;
        final TreeNode right;

        TreeNode(TreeNode left, TreeNode right) {
            this.left = left;
            this.right = right;
        }

        int itemCheck() {
            return left == null ? 1 : 1 + left.itemCheck() + right.itemCheck();
        }
    }

    private PlainBinaryTrees() {
    }

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        int depth = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        if (depth < 0 || depth > 30) {
            throw new IllegalArgumentException("depth: " + depth + " (expected: 0 to 30)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        Map<String, long[]> gcBefore = gcBeans();
        Instant start = Instant.now();
        long startNanos = System.nanoTime();
        run(depth, threads, System.out);
        long wallNanos = System.nanoTime() - startNanos;
        Instant end = Instant.now();
        Map<String, long[]> gcAfter = gcBeans();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("wallMillis", wallNanos / 1e6);
        result.put("runStartEpochNanos", epochNanos(start));
        result.put("runEndEpochNanos", epochNanos(end));
        long count = 0;
        long millis = 0;
        Map<String, Object> beans = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : gcAfter.entrySet()) {
            long[] before = gcBefore.getOrDefault(e.getKey(), new long[2]);
            long beanCount = e.getValue()[0] - before[0];
            long beanMillis = e.getValue()[1] - before[1];
            beans.put(e.getKey(), Map.of("count", beanCount, "millis", beanMillis));
            if (countsCollections(e.getKey())) {
                count += beanCount;
                millis += beanMillis;
            }
        }
        result.put("jvmGcCount", count);
        result.put("jvmGcMillis", millis);
        result.put("gcBeans", beans);
        result.put("depth", depth);
        result.put("threads", threads);
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("javaVersion", Runtime.version().toString());
        System.out.println(RESULT_PREFIX + Json.write(result));
    }

    /** Runs binary-trees and prints the reference output to {@code out}. */
    static void run(int n, int threads, PrintStream out) throws InterruptedException, ExecutionException {
        int maxDepth = Math.max(MIN_DEPTH + 2, n);
        int stretchDepth = maxDepth + 1;
        out.println("stretch tree of depth " + stretchDepth + "\t check: " + bottomUpTree(stretchDepth).itemCheck());

        TreeNode longLivedTree = bottomUpTree(maxDepth);
        ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads);
        try {
            for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
                int iterations = 1 << (maxDepth - depth + MIN_DEPTH);
                long check = pool == null ? checkTrees(depth, iterations) : checkTrees(pool, threads, depth, iterations);
                out.println(iterations + "\t trees of depth " + depth + "\t check: " + check);
            }
        } finally {
            if (pool != null) {
                pool.shutdown();
            }
        }
        out.println("long lived tree of depth " + maxDepth + "\t check: " + longLivedTree.itemCheck());
    }

    /** The output {@link #run} prints for depth {@code n}, computed from the node counts. */
    static String expectedOutput(int n) {
        int maxDepth = Math.max(MIN_DEPTH + 2, n);
        StringBuilder sb = new StringBuilder();
        sb.append("stretch tree of depth ").append(maxDepth + 1).append("\t check: ").append(nodeCount(maxDepth + 1)).append('\n');
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            long iterations = 1L << (maxDepth - depth + MIN_DEPTH);
            sb.append(iterations).append("\t trees of depth ").append(depth).append("\t check: ")
                    .append(iterations * nodeCount(depth)).append('\n');
        }
        sb.append("long lived tree of depth ").append(maxDepth).append("\t check: ").append(nodeCount(maxDepth)).append('\n');
        return sb.toString();
    }

    private static long nodeCount(int depth) {
        return (1L << (depth + 1)) - 1;
    }

    private static long checkTrees(int depth, int iterations) {
        long check = 0;
        for (int i = 0; i < iterations; i++) {
            check += bottomUpTree(depth).itemCheck();
        }
        return check;
    }

    private static long checkTrees(ExecutorService pool, int threads, int depth, int iterations)
            throws InterruptedException, ExecutionException {
        List<Future<Long>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            // iterations / threads each, the remainder spread over the first threads
            int share = iterations / threads + (t < iterations % threads ? 1 : 0);
            parts.add(pool.submit(() -> checkTrees(depth, share)));
        }
        long check = 0;
        for (Future<Long> part : parts) {
            check += part.get();
        }
        return check;
    }

    private static TreeNode bottomUpTree(int depth) {
        return depth > 0 ? new TreeNode(bottomUpTree(depth - 1), bottomUpTree(depth - 1)) : new TreeNode(null, null);
    }

    /**
     * Count and accumulated milliseconds of each {@link GarbageCollectorMXBean}, by name. ZGC has a
     * "Cycles" and a "Pauses" bean per generation; G1 and Parallel have one bean per kind of
     * collection (G1's "G1 Concurrent GC" counts its Remark and Cleanup pauses).
     */
    static Map<String, long[]> gcBeans() {
        Map<String, long[]> beans = new LinkedHashMap<>();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            beans.put(bean.getName(), new long[] {Math.max(0, bean.getCollectionCount()), Math.max(0, bean.getCollectionTime())});
        }
        return beans;
    }

    /** Whether a bean's count adds to {@code jvmGcCount}: ZGC's "Pauses" beans would count twice. */
    static boolean countsCollections(String beanName) {
        return !(beanName.startsWith("ZGC") && beanName.endsWith("Pauses"));
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
