package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseSnapshot;
import dev.goheap.heap.Heap;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Mutator assists end to end: a goroutine allocates garbage as fast as it can while the
 * collector marks a large live tree at GOGC 25, so allocation outruns the collector thread.
 */
class AssistsTest {
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right")), "left", "right");
    static final long LEFT = NODE.offsetOf("left");
    static final long RIGHT = NODE.offsetOf("right");
    static final ObjectType ROOTS = ObjectType.of("Roots", MemoryLayout.structLayout(JAVA_LONG.withName("tree")), "tree");
    static final long TREE = ROOTS.offsetOf("tree");
    /** 2^19 - 1 nodes of 16 bytes: 8 MiB live, marked in tens of milliseconds, in parallel batches. */
    static final int DEPTH = 19;
    static final int MEASURED_CYCLES = 12;

    /** What one run saw. */
    record Run(MemStats stats, PauseSnapshot assists, double[] mmuStops, double[] mmuWithAssists) {}

    static Run run(boolean assists) throws Exception {
        GcConfig config = GcConfig.builder().gogc(25).assists(assists).maxAssist(Duration.ofNanos(200_000)).build();
        try (GoRuntime rt = runtimeWithLiveTree()) {
            Heap heap = rt.heap();
            FixedSegments data = rt.fixedSegments();
            Symbol roots = data.symbol("roots");
            Run[] out = new Run[1];
            try (Collector gc = Collector.start(rt, config)) {
                rt.go(() -> {
                    gc.gc(); // the goal is 1.25 times the tree from here on
                    long start = System.nanoTime();
                    long deadline = start + 30_000_000_000L;
                    long target = gc.cycles() + MEASURED_CYCLES;
                    while (gc.cycles() < target && System.nanoTime() < deadline) {
                        for (int i = 0; i < 4096; i++) {
                            heap.newObject(NODE); // garbage at once: only the allocation rate matters
                        }
                    }
                    long end = System.nanoTime();
                    long run = end - start;
                    out[0] = new Run(gc.memStats(), gc.assists().snapshot(),
                            gc.mutatorUtilisation(start, end, false, 10_000_000L, run),
                            gc.mutatorUtilisation(start, end, true, 10_000_000L, run));
                    assertTrue(gc.cycles() >= target, "cycles: " + gc.cycles() + " (expected: " + target + " within 30 s)");
                    assertEquals((1 << DEPTH) - 1, count(heap, data.readPointer(roots, TREE)), "the live tree survived");
                }).join();
            }
            return out[0];
        }
    }

