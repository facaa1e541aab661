package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.jmh.ForkArgs;
import dev.goheap.jmh.GoheapState;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The binary-trees demo's mutator work per node, without the collector: build a tree of depth
 * {@value #DEPTH} ({@code newObject} and two {@code writePointer} per inner node), check it
 * ({@code readPointer} of both children), then free it. Scores are per node.
 *
 * <table>
 *   <caption>variants</caption>
 *   <tr><th>method</th><th>what it does per node</th></tr>
 *   <tr><td>trees_goheap</td><td>{@code newObject(NODE)}, {@code writePointer} into its parent, two
 *       {@code readPointer}, {@code free}: every access checked</td></tr>
 *   <tr><td>buildCheck_goheap</td><td>the same without the freeing walk: nodes are listed in a {@code long[]}
 *       and freed from it after the check, in allocation order, so the difference is the walk's
 *       reads and its order of frees (both variants free every node)</td></tr>
 *   <tr><td>trees_plainJava</td><td>the same tree of plain Java objects, left to the JVM's GC (the anchor)</td></tr>
 * </table>
 *
 * <p>{@code java -jar jmh/target/benchmarks.jar HeapTrees -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
@Threads(1)
@State(Scope.Thread)
public class HeapTreesBenchmark {
    static final int DEPTH = 10;
    static final int NODES = (1 << (DEPTH + 1)) - 1;

    /** The tree node: two pointer fields (also {@code CollectorCycleBenchmark}'s). */
    public static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right")), "left", "right");
    public static final long LEFT = NODE.offsetOf("left");
    public static final long RIGHT = NODE.offsetOf("right");

    private final long[] nodes = new long[NODES];
    private int count;

    @Benchmark
    @OperationsPerInvocation(NODES)
    public long trees_goheap(GoheapState goheap) {
        Heap heap = goheap.heap;
        long root = heap.newObject(NODE);
        fill(heap, root, DEPTH);
        long check = check(heap, root);
        freeTree(heap, root);
        return check;
    }

    @Benchmark
    @OperationsPerInvocation(NODES)
    public long buildCheck_goheap(GoheapState goheap) {
        Heap heap = goheap.heap;
        count = 0;
        long root = heap.newObject(NODE);
        nodes[count++] = root;
        fillListed(heap, root, DEPTH);
        long check = check(heap, root);
        for (int i = 0; i < count; i++) {
            heap.free(nodes[i]);
        }
        return check;
    }

    @Benchmark
    @OperationsPerInvocation(NODES)
    public long trees_plainJava() {
        return JavaNode.build(DEPTH).check();
    }

    /** Gives {@code node} two subtrees of {@code depth - 1} (also {@code CollectorCycleBenchmark}'s). */
    public static void fill(Heap heap, long node, int depth) {
        if (depth <= 0) {
            return;
        }
        long left = heap.newObject(NODE);
        heap.writePointer(node, LEFT, left);
        long right = heap.newObject(NODE);
        heap.writePointer(node, RIGHT, right);
        fill(heap, left, depth - 1);
        fill(heap, right, depth - 1);
    }

    private void fillListed(Heap heap, long node, int depth) {
        if (depth <= 0) {
            return;
        }
        long left = heap.newObject(NODE);
        heap.writePointer(node, LEFT, left);
        long right = heap.newObject(NODE);
        heap.writePointer(node, RIGHT, right);
        nodes[count++] = left;
        nodes[count++] = right;
        fillListed(heap, left, depth - 1);
        fillListed(heap, right, depth - 1);
    }

    private static long check(Heap heap, long node) {
        long left = heap.readPointer(node, LEFT);
        if (left == 0) {
            return 1;
        }
        return 1 + check(heap, left) + check(heap, heap.readPointer(node, RIGHT));
    }

    private static void freeTree(Heap heap, long node) {
        long left = heap.readPointer(node, LEFT);
        if (left != 0) {
            freeTree(heap, left);
            freeTree(heap, heap.readPointer(node, RIGHT));
        }
        heap.free(node);
    }

    /** The anchor's node: a plain Java object with two references. */
    static final class JavaNode {
        final JavaNode left;
        final JavaNode right;

        JavaNode(JavaNode left, JavaNode right) {
            this.left = left;
            this.right = right;
        }

        static JavaNode build(int depth) {
            return depth <= 0 ? new JavaNode(null, null) : new JavaNode(build(depth - 1), build(depth - 1));
        }

        long check() {
            return left == null ? 1 : 1 + left.check() + right.check();
        }
    }
}
