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
 * <p>Beside it, the flat {@link #pageTable} (page to span for every chunk) that the access, free
 * and mark paths read instead of the chunk.
 *
 * <p><b>Thread safety:</b> {@link #get}, {@link #spanInUse} and {@link #liveObjectSpan} from any
 * thread; the other methods require the page heap's lock.
 */
final class ChunkTable {
    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(Chunk[].class);

    /**
     * Pages of a standard chunk ({@link PageHeap#CHUNK_PAGES}): the stride of {@link #pageTable},
     * whose entries cover a chunk's first 512 pages (the rest of an oversized one takes the
     * chunk's own array).
     */
    static final int PAGES_PER_CHUNK_SHIFT = 9;
    private static final int PAGES_PER_CHUNK = 1 << PAGES_PER_CHUNK_SHIFT;
    private static final int INITIAL_CHUNKS = 16;
    /**
     * Exclusive bound of chunk indexes: the page table's indexes stay ints (8 TiB of standard
     * chunks, below the pointer encoding's {@link Pointers#MAX_CHUNKS}).
     */
    private static final int MAX_INDEX = Math.min(Pointers.MAX_CHUNKS, 1 << (30 - PAGES_PER_CHUNK_SHIFT));

    private volatile Chunk[] table = new Chunk[INITIAL_CHUNKS];
    /**
     * One flat page table for every chunk: {@code pageTable[index << PAGES_PER_CHUNK_SHIFT | page]
     * == table[index].spanOfPage[page]} for the first {@value #PAGES_PER_CHUNK} pages of each
     * chunk (all of a standard chunk's), written with them under the page heap's lock ({@link
     * #setSpanOfPage}). The access fast path goes from a pointer to its span in one shift and
     * mask, one bounds check and one load: no chunk, no per-chunk array. A span found there is
     * trusted only after its own range test (its base carries the chunk index), so an entry that
     * is stale, or that a pointer outside the table's layout (pages past the first 512 of an
     * oversized chunk) aliases, is refused; a refusal falls back to the chunk's own {@code
     * spanOfPage} ({@link #spanInUseSlow}), so the answers are exactly the chunks'. Replaced
     * (copied, twice the size) before {@link #table} when it grows.
     */
    private volatile Span[] pageTable = new Span[INITIAL_CHUNKS << PAGES_PER_CHUNK_SHIFT];
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
     * to throw. One page table load, a multiply for the slot index (Go's divMagic), one bitmap
     * word; no division, no allocation.
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
     * path's lookup, the collector's, and the first half of {@link #liveObjectSpan}. Racy in
     * the same way.
     */
    Span spanInUse(long p) {
        Span s = pageTableEntry(p);
        // A stale entry (a span object recycled elsewhere) or an aliased one fails the range
        // test: base holds the chunk index, so p is in range only for the span that covers it.
        if (s == null || !s.covers(p)) {
            return spanInUseSlow(p);
        }
        byte state = s.state;
        return state == Span.SMALL || state == Span.LARGE ? s : null;
    }

    /**
     * Returns the page table's entry for {@code p}'s page, unchecked: null, stale or aliased.
     * The index is the chunk index above the page's low 9 bits: {@code p >>> 31} is {@code
     * chunkIndex << 9} for offsets below 2 GiB. Only pointers the table does not cover alias
     * another entry (pages from the 512th on of an oversized chunk, offsets past 2 GiB, bad
     * pointers), and a span from such an entry fails the caller's range test.
     */
    private Span pageTableEntry(long p) {
        Span[] t = pageTable;
        int i = (int) (p >>> (Pointers.OFFSET_BITS - PAGES_PER_CHUNK_SHIFT))
                | ((int) (p >>> SizeClasses.PAGE_SHIFT) & (PAGES_PER_CHUNK - 1));
        // An unsigned compare, the form of the JIT's own array index check, which it then drops.
        // A plain read of the entry: it was written before any pointer into its span existed,
        // and the caller got p with a happens-before edge from its allocation (see Chunk); a
        // newer table read through the volatile field has the entries copied before its
        // publication.
        return Integer.compareUnsigned(i, t.length) < 0 ? t[i] : null;
    }

    /**
     * {@link #spanInUse} through the chunk: pointers the page table does not cover (pages past
     * the first 512 of an oversized chunk) and every refused pointer. Out of line: the fast path
     * stays small.
     */
    private Span spanInUseSlow(long p) {
        Chunk chunk = get(Pointers.chunkIndex(p)); // index 0 (nil) is always null
        if (chunk == null) {
            return null;
        }
        long offset = Pointers.offset(p);
        if (offset >= chunk.byteSize) {
            return null;
        }
        Span s = chunk.spanOfPage[(int) (offset >>> SizeClasses.PAGE_SHIFT)];
        if (s == null || !s.covers(p)) {
            return null;
        }
        byte state = s.state;
        return state == Span.SMALL || state == Span.LARGE ? s : null;
    }

    /**
     * Maps page {@code page} of {@code chunk} to {@code s}, in the chunk and in the page table.
     * Requires the page heap's lock, and {@code chunk} published.
     */
    void setSpanOfPage(Chunk chunk, int page, Span s) {
        chunk.spanOfPage[page] = s;
        if (page < PAGES_PER_CHUNK) {
            pageTable[chunk.index << PAGES_PER_CHUNK_SHIFT | page] = s;
        }
    }

    /** Picks the lowest free index and marks it used. */
    int reserveIndex() {
        int index = used.nextClearBit(1);
        if (index >= MAX_INDEX) {
            throw new InternalError("invariant: at most " + (MAX_INDEX - 1) + " chunks");
        }
        used.set(index);
        return index;
    }

    void unreserve(int index) {
        used.clear(index);
    }

    void publish(Chunk chunk) {
        Chunk[] t = table;
        Span[] pages = pageTable;
        if (chunk.index >= t.length) {
            int length = Math.min(Math.max(t.length * 2, chunk.index + 1), MAX_INDEX);
            pages = Arrays.copyOf(pages, length << PAGES_PER_CHUNK_SHIFT);
            pageTable = pages;
            t = Arrays.copyOf(t, length);
            table = t;
        }
        int first = chunk.index << PAGES_PER_CHUNK_SHIFT;
        for (int page = 0; page < Math.min(chunk.pageCount, PAGES_PER_CHUNK); page++) {
            pages[first + page] = chunk.spanOfPage[page];
        }
        ELEMENT.setRelease(t, chunk.index, chunk); // orders the entries above before it
        count++;
    }

    /** Forgets every chunk (the heap is closed): every later lookup fails. */
    void clear() {
        pageTable = new Span[INITIAL_CHUNKS << PAGES_PER_CHUNK_SHIFT];
        table = new Chunk[INITIAL_CHUNKS];
        used.clear();
        count = 0;
    }

    /**
     * The chunk's memory is about to go back to the OS: no lookup finds its spans any more (a
     * racing one that got its span before may still, and then meets the closed segment).
     */
    void remove(Chunk chunk) {
        int first = chunk.index << PAGES_PER_CHUNK_SHIFT;
        Arrays.fill(pageTable, first, first + PAGES_PER_CHUNK, null);
        ELEMENT.setRelease(table, chunk.index, (Chunk) null);
        used.clear(chunk.index);
        count--;
    }

    /**
     * Returns where the page table differs from the chunks ({@code pageTable[index << 9 | page]
     * == spanOfPage[page]} of the chunk at {@code index} for its first 512 pages, null for every
     * other entry), or null if nowhere: for verify. Requires the page heap's lock.
     */
    String pageTableMismatch() {
        Chunk[] t = table;
        Span[] pages = pageTable;
        if (pages.length != t.length << PAGES_PER_CHUNK_SHIFT) {
            return "page table of " + pages.length + " entries for " + t.length + " chunk slots";
        }
        for (int index = 0; index < t.length; index++) {
            Chunk chunk = t[index];
            for (int page = 0; page < PAGES_PER_CHUNK; page++) {
                Span expected = chunk != null && page < chunk.pageCount ? chunk.spanOfPage[page] : null;
                if (pages[index << PAGES_PER_CHUNK_SHIFT | page] != expected) {
                    return "chunk index " + index + " page " + page + " maps to "
                            + pages[index << PAGES_PER_CHUNK_SHIFT | page] + ", the chunk to " + expected;
                }
            }
        }
        return null;
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