    /**
     * A runtime with the live tree (2^DEPTH - 1 nodes) in data slot "roots", built before any
     * collector starts: a collector's first goal knows nothing of it.
     */
    static GoRuntime runtimeWithLiveTree() throws InterruptedException {
        GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30)
                .fixedSegments(FixedSegments.builder().data("roots", ROOTS)).build();
        try {
            Heap heap = rt.heap();
            FixedSegments data = rt.fixedSegments();
            rt.go(() -> {
                long root = heap.newObject(NODE);
                data.writePointer(data.symbol("roots"), TREE, root);
                fill(heap, root, DEPTH - 1);
            }).join();
            return rt;
        } catch (InterruptedException | RuntimeException e) {
            rt.close();
            throw e;
        }
    }

    static void fill(Heap heap, long node, int depth) {
        if (depth == 0) {
            return;
        }
        long left = heap.newObject(NODE);
        heap.writePointer(node, LEFT, left);
        long right = heap.newObject(NODE);
        heap.writePointer(node, RIGHT, right);
        fill(heap, left, depth - 1);
        fill(heap, right, depth - 1);
    }

    static long count(Heap heap, long node) {
        return node == 0 ? 0 : 1 + count(heap, heap.readPointer(node, LEFT)) + count(heap, heap.readPointer(node, RIGHT));
    }

    @Test
    void shouldAssistAndKeepTheHeapNearItsGoalWhenAllocationOutrunsMarking() throws Exception {
        Run off = run(false);
        Run on = run(true);
        String figures = String.format("assists on: %d assists, %.1f ms, %d parked %.1f ms, heap/goal max %.2f;"
                        + " off: %d assists, heap/goal max %.2f",
                on.stats().assists(), on.stats().assistTotalNanos() / 1e6, on.stats().assistParks(),
                on.stats().assistParkNanos() / 1e6, on.stats().maxHeapOverGoal(),
                off.stats().assists(), off.stats().maxHeapOverGoal());
        System.out.println("AssistsTest: " + figures);
        assertEquals(0, off.stats().assists(), figures);
        assertEquals(0, off.assists().size(), figures);
        assertTrue(on.stats().assists() > 0 && on.stats().assistTotalNanos() > 0 && on.stats().assistMarkedBytes() > 0,
                figures);
        assertTrue(off.stats().maxHeapOverGoal() > 1.2, "the control must overshoot, else the test shows nothing: " + figures);
        assertTrue(on.stats().maxHeapOverGoal() < off.stats().maxHeapOverGoal(), figures);
        // At GOGC 25 the hard goal (Go's extended goal) is 1.25 times the goal, and assists hold
        // the heap within it: past the goal, a dry assist waits parked until the collector's
        // credit pays its debt or the cycle ends (Assists' class note, Go's gcParkAssist), so
        // the goroutine cannot allocate on while the collector finishes the grey set and stops
        // the world. Without the park, 1.31 was seen on a quiet 2-CPU machine and 1.98 under
        // load; without assists, 1.7 to 3.6.
        assertTrue(on.stats().maxHeapOverGoal() <= 1.25, figures);
    }

    @Test
    void shouldCountAssistsInTheMmuAndBoundEachAssistWhenAssisting() throws Exception {
        Run on = run(true);
        PauseSnapshot busy = on.assists();
        assertTrue(busy.size() > 0, "no assist recorded");
        for (int i = 0; i < busy.size(); i++) {
            assertEquals(PauseKind.ASSIST, busy.kind(i));
        }
        // One allocating goroutine: each busy period is one assist, cut at 200 us plus one batch.
        long[] lengths = busy.lengthsNanos();
        java.util.Arrays.sort(lengths);
        assertTrue(lengths[lengths.length / 2] < 1_000_000, "median assist " + lengths[lengths.length / 2] + " ns");
        // Over the whole run, assist time is time lost on top of the stops.
        assertTrue(on.mmuWithAssists()[1] < on.mmuStops()[1],
                "utilisation with assists " + on.mmuWithAssists()[1] + " vs stops only " + on.mmuStops()[1]);
        assertTrue(on.mmuWithAssists()[0] <= on.mmuStops()[0]);
    }

    /**
     * The adaptive trigger: a goroutine allocates garbage as fast as it can at GOGC 200 beside
     * the same live tree. Allocation per byte marked is steady, and the goal leaves room for a
     * runway longer than the live heap: once the pacer has measured a few cycles, it starts
     * them early enough that the collector thread does nearly all the marking on its own.
     * Measured in work, not time: the bytes assists marked over the measured cycles, against
     * the tree's bytes (each cycle's mark work). An assist that finds the grey set momentarily
     * dry marks nothing, so the count of assists is only printed. With a fixed trigger at 70 %
     * of the way (the first cycle's, and goheap's earlier pacer) the runway is 0.6 times the
     * marked heap, too short for this allocator whenever it allocates more than 1.5 bytes per
     * byte the collector marks: on the 2-CPU build machine assists then marked 15 % of the
     * tree's bytes per cycle, against 2 to 3 % with the adaptive trigger (pin
     * {@code Pacer.trigger} to its first fraction to see this test fail). Checked: the median
     * cycle at most 6 %, and all the measured cycles together at most 10 %, since a loaded
     * machine can starve the collector thread for a cycle or two.
     */
    @Test
    void shouldAssistRarelyWhenTheTriggerHasAdaptedToASteadyAllocator() throws Exception {
        int warmUpCycles = Pacer.CONS_MARK_HISTORY;
        int measuredCycles = 16;
        long treeBytes = ((1L << DEPTH) - 1) * 16;
        GcConfig config = GcConfig.builder().gogc(200).build();
        try (GoRuntime rt = runtimeWithLiveTree()) {
            Heap heap = rt.heap();
            FixedSegments data = rt.fixedSegments();
            Symbol roots = data.symbol("roots");
            try (Collector gc = Collector.start(rt, config)) {
                rt.go(() -> {
                    gc.gc();
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    long first = gc.cycles() + warmUpCycles;
                    long last = first + measuredCycles;
                    MemStats atFirst = null;
                    long[] assistBytesAtCycleEnd = new long[measuredCycles + 1]; // sampled as each cycle ends
                    int sampled = 0;
                    while (gc.cycles() < last && System.nanoTime() < deadline) {
                        for (int i = 0; i < 4096; i++) {
                            heap.newObject(NODE); // garbage at once
                        }
                        long done = gc.cycles();
                        if (done >= first && sampled <= done - first && sampled <= measuredCycles) {
                            MemStats m = gc.memStats(); // at most one batch of allocation into the next cycle
                            if (atFirst == null) {
                                atFirst = m;
                            }
                            assistBytesAtCycleEnd[sampled++] = m.assistMarkedBytes();
                        }
                    }
                    MemStats atLast = gc.memStats();
                    assertTrue(atFirst != null && gc.cycles() >= last,
                            "cycles: " + gc.cycles() + " (expected: " + last + " within 60 s)");
                    long assistBytes = atLast.assistMarkedBytes() - atFirst.assistMarkedBytes();
                    long cycles = atLast.numGc() - atFirst.numGc();
                    double share = (double) assistBytes / (cycles * treeBytes);
                    // Per cycle, where samples of consecutive cycle ends exist: the median is what the
                    // pacer controls; a few cycles whose collector lost its CPU to the machine (the
                    // total reached 7 % twice in 30 loops at load 2.5-3) do not move it.
                    double[] perCycle = new double[Math.max(0, sampled - 1)];
                    for (int i = 0; i + 1 < sampled; i++) {
                        perCycle[i] = (double) (assistBytesAtCycleEnd[i + 1] - assistBytesAtCycleEnd[i]) / treeBytes;
                    }
                    java.util.Arrays.sort(perCycle);
                    double median = perCycle.length == 0 ? share : perCycle[perCycle.length / 2];
                    String figures = String.format("over %d cycles after %d to warm up: %d assists marked %.1f MiB,"
                                    + " %.1f %% of the tree's bytes marked per cycle (median of %d cycles %.1f %%);"
                                    + " heap/goal max %.2f", cycles, first, atLast.assists() - atFirst.assists(),
                            assistBytes / 1048576.0, 100 * share, perCycle.length, 100 * median, atLast.maxHeapOverGoal());
                    System.out.println("AssistsTest (adaptive trigger): " + figures);
                    assertTrue(median <= 0.06, figures);
                    assertTrue(share <= 0.10, figures); // a fixed 70 % trigger: 15-23 % in every cycle (median 22.7 % in session 8)
                    assertTrue(atLast.maxHeapOverGoal() <= 1.25, figures);
                    assertEquals((1 << DEPTH) - 1, count(heap, data.readPointer(roots, TREE)), "the live tree survived");
                }).join();
            }
        }
    }
}
