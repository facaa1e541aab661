package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Several goroutines insert, delete and rewire nodes of one shared random graph (hung off data
 * slots and their own frames) while the collector runs cycle after cycle in checking mode: every
 * cycle's termination walks the graph and fails if a reachable object is unmarked or freed.
 * Every node carries a check word derived from its address, verified on every visit.
 */
class TortureTest {
    static final int ROOT_SLOTS = 32;
    static final ObjectType NODE = ObjectType.of("Node", MemoryLayout.structLayout(
            JAVA_LONG.withName("check"), JAVA_LONG.withName("a"), JAVA_LONG.withName("b"), JAVA_LONG.withName("c")),
            "a", "b", "c");
    static final long CHECK = NODE.offsetOf("check");
    static final long[] FIELDS = {NODE.offsetOf("a"), NODE.offsetOf("b"), NODE.offsetOf("c")};
    static final ObjectType ROOTS;
    static final FrameType LOCALS = FrameType.of("locals",
            MemoryLayout.structLayout(JAVA_LONG.withName("x"), JAVA_LONG.withName("y")), "x", "y");
    static final long X = LOCALS.offsetOf("x");

    static {
        MemoryLayout[] slots = new MemoryLayout[ROOT_SLOTS];
        String[] names = new String[ROOT_SLOTS];
        for (int i = 0; i < ROOT_SLOTS; i++) {
            names[i] = "r" + i;
            slots[i] = JAVA_LONG.withName(names[i]);
        }
        ROOTS = ObjectType.of("Roots", MemoryLayout.structLayout(slots), names);
    }

    static long checkWord(long p) {
        return p * 0x9E3779B97F4A7C15L ^ 0x5DEECE66DL;
    }

