package dev.goheap.demo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.heap.HeapStats;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The README's first command: a tour of the heap and the fixed segments that prints what it does
 * and the heap's figures after each phase. (Once the collector lands, the demo becomes
 * binary-trees under the collector.)
 *
 * <p>Usage: {@code Demo [objects]}, default 1,000,000 list nodes.
 */
public final class Demo {
    /** A singly linked list node: a value and a pointer to the next node. */
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");
    static final long VALUE = NODE.offsetOf("value");
    static final long NEXT = NODE.offsetOf("next");

    /** The data segment's root: the list head and its length. */
    static final ObjectType ROOTS = ObjectType.of("Roots",
            MemoryLayout.structLayout(JAVA_LONG.withName("head"), JAVA_LONG.withName("length")), "head");
    static final long HEAD = ROOTS.offsetOf("head");
    static final long LENGTH = ROOTS.offsetOf("length");

    private Demo() {}

    public static void main(String[] args) throws InterruptedException {
        int objects = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 1_000_000;
        FixedSegments.Builder symbols = FixedSegments.builder()
                .rodataString("banner", "goheap: Go's memory model, off the Java heap")
                .data("roots", ROOTS);
        long start = System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(2L << 30).fixedSegments(symbols).build()) {
            Heap heap = rt.heap();
            FixedSegments fixed = rt.fixedSegments();
            Symbol banner = fixed.symbol("banner");
            Symbol roots = fixed.symbol("roots");
            System.out.println(fixed.rodata(banner).getString(0, StandardCharsets.UTF_8));
            System.out.printf("fixed segments: rodata %d bytes, data %d bytes, symbols %s%n",
                    fixed.rodataByteSize(), fixed.dataByteSize(), fixed.symbols());
            try {
                fixed.setByte(banner, 0, (byte) 'G');
            } catch (UnsupportedOperationException e) {
                System.out.println("rodata is read-only: " + e.getMessage());
            }
            print("empty", heap);

            // 1. A linked list of typed objects, hung off a pointer slot in the data segment.
            long head = 0;
            for (int i = 0; i < objects; i++) {
                long node = heap.newObject(NODE);
                heap.setLong(node, VALUE, i);
                heap.writePointer(node, NEXT, head);
                head = node;
            }
            fixed.writePointer(roots, HEAD, head);
            fixed.setLong(roots, LENGTH, objects);
            print("list of " + objects + " nodes", heap);
            long sum = 0;
            for (long p = fixed.readPointer(roots, HEAD); p != 0; p = heap.readPointer(p, NEXT)) {
                sum += heap.getLong(p, VALUE);
            }
            System.out.printf("  walked the list from data symbol 'roots': sum of values %d (expected %d)%n",
                    sum, (long) objects * (objects - 1) / 2);

            // 2. Mixed sizes from several virtual threads; each frees half of another's objects.
            int threads = 4;
            List<long[]> perThread = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] mine = new long[objects / 8];
                perThread.add(mine);
                int seed = t;
                workers.add(Thread.ofVirtual().start(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < mine.length; i++) {
                        mine[i] = heap.allocate(random.nextInt(100) < 99 ? 1 + random.nextInt(1024)
                                : 32_769 + random.nextInt(32_768));
                    }
                    heap.releaseThreadCache();
                }));
            }
            join(workers);
            print("plus " + threads * (objects / 8) + " mixed-size blocks from " + threads + " virtual threads", heap);
            workers.clear();
            for (int t = 0; t < threads; t++) {
                long[] theirs = perThread.get((t + 1) % threads);
                workers.add(Thread.ofVirtual().start(() -> {
                    for (long p : theirs) {
                        heap.free(p);
                    }
                    heap.releaseThreadCache();
                }));
            }
            join(workers);
            print("after other threads freed every block", heap);

            // 3. Free the list, then give idle chunks back to the OS.
            for (long p = fixed.readPointer(roots, HEAD); p != 0; ) {
                long next = heap.readPointer(p, NEXT);
                heap.free(p);
                p = next;
            }
            fixed.writePointer(roots, HEAD, 0);
            heap.releaseThreadCache();
            print("after freeing the list", heap);
            System.out.printf("  scavenged %d bytes back to the OS%n", heap.scavenge());
            heap.verify();
            print("after scavenge (heap verified)", heap);
        }
        System.out.printf("runtime closed: every byte released; %.1f ms in all%n", (System.nanoTime() - start) / 1e6);
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void print(String phase, Heap heap) {
        HeapStats s = heap.stats();
        System.out.printf("%s%n  HeapSys %s  HeapInuse %s  HeapIdle %s  HeapReleased %s  HeapObjects %d  Mallocs %d  Frees %d  chunks %d%n",
                phase, mib(s.heapMappedBytes()), mib(s.heapInUseBytes()), mib(s.heapIdleBytes()),
                mib(s.heapReleasedBytes()), s.liveObjects(), s.mallocs(), s.frees(), s.chunkCount());
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
