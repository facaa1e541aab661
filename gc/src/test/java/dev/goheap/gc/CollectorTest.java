package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.sched.SafepointStats;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollectorTest {
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next"),
                    JAVA_LONG.withName("other")), "next", "other");
    static final long VALUE = NODE.offsetOf("value");
    static final long NEXT = NODE.offsetOf("next");
    static final long OTHER = NODE.offsetOf("other");
    static final FrameType FRAME = FrameType.of("frame",
            MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_LONG.withName("b")), "a", "b");
    static final long A = FRAME.offsetOf("a");
    static final long B = FRAME.offsetOf("b");
    static final ObjectType ROOTS = ObjectType.of("Roots",
            MemoryLayout.structLayout(JAVA_LONG.withName("list")), "list");

    static GoRuntime runtime(long heapLimit) {
        return GoRuntime.builder().heapLimitBytes(heapLimit).scavengeRetainBytes(0)
                .fixedSegments(FixedSegments.builder().data("roots", ROOTS)).build();
    }

    /** Builds a list of {@code n} nodes, values {@code 0..n-1}, kept in frame slot {@code slot}. */
    static void buildList(Heap heap, Stack stack, long frame, long slot, int n) {
        for (int i = n - 1; i >= 0; i--) {
            long node = heap.newObject(NODE); // a safepoint: the list must already be in the frame
            heap.setLong(node, VALUE, i);
            heap.writePointer(node, NEXT, stack.readPointer(frame, slot));
            stack.writePointer(frame, slot, node);
        }
    }

    static long checksum(Heap heap, long list) {
        long sum = 0;
        long count = 0;
        for (long p = list; p != 0; p = heap.readPointer(p, NEXT)) {
            sum = sum * 31 + heap.getLong(p, VALUE);
            count++;
        }
        return sum ^ (count << 48);
    }

    static long expectedChecksum(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum = sum * 31 + i;
        }
        return sum ^ ((long) n << 48);
    }

    @Test
    void shouldFreeUnreachableAndKeepReachableObjectsWhenCollecting() throws Exception {
        try (GoRuntime rt = runtime(256L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            AtomicLong sums = new AtomicLong();
            Goroutine g = rt.go(() -> {
                Stack stack = Goroutine.current().stack();
                long f = stack.push(FRAME);
                buildList(heap, stack, f, A, 1000);
                buildList(heap, stack, f, B, 500);
                stack.writePointer(f, B, 0); // the second list is garbage now
                gc.gc();
                gc.gc();
                sums.set(checksum(heap, stack.readPointer(f, A)));
                assertEquals(1000, heap.stats().liveObjects() - stackObjects(rt));
                stack.pop(f);
            });
            g.join();
            assertEquals(expectedChecksum(1000), sums.get());
            gc.gc();
            assertEquals(0, heap.stats().liveObjects() - stackObjects(rt));
            gc.close();
            heap.verify();
        }
    }

    /** Live objects that are goroutine stacks (kept by their goroutines, not by the collector). */
    static long stackObjects(GoRuntime rt) {
        return rt.stats().goroutines().stackBlocks();
    }

    @Test
    void shouldKeepGraphsThroughDataSlotsFramesAndPinsOverManyCycles() throws Exception {
        try (GoRuntime rt = runtime(256L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            FixedSegments fixed = rt.fixedSegments();
            Symbol roots = fixed.symbol("roots");
            Goroutine g = rt.go(() -> {
                Stack stack = Goroutine.current().stack();
                long f = stack.push(FRAME);
                buildList(heap, stack, f, A, 300);
                fixed.writePointer(roots, 0, stack.readPointer(f, A)); // list 1: data
                stack.writePointer(f, A, 0);
                buildList(heap, stack, f, A, 200);                      // list 2: frame (A)
                buildList(heap, stack, f, B, 100);
                long pin = gc.pin(stack.readPointer(f, B));             // list 3: pin
                stack.writePointer(f, B, 0);
                long cyclic = heap.newObject(NODE);                     // a cycle through the frame
                heap.writePointer(cyclic, OTHER, cyclic);
                heap.setLong(cyclic, VALUE, 77);
                long f2 = stack.push(FRAME);
                stack.writePointer(f2, A, cyclic);
                for (int i = 0; i < 20; i++) {
                    for (int j = 0; j < 2000; j++) {
                        heap.newObject(NODE); // garbage
                    }
                    gc.gc();
                    assertEquals(expectedChecksum(300), checksum(heap, fixed.readPointer(roots, 0)));
                    assertEquals(expectedChecksum(200), checksum(heap, stack.readPointer(f, A)));
                    assertEquals(expectedChecksum(100), checksum(heap, gc.pinned(pin)));
                    long c = stack.readPointer(f2, A);
                    assertEquals(77, heap.getLong(c, VALUE));
                    assertEquals(c, heap.readPointer(c, OTHER));
                }
                stack.pop(f2);
                gc.gc(); // the popped frame's cycle is collectable now
                assertEquals(600, heap.stats().liveObjects() - stackObjects(rt));
                gc.unpin(pin);
                fixed.writePointer(roots, 0, 0);
                stack.pop(f);
                gc.gc();
                assertEquals(0, heap.stats().liveObjects() - stackObjects(rt));
            });
            g.join();
            assertTrue(gc.cycles() >= 22, "cycles: " + gc.cycles());
            gc.close();
            heap.verify();
        }
    }

    @Test
    void shouldTriggerCyclesFromHeapGrowthWhenGogcIsSet() throws Exception {
        try (GoRuntime rt = runtime(1L << 30); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            rt.go(() -> {
                for (int i = 0; i < 2_000_000; i++) {
                    heap.newObject(NODE); // 24 B each: ~48 MB of garbage, goal 4 MiB
                }
            }).join();
            assertTrue(gc.cycles() >= 3, "cycles: " + gc.cycles());
            assertTrue(heap.stats().heapInUseBytes() < (64L << 20), "in use: " + heap.stats().heapInUseBytes());
        }
    }

    @Test
    void shouldNotTriggerCyclesWhenGogcIsOff() throws Exception {
        try (GoRuntime rt = runtime(1L << 30);
             Collector gc = Collector.start(rt, GcConfig.builder().gogcOff().build())) {
            Heap heap = rt.heap();
            rt.go(() -> {
                for (int i = 0; i < 300_000; i++) {
                    heap.newObject(NODE);
                }
            }).join();
            assertEquals(0, gc.cycles());
            gc.gc();
            assertEquals(1, gc.cycles());
            assertEquals(0, heap.stats().liveObjects() - stackObjects(rt));
        }
    }

    @Test
    void shouldCollectThenThrowOutOfHeapMemoryAndStayUsableWhenTheLimitIsReached() throws Exception {
        try (GoRuntime rt = runtime(32L << 20);
             Collector gc = Collector.start(rt, GcConfig.builder().gogcOff().build())) {
            Heap heap = rt.heap();
            rt.go(() -> {
                // Garbage beyond the limit: the forced cycles make room, no exception.
                for (int i = 0; i < 3_000_000; i++) {
                    heap.newObject(NODE);
                }
                Stack stack = Goroutine.current().stack();
                long f = stack.push(FRAME);
                OutOfHeapMemoryException e = assertThrows(OutOfHeapMemoryException.class,
                        () -> buildList(heap, stack, f, A, 10_000_000)); // all reachable
                assertEquals(32L << 20, e.limitBytes());
                stack.writePointer(f, A, 0);
                gc.gc();
                buildList(heap, stack, f, A, 1000); // usable again
                assertEquals(expectedChecksum(1000), checksum(heap, stack.readPointer(f, A)));
                stack.pop(f);
            }).join();
            assertTrue(gc.memStats().numForcedGc() >= 2);
            gc.close();
            heap.verify();
        }
    }

    @Test
    void shouldWarmUpTheStopsAtStartAndLeaveNoFigureAndNoGoroutineBehind() throws Exception {
        try (GoRuntime rt = runtime(64L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            SafepointStats s = rt.safepoints().stats();
            assertEquals(0, s.stops(), "the warm-up's stops are forgotten: " + s);
            assertEquals(0, s.stopTimeouts(), "the warm-up's miss is forgotten: " + s);
            assertEquals(null, rt.safepoints().worstStopReport());
            assertEquals(0, rt.safepoints().mutatorCount(), "the warm-up's goroutines ended");
            assertEquals(0, gc.pauses().count(), "no warm-up stop is a collector's pause");
            Goroutine first = rt.go(() -> {});
            first.join();
            assertTrue(first.id() > 2, "the warm-up ran two goroutines of its own first (the missed stop's,"
                    + " the handed-off stops'): " + first.id());
            gc.gc(); // the collector works after it
            assertTrue(rt.safepoints().stats().stops() > 0);
        }
    }

    @Test
    void shouldSkipTheWarmUpWhenGoroutinesRunOrStopsWereCountedAlready() throws Exception {
        try (GoRuntime rt = runtime(64L << 20)) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicBoolean started = new AtomicBoolean();
            Goroutine running = rt.go(() -> {
                started.set(true); // registered with the safepoints: its task runs
                while (!done.get()) {
                    rt.safepoints().poll();
                }
            });
            while (!started.get()) {
                Thread.onSpinWait();
            }
            try (Collector gc = Collector.start(rt, GcConfig.defaults())) {
                // A warm-up would have stopped the running goroutine too (outside the pause
                // record); it would also have started a goroutine of its own, taking an id.
                Goroutine next = rt.go(() -> {});
                next.join();
                assertEquals(running.id() + 1, next.id(), "no warm-up goroutine with a goroutine running");
            } finally {
                done.set(true);
                running.join();
            }
        }
        try (GoRuntime rt = runtime(64L << 20)) {
            assertTrue(rt.safepoints().stopTheWorld(System.nanoTime() + 1_000_000_000L));
            rt.safepoints().startTheWorld();
            try (Collector gc = Collector.start(rt, GcConfig.defaults())) {
                assertEquals(1, rt.safepoints().stats().stops(), "the user's stop is still counted");
            }
        }
    }

    @Test
    void shouldRefuseAThreadThatIsNoGoroutineWhenACollectorRuns() {
        try (GoRuntime rt = runtime(64L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.heap().allocate(16));
            assertTrue(e.getMessage().contains("not a goroutine"), e.getMessage());
            gc.close();
            rt.heap().verify();
        }
    }
}