    @Test
    void shouldLoseNothingWhenGoroutinesRewireAGraphUnderContinuousCheckedCycles() throws Exception {
        long seed = Long.getLong("goheap.seed", System.nanoTime());
        int workers = 3;
        long targetCycles = Long.getLong("goheap.tortureCycles", 2000);
        GcConfig config = GcConfig.builder().gogc(25).checking(true).build();
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30).scavengeRetainBytes(0)
                .fixedSegments(FixedSegments.builder().data("graph", ROOTS)).build();
             Collector gc = Collector.start(rt, config)) {
            Heap heap = rt.heap();
            FixedSegments fixed = rt.fixedSegments();
            Symbol graph = fixed.symbol("graph");
            Safepoints sp = rt.safepoints();
            ReentrantLock lock = new ReentrantLock();
            AtomicBoolean done = new AtomicBoolean();
            Thread forcer = Thread.ofPlatform().name("forcer").start(() -> {
                while (!done.get()) {
                    gc.gc(); // back-to-back cycles on top of the paced ones
                }
            });
            List<Goroutine> gs = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                SplittableRandom random = new SplittableRandom(seed + w);
                gs.add(rt.go(() -> {
                    Stack stack = Goroutine.current().stack();
                    long f = stack.push(LOCALS);
                    for (long op = 0; op < 20_000 || gc.cycles() < targetCycles; op++) {
                        sp.parked(() -> {
                            lock.lock(); // blocking outside goheap: parked, so no stop waits for us
                            return null;
                        });
                        try {
                            step(heap, fixed, graph, stack, f, random);
                        } finally {
                            lock.unlock();
                        }
                    }
                    stack.pop(f);
                }));
            }
            for (Goroutine g : gs) {
                g.join();
            }
            done.set(true);
            forcer.join();
            gc.gc();
            assertEquals(java.util.Optional.empty(), gc.checkFailure(), "seed " + seed);
            assertTrue(gc.cycles() >= targetCycles, "cycles: " + gc.cycles());
            System.out.printf("torture: seed %d, %d cycles, %d pauses, max %.3f ms%n", seed, gc.cycles(),
                    gc.pauses().count(), gc.pauses().maxNanos() / 1e6);
            gc.close();
            heap.verify();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (replay: -Dgoheap.test.argLine=-Dgoheap.seed=" + seed + ")", e);
        }
    }

    /** One random operation; the graph's lock is held. */
    static void step(Heap heap, FixedSegments fixed, Symbol graph, Stack stack, long f, SplittableRandom random) {
        int kind = random.nextInt(10);
        int rootOffset = random.nextInt(ROOT_SLOTS) * 8;
        if (kind < 4) { // insert a new node under a root or a reachable node
            long n = heap.newObject(NODE); // a safepoint; nothing of ours is only in a Java local
            heap.setLong(n, CHECK, checkWord(n));
            long parent = walk(heap, fixed.readPointer(graph, rootOffset), random);
            if (parent == 0 || random.nextInt(4) == 0) {
                heap.writePointer(n, FIELDS[0], fixed.readPointer(graph, rootOffset));
                fixed.writePointer(graph, rootOffset, n);
            } else {
                heap.writePointer(parent, FIELDS[random.nextInt(3)], n);
            }
        } else if (kind < 5) { // delete: drop a root or a field
            long node = walk(heap, fixed.readPointer(graph, rootOffset), random);
            if (node == 0 || random.nextBoolean()) {
                fixed.writePointer(graph, rootOffset, 0);
            } else {
                heap.writePointer(node, FIELDS[random.nextInt(3)], 0);
            }
        } else if (kind < 8) { // rewire: a field of one reachable node to another reachable node
            long from = walk(heap, fixed.readPointer(graph, rootOffset), random);
            long to = walk(heap, fixed.readPointer(graph, random.nextInt(ROOT_SLOTS) * 8), random);
            if (from != 0) {
                heap.writePointer(from, FIELDS[random.nextInt(3)], to);
            }
        } else if (kind < 9) { // hold a node only in our frame for a while, then hang it back
            long x = stack.readPointer(f, X);
            if (x == 0) {
                long node = fixed.readPointer(graph, rootOffset);
                stack.writePointer(f, X, node);
                fixed.writePointer(graph, rootOffset, 0);
            } else {
                long old = fixed.readPointer(graph, rootOffset);
                if (old == 0) {
                    fixed.writePointer(graph, rootOffset, x);
                } else {
                    heap.writePointer(x, FIELDS[random.nextInt(3)], old);
                    fixed.writePointer(graph, rootOffset, x);
                }
                stack.writePointer(f, X, 0);
            }
        } else { // garbage nobody keeps
            for (int i = 0; i < 20; i++) {
                heap.newObject(NODE);
            }
        }
    }

    /** Follows random fields for a few steps, checking every node; returns the last node (or 0). */
    static long walk(Heap heap, long from, SplittableRandom random) {
        long p = from;
        int steps = random.nextInt(8);
        for (int i = 0; i < steps && p != 0; i++) {
            assertEquals(checkWord(p), heap.getLong(p, CHECK), "node 0x" + Long.toHexString(p));
            long next = heap.readPointer(p, FIELDS[random.nextInt(3)]);
            if (next == 0) {
                break;
            }
            p = next;
        }
        if (p != 0) {
            assertEquals(checkWord(p), heap.getLong(p, CHECK), "node 0x" + Long.toHexString(p));
        }
        return p;
    }

    @Test
    void shouldReportADanglingPointerWhenCheckingAndAReachableObjectWasFreedByHand() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20)
                .fixedSegments(FixedSegments.builder().data("graph", ROOTS)).build();
             Collector gc = Collector.start(rt, GcConfig.builder().checking(true).build())) {
            Heap heap = rt.heap();
            FixedSegments fixed = rt.fixedSegments();
            Symbol graph = fixed.symbol("graph");
            rt.go(() -> {
                long parent = heap.newObject(NODE);
                fixed.writePointer(graph, 0, parent);
                long child = heap.newObject(NODE);
                heap.writePointer(parent, FIELDS[1], child);
                heap.free(child); // a bug in the caller: parent still points to it
            }).join();
            InternalError e = org.junit.jupiter.api.Assertions.assertThrows(InternalError.class, gc::gc);
            assertTrue(e.getMessage().contains("dangling pointer"), e.getMessage());
            assertTrue(e.getMessage().contains("the pointer field at offset 16 of heap object"), e.getMessage());
            assertFalse(gc.checkFailure().isEmpty());
        }
    }
}
