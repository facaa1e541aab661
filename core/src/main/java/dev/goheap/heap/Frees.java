package dev.goheap.heap;

import static dev.goheap.heap.ObjectChecks.spanOf;

/**
 * The free paths behind {@link Heap#free} (package-info, "Free"): the owner's small free, the
 * checks that find out which exception a refused pointer gets, frees into spans of other
 * threads through their central list, and large objects.
 *
 * <p>Why static methods that take the heap, as {@link ObjectChecks}: {@link #free} is the fast
 * path, which the JIT inlines into {@code Heap.free} as it did when it was its body.
 */
final class Frees {
    private Frees() {}

    /** {@link Heap#free}. */
    static void free(Heap heap, long p) {
        // The common case, small enough to inline: the calling thread owns the span.
        Span s = heap.chunks.spanInUse(p);
        if (s != null && s.state == Span.SMALL && s.ownerPlain() == Thread.currentThread()) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot >= 0 && s.clearSlot(slot)) {
                if (heap.cycle.allocateBlack) {
                    SpanMarks.mark(s, slot); // the owner may hand the slot out again while marking: black
                }
                return;
            }
        }
        freeChecked(heap, p, s); // a failed clearSlot changed nothing: this path finds the error again
    }

    /** Frees {@code p}, found in {@code s} by {@link #free}'s lookup (null: no span in use), or throws. */
    private static void freeChecked(Heap heap, long p, Span s) {
        if (s == null) {
            heap.checkOpen(); // a closed heap has no chunks: every pointer gets here
            s = spanOf(heap, p, "free"); // throws
        }
        if (s.state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot < 0) {
                throw HeapErrors.notAnObject("free", p, "it points inside an object");
            }
            if (s.ownerPlain() == Thread.currentThread()) {
                if (!s.clearSlot(slot)) {
                    throw HeapErrors.doubleFree(p);
                }
                if (heap.cycle.allocateBlack) {
                    SpanMarks.mark(s, slot); // as in free
                }
                return;
            }
            freeRemote(heap, s, slot, p);
        } else {
            heap.large.free(s, p);
        }
    }

    private static void freeRemote(Heap heap, Span s, int slot, long p) {
        int spanClass = s.spanClass;
        if (spanClass < 2) {
            throw HeapErrors.notAnObject("free", p, "its span was freed");
        }
        CentralList central = heap.centrals[spanClass];
        ThreadCache adopter = heap.caches.getIfCached();
        SpinLocks.lock(central.lock);
        try {
            // Recheck under the lock: a span changes class or state only under its class's lock,
            // so if it still is SMALL in this class it cannot change until we unlock.
            if (s.state != Span.SMALL || s.spanClass != spanClass || !s.contains(s.chunk, p)) {
                throw HeapErrors.notAnObject("free", p, "its span was freed");
            }
            if (!central.freeLocked(s, slot, adopter)) {
                throw HeapErrors.doubleFree(p);
            }
        } finally {
            central.lock.unlock();
        }
    }
}
