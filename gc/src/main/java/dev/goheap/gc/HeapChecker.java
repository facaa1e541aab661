package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.stack.Goroutine;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The checking mode ({@link GcConfig#checking}): after a cycle has swept everything, with the
 * world stopped, walks the whole graph from the roots again and reports the first pointer that
 * does not lead to a live object: an object the collector freed although it was reachable, or a
 * dangling pointer (a slot still holding a freed object). The report names the pointer and the
 * slot that held it. Slow (a Java set of every reachable object): for tests and debugging.
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
     * description of the first one that is not.
     *
     * @param goroutines every registered goroutine, stopped or parked, whose stack may be read
     */
    String check(List<Goroutine> goroutines) {
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
                if (slot[3] == 2) {
                    return; // a stack slot may hold a pointer into its own stack
                }
                failure[0] = String.format("pointer 0x%x in %s: %s", p, describe(slot), e.getMessage());
                return;
            }
            seen.add(p);
            todo.push(slot);
        };
        FixedSegments data = runtime.fixedSegments();
        data.forEachPointerSlot(offset -> visit.accept(new long[] {data.readPointerAt(offset), 0, offset, 1}));
        pins.forEach(p -> visit.accept(new long[] {p, 0, 0, 3}));
        for (Goroutine g : goroutines) {
            g.forEachStackPointerSlot((handle, offset, value) ->
                    visit.accept(new long[] {value, g.id(), offset, 2}));
        }
        while (!todo.isEmpty() && failure[0] == null) {
            long object = todo.pop()[0];
            long[] fieldOffset = {0};
            heapGc.scan(object, value -> visit.accept(new long[] {value, object, fieldOffset[0]++, 0}));
        }
        return failure[0];
    }

    private static String describe(long[] slot) {
        return switch ((int) slot[3]) {
            case 0 -> String.format("a pointer field (#%d) of heap object 0x%x", slot[2], slot[1]);
            case 1 -> "data slot at offset " + slot[2];
            case 2 -> "a frame slot (offset " + slot[2] + ") of goroutine " + slot[1];
            default -> "a pin";
        };
    }
}
