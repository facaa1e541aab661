package dev.goheap.heap;

import dev.goheap.internal.Pointers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The address space: chunk index to {@link Chunk}, the first step of every dereference.
 *
 * <p>Lookups take no lock: the table is an array that is replaced, never shrunk, when it grows,
 * and entries are published with release stores. Index 0 stays empty, so nil never resolves.
 * Indexes of released chunks are reused, lowest first, so the table stays as small as the
 * largest number of chunks mapped at once.
 *
 * <p><b>Thread safety:</b> {@link #get} from any thread; the other methods require the page
 * heap's lock.
 */
final class ChunkTable {
    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(Chunk[].class);

    private static final VarHandle PAGES = MethodHandles.arrayElementVarHandle(Span[][].class);

    private volatile Chunk[] table = new Chunk[16];
    /**
     * {@code pageTable[i] == table[i].spanOfPage}: the access fast path goes from a pointer to
     * its span without loading the chunk (a span found there is checked by its own range, whose
     * base carries the chunk index). Replaced before {@link #table} when it grows.
     */
    private volatile Span[][] pageTable = new Span[16][];
    private final java.util.BitSet used = new java.util.BitSet(); // guarded by the page heap lock
    private int count; // guarded by the page heap lock

    /** Returns the chunk with {@code index}, or null if there is none (never mapped or released). */
    Chunk get(int index) {
        Chunk[] t = table;
        return index > 0 && index < t.length ? (Chunk) ELEMENT.getAcquire(t, index) : null;
    }

    /**
     * The fast path of every checked access: returns the span of the live object that starts
     * at {@code p}, or null if {@code p} is anything else (nil, foreign, interior, free, in free
     * pages, in a released chunk). It accepts exactly the pointers that the heap's checked slow
     * path accepts, so a caller falls back to that path on null only to find out which exception
     * to throw. One chunk lookup, one span lookup, a multiply for the slot index (Go's divMagic),
     * one bitmap word; no division, no allocation.
     *
     * <p>Racy like every lookup here: exact for a {@code p} received with a happens-before edge
     * from its allocation (see {@link Chunk}); anything else is a data race in the caller, which
     * can then get a wrong answer but never touches memory outside a chunk.
     */
    Span liveObjectSpan(long p) {
        Span s = spanInUse(p);
        if (s == null) {
            return null;
        }
        if (s.state == Span.SMALL) {
            return s.holdsObjectAt(p) ? s : null;
        }
        return p == s.base ? s : null;
    }

    /**
     * Returns the span in use (small or large) whose pages contain {@code p}, or null: the free
     * path's lookup, and the first half of {@link #liveObjectSpan}. Racy in the same way.
     */
    Span spanInUse(long p) {
        // The bounds tests are unsigned compares, the form of the JIT's own array index checks,
        // which it then drops as redundant.
        Span[][] t = pageTable;
        int index = Pointers.chunkIndex(p);
        if (Integer.compareUnsigned(index, t.length) >= 0) {
            return null;
        }
        // A plain read: the entry was published before any pointer into the chunk existed, and
        // the caller got p with a happens-before edge from its allocation (see Chunk); a newer
        // table read through the volatile field has the entries copied before its publication.
        Span[] spanOfPage = t[index]; // index 0 (nil) is always null
        if (spanOfPage == null) {
            return null;
        }
        int page = (int) (Pointers.offset(p) >>> SizeClasses.PAGE_SHIFT); // < 2^27
        if (Integer.compareUnsigned(page, spanOfPage.length) >= 0) {
            return null;
        }
        Span s = spanOfPage[page];
        // A stale entry (a span object recycled elsewhere) fails the range test: base holds
        // the chunk index, so p is in range only for the span that covers it.
        if (s == null || !s.covers(p)) {
            return null;
        }
        byte state = s.state;
        return state == Span.SMALL || state == Span.LARGE ? s : null;
    }

    /** Picks the lowest free index and marks it used. */
    int reserveIndex() {
        int index = used.nextClearBit(1);
        if (index >= Pointers.MAX_CHUNKS) {
            throw new InternalError("invariant: at most " + (Pointers.MAX_CHUNKS - 1) + " chunks");
        }
        used.set(index);
        return index;
    }

    void unreserve(int index) {
        used.clear(index);
    }

    void publish(Chunk chunk) {
        Chunk[] t = table;
        Span[][] pages = pageTable;
        if (chunk.index >= t.length) {
            int length = Math.max(t.length * 2, chunk.index + 1);
            pages = Arrays.copyOf(pages, length);
            pageTable = pages;
            t = Arrays.copyOf(t, length);
            table = t;
        }
        PAGES.setRelease(pages, chunk.index, chunk.spanOfPage);
        ELEMENT.setRelease(t, chunk.index, chunk);
        count++;
    }

    /** Forgets every chunk (the heap is closed): every later lookup fails. */
    void clear() {
        pageTable = new Span[16][];
        table = new Chunk[16];
        used.clear();
        count = 0;
    }

    void remove(Chunk chunk) {
        PAGES.setRelease(pageTable, chunk.index, (Span[]) null);
        ELEMENT.setRelease(table, chunk.index, (Chunk) null);
        used.clear(chunk.index);
        count--;
    }

    /** Returns the number of chunks mapped. */
    int count() {
        return count;
    }

    /** Returns a snapshot of the mapped chunks, for verify and stats. */
    Chunk[] snapshot() {
        Chunk[] t = table;
        return Arrays.stream(t).filter(java.util.Objects::nonNull).toArray(Chunk[]::new);
    }

    /** Returns the slot count of the current table (for tests of index reuse). */
    int capacity() {
        return table.length;
    }
}
