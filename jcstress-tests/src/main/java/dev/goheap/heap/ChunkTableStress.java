package dev.goheap.heap;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/*
 * Races on the chunk table's flat page table: lock-free lookups (any thread) against the page
 * heap's lock holder, who grows the table (a copy, then a volatile publication) and writes entries.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=ChunkTableStress
 *
 * Each state has a table of its own, with chunks over memory mapped once for the fork (lookups
 * never touch it, and no state opens an arena it would not close).
 */
public final class ChunkTableStress {
    private static final ChunkMemory TWO_PAGES = ChunkMemory.map(2L * SizeClasses.PAGE_BYTES);
    private static final ChunkMemory ONE_PAGE = ChunkMemory.map(SizeClasses.PAGE_BYTES);
    private static final int SPAN_CLASS = SizeClasses.classOf(64) << 1 | 1;

    private ChunkTableStress() {}

    @JCStressTest
    @Description("The page heap publishes a chunk past the table's 16 slots (the flat page table is "
            + "copied into one twice the size) and then maps page 1 of an older chunk to a new span, "
            + "while a reader looks up a pointer in page 0 of that chunk, mapped before the race, "
            + "and one in page 1, without a happens-before edge from its mapping.")
    @Outcome(id = {"A, B", "A, none"}, expect = ACCEPTABLE, desc = "Page 0's span found through the old "
            + "table or the copy; page 1's found if its entry was written before the read, else none.")
    @Outcome(expect = FORBIDDEN, desc = "Page 0's span lost in the copy, a span found for the wrong page, "
            + "or an exception.")
    @State
    public static class LookupDuringGrowth {
        private final ChunkTable table = new ChunkTable();
        private final Chunk chunk = new Chunk(1, TWO_PAGES);
        private final Chunk far = new Chunk(16, ONE_PAGE);
        private final Span a = inUse(chunk, 0);
        private final Span b = inUse(chunk, 1);

        public LookupDuringGrowth() {
            table.publish(chunk);
            table.setSpanOfPage(chunk, 0, a);
        }

        private static Span inUse(Chunk chunk, int page) {
            Span s = new Span(chunk, page, 1);
            s.initSmall(SPAN_CLASS, 0);
            return s;
        }

        @Actor
        public void pageHeap() {
            table.publish(far);
            table.setSpanOfPage(chunk, 1, b);
        }

        @Actor
        public void reader(LL_Result r) {
            try {
                r.r1 = name(table.spanInUse(chunk.pointerOfPage(0) + 64));
                r.r2 = name(table.spanInUse(chunk.pointerOfPage(1) + 64));
            } catch (RuntimeException e) {
                r.r1 = e.toString();
            }
        }

        private String name(Span s) {
            return s == null ? "none" : s == a ? "A" : s == b ? "B" : "other " + s;
        }
    }
}
