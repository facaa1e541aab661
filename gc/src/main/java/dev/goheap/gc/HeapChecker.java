package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.Safepoints;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The checking mode ({@link GcConfig#checking}): at mark termination, world stopped, marking
 * done and nothing swept yet, walks the whole graph from the roots again and reports the first
 * pointer that does not lead to a live, marked object: an unmarked one is an object the sweep
 * would free although it is reachable (a lost object: a collector bug), a free one is a
 * dangling pointer (a slot still holding an object freed by hand). The report names the pointer
 * and the slot that held it. Slow (a Java set of every reachable object): for tests and debugging.
 *
 * <p><b>Thread safety:</b> collector thread, world stopped.
 */
final class HeapChecker {
    private final GoRuntime runtime;
    private final HeapForGc heapGc;
    private final Pins pins;

    HeapChecker(GoRuntime runtime, HeapForGc heapGc, Pins pins) {
        this.runtime = runtime;
        this.heapGc = heapGc;
        this.pins = pins;
    }

    /**
     * Walks the graph; returns null if every reachable pointer is a live object, else a
     * description of the first one that is not. The world must be stopped by the calling
     * thread: the handshake then visits every goroutine's stack on this thread.
     */
    String check(Safepoints safepoints) {
        Heap heap = runtime.heap();
        Set<Long> seen = new HashSet<>();
        ArrayDeque<long[]> todo = new ArrayDeque<>(); // {pointer, holder, offset, kind}
        String[] failure = new String[1];
        Consumer<long[]> visit = slot -> {
            long p = slot[0];
            if (p == 0 || failure[0] != null || seen.contains(p)) {
                return;
            }
            try {
                heap.checkPointer(p);
            } catch (IllegalArgumentException e) {
                if (slot[3] == 2 && e instanceof dev.goheap.PointerEscapeException) {
                    return; // a stack slot may hold a pointer into its own stack
                }
                failure[0] = String.format("dangling pointer 0x%x in %s: %s", p, describe(slot), e.getMessage());
                return;
            }
            if (!heapGc.isMarked(p)) {
                failure[0] = String.format("reachable object 0x%x, held by %s, is not marked: the sweep would free it",
                        p, describe(slot));
                return;
            }
            seen.add(p);
            todo.push(slot);
        };
        FixedSegments data = runtime.fixedSegments();
        data.forEachPointerSlot(offset -> visit.accept(new long[] {data.readPointerAt(offset), 0, offset, 1}));
        pins.forEach(p -> visit.accept(new long[] {p, 0, 0, 3}));
        safepoints.handshake(g -> g.forEachStackPointerSlot((handle, offset, value) ->
                visit.accept(new long[] {value, g.id(), offset, 2})), Long.MAX_VALUE);
        while (!todo.isEmpty() && failure[0] == null) {
            long object = todo.pop()[0];
            heapGc.scanFields(object, (offset, value) -> visit.accept(new long[] {value, object, offset, 0}));
        }
        return failure[0];
    }

    private static String describe(long[] slot) {
        return switch ((int) slot[3]) {
            case 0 -> String.format("the pointer field at offset %d of heap object 0x%x", slot[2], slot[1]);
            case 1 -> "data slot at offset " + slot[2];
            case 2 -> "a frame slot (offset " + slot[2] + ") of goroutine " + slot[1];
            default -> "a pin";
        };
    }
}
