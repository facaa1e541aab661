package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import org.junit.jupiter.api.Test;

/**
 * The collector's scavenger goal (Go's {@code gcPercentGoal}): after a cycle, fully free chunks
 * stay mapped up to the heap goal plus 10 %, though the runtime retains no idle bytes of its own
 * ({@code scavengeRetainBytes(0)}); past it they still go back to the OS.
 */
class ScavengeGoalTest {
    private static final long MIB = 1 << 20;
    private static final long CHUNK = 4 * MIB;
    /** 256 KiB with a pointer: a large object, too big for a stripe's cache, freed to the page heap. */
    private static final ObjectType BLOCK = ObjectType.of("Block",
            MemoryLayout.structLayout(JAVA_LONG.withName("next"), MemoryLayout.sequenceLayout(32 * 1024 - 1, JAVA_LONG)
                    .withName("payload")), "next");
    private static final long NEXT = BLOCK.offsetOf("next");

    @Test
    void shouldKeepFreeChunksUpToTheGoalAfterACycle() throws InterruptedException {
        long liveBytes = 40 * MIB;
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30).scavengeRetainBytes(0).build();
             Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            long[] mapped = new long[1];
            rt.go(() -> {
                long pin = pinnedListAndGarbage(heap, gc, liveBytes);
                gc.gc(); // marks the 40 MiB: goal 80 MiB, kept up to 88 MiB; sweeps the garbage
                mapped[0] = heap.stats().heapMappedBytes();
                gc.unpin(pin);
            }).join();
            // Without the goal, the sweep gives back every chunk the garbage left wholly free:
            // about the live bytes stay mapped (and a spare chunk). With it, about 88 MiB.
            assertTrue(mapped[0] >= liveBytes + 24 * MIB, "mapped " + mapped[0] / MIB + " MiB after the cycle (expected:"
                    + " the free chunks kept up to about 88 MiB)");
            assertTrue(mapped[0] <= 100 * MIB, "mapped " + mapped[0] / MIB + " MiB after the cycle (expected: at most"
                    + " the goal plus 10 % and a chunk or two)");
        }
    }

    /**
     * Between cycles the collector gives back, a chunk at a time, the fully free chunks kept
     * while an earlier cycle's goal was higher, once a later cycle has lowered the goal: here
     * with no gc() call after that cycle and no allocation. (How many chunks stay kept that long
     * varies: the paced cycle's allocations reuse some. Without the collector's scavenging
     * between cycles, 20-52 MiB stayed mapped against a 4-6 MiB goal in 3 of 4 runs.)
     */
    @Test
    void shouldGiveBackChunksKeptUnderAnEarlierGoalBetweenCycles() throws InterruptedException {
        long liveBytes = 100 * MIB;
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30).scavengeRetainBytes(0).build();
             Collector gc = Collector.start(rt, GcConfig.defaults())) {
            Heap heap = rt.heap();
            rt.go(() -> {
                long pin = pinnedListAndGarbage(heap, gc, liveBytes);
                gc.gc(); // marks 100 MiB: goal 200 MiB, kept up to 220: the garbage's chunks stay, free
                gc.unpin(pin); // the list is garbage too
                long cycles = gc.memStats().numGc();
                while (gc.memStats().numGc() < cycles + 1) {
                    heap.allocate(BLOCK.byteSize()); // garbage up to the trigger: a paced cycle lowers the goal
                }
            }).join();
            long deadline = System.nanoTime() + 10_000_000_000L;
            long goal;
            long mapped;
            do {
                Thread.sleep(10);
                MemStats m = gc.memStats();
                goal = m.nextGcBytes() + m.nextGcBytes() / 10;
                mapped = m.heapSysBytes();
            } while (mapped > goal + 2 * CHUNK && System.nanoTime() < deadline);
            assertTrue(mapped <= goal + 2 * CHUNK, "mapped " + mapped / MIB + " MiB with no cycle running (expected: at"
                    + " most the scavenger's goal, " + goal / MIB + " MiB, and a chunk or two)");
        }
    }

    /**
     * On a goroutine: a list of BLOCKs of {@code liveBytes}, pinned, then 100 MiB of garbage;
     * returns the pin.
     */
    private static long pinnedListAndGarbage(Heap heap, Collector gc, long liveBytes) {
        long first = heap.newObject(BLOCK);
        long pin = gc.pin(first); // pinned before the next safepoint: the list's root
        long last = first;
        for (long bytes = BLOCK.byteSize(); bytes < liveBytes; bytes += BLOCK.byteSize()) {
            long next = heap.newObject(BLOCK);
            heap.writePointer(last, NEXT, next);
            last = next;
        }
        for (int i = 0; i < 400; i++) {
            heap.allocate(BLOCK.byteSize()); // 100 MiB of garbage
        }
        return pin;
    }
}
