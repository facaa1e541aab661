package dev.goheap.gc;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An assist ends at the first batch boundary after a stop is requested (Assists' class note), so
 * that its goroutine reaches its next poll within one batch rather than within its slice. Driven
 * by hand as in {@link AssistsParkTest}: the grey set is {@link #GREYS} cells, each with a white
 * child that its scan marks (an assist counts the bytes it marks), enough for a long assist, and
 * the slice ({@code maxAssist}) is 30 s, so only the stop can end the assist early.
 */
class AssistsStopTest {
    static final ObjectType CELL = ObjectType.of("Cell", MemoryLayout.structLayout(JAVA_LONG.withName("ref")), "ref");
    static final long REF = CELL.offsetOf("ref");
    static final int GREYS = 20_000;
    static final long CYCLE = 1;

    /** Marks with a pending stop when {@code stopPending}, else with none; returns the bytes the assist marked. */
    private static long assistOnce(boolean stopPending) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(64L << 20).build()) {
            Heap heap = rt.heap();
            HeapForGc gc = GcAccess.of(heap);
            long[] cells = new long[GREYS];
            rt.go(() -> {
                for (int i = 0; i < GREYS; i++) {
                    cells[i] = heap.newObject(CELL);
                    heap.writePointer(cells[i], REF, heap.newObject(CELL)); // each scan marks one child
                }
            }).join();
            WorkQueue greys = new WorkQueue();
            Barrier barrier = new Barrier(gc, greys, () -> {});
            MarkWork work = new MarkWork();
            AssistQueue queue = new AssistQueue();
            Marker marker = new Marker(gc, greys, barrier, work, queue);
            GcConfig config = GcConfig.builder().maxAssist(Duration.ofSeconds(30)).build();
            Assists assists = new Assists(gc, barrier, marker, work, queue, rt.safepoints(), config,
                    Thread.currentThread(), Long.MAX_VALUE);
            gc.startMark();
            for (long c : cells) {
                barrier.shade(c);
            }
            barrier.flushCurrent(); // this thread's greys into the shared grey set
            assists.beginCycle(CYCLE, 1, 2, GREYS * 8L, GREYS * 8L); // past a 1-byte goal: a large debt
            Safepoints sp = rt.safepoints();
            CompletableFuture<Boolean> stop = new CompletableFuture<>();
            Goroutine g = rt.go(() -> {
                if (stopPending) {
                    Thread.ofPlatform().start(() -> {
                        boolean stopped = sp.stopTheWorld(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                        if (stopped) {
                            sp.startTheWorld();
                        }
                        stop.complete(stopped);
                    });
                    while (!sp.actionPending()) {
                        Thread.onSpinWait();
                    }
                }
                assists.charge(1L << 30); // a refill's charge, with the stop pending or not
                sp.poll(); // the next allocation's poll: the stop (if any) completes here
            });
            g.join();
            if (stopPending) {
                assertTrue(stop.get(30, TimeUnit.SECONDS), "the stop reached the goroutine's poll");
            }
            assertEquals(1, assists.count(), "one assist");
            gc.finishMark();
            gc.finishSweep();
            heap.verify();
            return assists.workBytes();
        }
    }

    @Test
    void shouldEndAnAssistAtTheFirstBatchBoundaryWhenAStopIsPending() throws Exception {
        long withoutStop = assistOnce(false);
        long withStop = assistOnce(true);
        assertTrue(withoutStop >= 8L * GREYS, "with no stop, the assist marks the whole grey set: " + withoutStop);
        assertTrue(withStop > 0 && withStop <= 8L * 2 * Assists.BATCH,
                "with a stop pending, one batch (two at most, counting a race with the request): " + withStop);
    }
}
