package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.Mmu;
import dev.goheap.heap.Heap;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's tour of the collector, kept compiling and true. */
class CollectorTourTest {
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right")), "left", "right");
    static final long LEFT = NODE.offsetOf("left");
    static final FrameType TREE = FrameType.of("tree", MemoryLayout.structLayout(JAVA_LONG.withName("root")), "root");
    static final long ROOT = TREE.offsetOf("root");

    @Test
    void shouldRunTheReadmeTourWhenUsedAsShown() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(4L << 30).build();
             Collector gc = Collector.start(rt, GcConfig.builder().gogc(100).gctrace(true)
                     .pauseBudget(Duration.ofMillis(10), Duration.ofMillis(50))   // the bound (the defaults)
                     .pauseGoal(Duration.ofMillis(1))                              // what each pause is planned for
                     .build())) {
            Heap heap = rt.heap();
            long start = System.nanoTime();
            rt.go(() -> {
                Stack stack = Goroutine.current().stack();
                long f = stack.push(TREE);                   // a frame slot is a root
                long root = heap.newObject(NODE);            // allocation is a safepoint: keep pointers
                stack.writePointer(f, ROOT, root);           //   in roots, not only in Java locals
                long child = heap.newObject(NODE);
                heap.writePointer(root, LEFT, child);        // reachable through root from here on
                long handle = gc.pin(child);                 // or pin it (cgo's handles)
                gc.unpin(handle);
                stack.pop(f);                                // the tree is garbage now
                gc.gc();                                     // a whole cycle, swept, before it returns
            }).join();
            MemStats m = gc.memStats();                      // Go's runtime.MemStats, pauses included
            double mmu50 = Mmu.mmu(gc.pauses().snapshot(), start, System.nanoTime(), 50_000_000);
            gc.longestPause().ifPresent(System.out::println); // where the longest pause's time went
            assertEquals(1, m.numGc());
            assertEquals(0, m.heapObjects());
            assertTrue(mmu50 >= 0 && mmu50 <= 1);
            assertTrue(m.recentPausesNanos().size() >= 2);
            assertTrue(gc.longestPause().orElseThrow().lengthNanos() >= m.recentPausesNanos().get(0));
        }
    }
}
