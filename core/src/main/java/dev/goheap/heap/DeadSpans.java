package dev.goheap.heap;

/**
 * The page heap's recycled span objects: a run merged into its neighbour or a chunk given back
 * kills a span object, and the next split of a free run takes one, so that the page heap's churn
 * allocates no Java objects. Linked through {@link Span#next}.
 *
 * <p>How many are kept: one per mapped page at most, which bounds them by the spans the heap can
 * hold at once (each covers a page or more), and {@value #MIN_KEPT} at least. Why so many: a
 * cycle's sweep frees and coalesces thousands of spans (each merge kills one object) and the
 * next allocations split as many runs (each split needs one); with a fixed 1024, the surplus was
 * dropped and then made again, with four bitmaps each: ~250 MB of Java heap per depth-20
 * binary-trees run (JFR allocation samples), the JVM's only collections during it.
 *
 * <p><b>Thread safety:</b> guarded by the page heap's lock, like every {@code ...Locked} method of
 * {@link PageHeap}.
 * <p><b>Ownership:</b> the page heap's.
 */
final class DeadSpans {
    static final int MIN_KEPT = 1024;

    private Span first;
    private int count;

    /** Returns a span object for the run: a recycled one reset to it, else a new one. */
    Span take(Chunk chunk, int startPage, int pageCount) {
        Span s = first;
        if (s == null) {
            return new Span(chunk, startPage, pageCount);
        }
        first = s.next;
        count--;
        s.next = null;
        s.reset(chunk, startPage, pageCount);
        return s;
    }

    /** Marks {@code s} dead and keeps it for reuse, if fewer than the cap for {@code mappedBytes} are kept. */
    void kill(Span s, long mappedBytes) {
        s.state = Span.DEAD;
        if (count < cap(mappedBytes)) {
            s.next = first;
            first = s;
            count++;
        }
    }

    /** Drops kept objects past the cap: fewer pages mapped need fewer of them. */
    void trim(long mappedBytes) {
        for (int cap = cap(mappedBytes); count > cap; count--) {
            Span s = first;
            first = s.next;
            s.next = null;
        }
    }

    /** Returns how many span objects wait for reuse. */
    int count() {
        return count;
    }

    private static int cap(long mappedBytes) {
        return (int) Math.max(MIN_KEPT, Math.min(Integer.MAX_VALUE, mappedBytes >>> SizeClasses.PAGE_SHIFT));
    }
}
