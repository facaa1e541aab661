package dev.goheap.heap;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.GcHooks;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves runs of 8 KiB pages to the central lists and to large objects (Go's {@code mheap}).
 *
 * <p>Free runs are spans in state {@link Span#FREE}, kept on {@link #freeByPages}: one list per
 * length up to {@value #MAX_LISTED_PAGES} pages and one list for longer runs, searched best-fit.
 * A request takes the shortest run that fits and splits off the rest; a free coalesces with its
 * free neighbours, found through the first and last page entries of {@link Chunk#spanOfPage}, so
 * two free spans are never adjacent. When no run fits, the heap grows by a chunk of
 * {@value #CHUNK_PAGES} pages (4 MiB), or larger for a larger request, within the heap limit:
 * it takes the {@link SpareChunk} if the collector has mapped one ahead, else maps the chunk
 * itself (milliseconds, under this lock).
 *
 * <p>A chunk whose pages are all free again is given back to the OS (its arena closed). Without a
 * collector (no scavenger goal), by the free that empties it, when the idle bytes exceed the
 * retained amount: that keeps RSS following the live heap down without paying ~35 µs and fresh
 * page faults for every short-lived large object. With a collector, only by its scavenger, off
 * every lock, a chunk at a time, while the heap maps more than the scavenger goal ({@link
 * CycleState#retainGoalBytes}: the heap goal plus 10 %, as Go's scavenger): {@link
 * #takeChunkAboveGoalLocked}, the close outside the lock, {@link #finishReleaseLocked}. Why not
 * the free: a sweep that emptied a chunk closed its arena on the sweeping thread under this
 * lock (a handshake with every JVM thread, 0.05-14 ms measured in the demo), a goroutine with
 * no safepoint for as long, every allocator that needed a span waiting; and the demo gave back
 * 90-100 chunks a run that the next cycles mapped again (a 4 MiB zero-fill each, 10-12 ms on a
 * new VM). Go's sweepers never give memory back either; its background scavenger does.
 *
 * <p><b>Thread safety:</b> all {@code ...Locked} methods require {@link #lock}; lock order in
 * package-info (central list locks before this one).
 * <p><b>Ownership:</b> the page heap creates and closes all chunks; a chunk taken off for the
 * scavenger is its taker's to close, and then the page heap's again to count or take back.
 */
final class PageHeap {
    static final int CHUNK_PAGES = 1 << ChunkTable.PAGES_PER_CHUNK_SHIFT; // 512: the page table's stride
    static final int MAX_LISTED_PAGES = 128;

    final ReentrantLock lock = new ReentrantLock();
    private final ChunkTable chunks;
    private final long limitBytes;
    private final long retainBytes;

    /** Index n holds free spans of exactly n pages; index 0 holds the longer ones. */
    private final SpanList[] freeByPages = new SpanList[MAX_LISTED_PAGES + 1];
    private final CycleState cycle;
    private final SpareChunk spare = new SpareChunk(this);

    private long mappedBytes;   // guarded by lock; read racily by stats and the pacer; the spare's included
    private long freePages;     // guarded by lock
    private long inUsePages;    // guarded by lock; read racily by the pacer
    private long releasedBytes; // guarded by lock: cumulative bytes given back to the OS
    private long takenOffBytes; // guarded by lock: chunks taken off for the scavenger, not yet closed (mapped still)
    private final DeadSpans deadSpans = new DeadSpans(); // guarded by lock
    private boolean closed;     // guarded by lock: closeAllLocked ran; no spare may be published

    PageHeap(ChunkTable chunks, long limitBytes, long retainBytes, CycleState cycle) {
        this.chunks = chunks;
        this.cycle = cycle;
        this.limitBytes = limitBytes;
        this.retainBytes = retainBytes;
        for (int i = 0; i < freeByPages.length; i++) {
            freeByPages[i] = new SpanList(i == 0 ? "free spans > " + MAX_LISTED_PAGES + " pages"
                    : "free spans of " + i + " pages");
        }
    }

    /**
     * Returns a span of exactly {@code pageCount} pages, not on any list, in state FREE (the
     * caller sets it up); all its pages map to it.
     *
     * @throws OutOfHeapMemoryException if growing would pass the heap limit
     */
    Span allocateLocked(int pageCount, long requestedBytes) {
        assert lock.isHeldByCurrentThread();
        Span s = findFreeLocked(pageCount);
        if (s == null) {
            s = growLocked(pageCount, requestedBytes);
        }
        listOf(s.pageCount).remove(s);
        freePages -= s.pageCount;
        if (s.pageCount > pageCount) {
            Span rest = newSpanLocked(s.chunk, s.startPage + pageCount, s.pageCount - pageCount);
            s.pageCount = pageCount;
            insertFreeLocked(rest);
        }
        for (int page = s.startPage; page < s.endPage(); page++) {
            chunks.setSpanOfPage(s.chunk, page, s);
        }
        inUsePages += pageCount;
        if (freePages < CHUNK_PAGES) {
            spare.requestLocked(cycle.hooks); // the next span or two may need a new chunk
        }
        long inUseBytes = inUsePages << SizeClasses.PAGE_SHIFT;
        if (inUseBytes >= cycle.triggerBytes) {
            cycle.hooks.heapGrew(inUseBytes);
        }
        return s;
    }

    /**
     * Returns a span's pages to the free runs, coalescing, and maybe releases its chunk. The
     * span is on no list: a central list or a large stripe has taken it off its own.
     */
    void freeLocked(Span s) {
        assert lock.isHeldByCurrentThread();
        assert s.list == null : s + " is still on " + s.list.name;
        inUsePages -= s.pageCount;
        s.state = Span.FREE;
        s.keepBitmapsForReuse();
        s.spanClass = 0;
        Span[] map = s.chunk.spanOfPage;
        Span merged = s;
        if (s.startPage > 0) {
            Span before = map[s.startPage - 1];
            if (before != null && before.state == Span.FREE) {
                removeFreeLocked(before);
                before.pageCount += merged.pageCount;
                killLocked(merged);
                merged = before;
            }
        }
        if (merged.endPage() < s.chunk.pageCount) {
            Span after = map[merged.endPage()];
            if (after != null && after.state == Span.FREE) {
                removeFreeLocked(after);
                merged.pageCount += after.pageCount;
                killLocked(after);
            }
        }
        insertFreeLocked(merged);
        if (merged.pageCount == merged.chunk.pageCount && cycle.retainGoalBytes == 0 && !cycle.marking
                && (long) freePages << SizeClasses.PAGE_SHIFT > retainBytes) {
            releaseChunkLocked(merged); // no collector's goal: no scavenger either
        }
    }

    /**
     * Closes every chunk and the spare (the heap is closing).
     *
     * @throws IllegalStateException if a chunk has a view in use by a native call (it stays mapped)
     */
    void closeAllLocked() {
        assert lock.isHeldByCurrentThread();
        closed = true; // a spare the collector is mapping now is given back, not published
        spare.releaseLocked();
        IllegalStateException busy = null;
        for (Chunk chunk : chunks.snapshot()) {
            if (chunk.tryRelease()) {
                chunks.remove(chunk);
                mappedBytes -= chunk.byteSize;
                releasedBytes += chunk.byteSize;
            } else if (busy == null) {
                busy = new IllegalStateException("close: " + chunk
                        + " (expected: no view of it in use by a native call)");
            }
        }
        if (busy != null) {
            throw busy;
        }
    }

    /**
     * Gives the spare and every fully free chunk back to the OS (no chunk while marking: the
     * marker may read any); returns the bytes released. The spare goes too: a scavenge asks for
     * the least memory mapped now, and the collector maps another when the heap grows again.
     */
    long scavengeLocked() {
        assert lock.isHeldByCurrentThread();
        long before = releasedBytes;
        spare.releaseLocked(); // no pointer reaches it, so the marker never reads it either
        if (cycle.marking) {
            return releasedBytes - before;
        }
        while (releaseOneWholeChunkLocked()) {
            // each call gives back one fully free chunk
        }
        return releasedBytes - before;
    }

    /**
     * The collector's scavenger, between cycles, step one of three: takes one fully free chunk
     * off the heap if it maps more than its scavenger goal ({@link CycleState#retainGoalBytes})
     * and more idle bytes than the runtime retains, and returns it, or null. Taken off, the chunk
     * is on no free list and in no table, so no allocation or lookup finds it; its bytes stay
     * mapped (counted in {@link #takenOffBytes}) until the taker, holding no lock, closes it
     * ({@link Chunk#tryRelease}: a handshake with every JVM thread, up to milliseconds, which
     * allocators no longer wait for) and reports with {@link #finishReleaseLocked}.
     *
     * <p>Why a scavenger at all: free chunks stay mapped while the heap is under the goal, and
     * chunks freed while a cycle's goal was high (its floating garbage counted as live) stayed
     * mapped after the goal came down (ScavengeGoalTest's second test: 20-52 MiB mapped against a
     * goal of 4-6 MiB without it). Go's background scavenger works down to its goal alike. Not
     * while marking (the marker may read any chunk), nor without a goal (no collector, or GOGC
     * off: {@link #freeLocked}'s rule alone).
     */
    Chunk takeChunkAboveGoalLocked() {
        assert lock.isHeldByCurrentThread();
        long goal = cycle.retainGoalBytes;
        if (closed || goal == 0 || cycle.marking || mappedBytes - takenOffBytes <= goal
                || (long) freePages << SizeClasses.PAGE_SHIFT <= retainBytes) {
            return null;
        }
        // A whole chunk is longer than any listed length: it is on the list of long runs.
        for (Span s = freeByPages[0].first(); s != null; s = s.next) {
            if (s.pageCount == s.chunk.pageCount) {
                takeOffLocked(s);
                takenOffBytes += s.chunk.byteSize;
                return s.chunk;
            }
        }
        return null;
    }

    /**
     * The scavenger's step three: {@code chunk}, taken off by {@link #takeChunkAboveGoalLocked},
     * was given back to the OS ({@code released}), or its close was refused (a view of it in use
     * by a native call), and then it joins the heap again, whole and free, at a new index (its
     * old one may have gone to a newer chunk meanwhile).
     */
    void finishReleaseLocked(Chunk chunk, boolean released) {
        assert lock.isHeldByCurrentThread();
        takenOffBytes -= chunk.byteSize;
        if (released) {
            countReleasedChunkLocked(chunk);
            return;
        }
        if (closed) {
            return; // the heap closed meanwhile: the memory stays the taker's, mapped (as a busy chunk at close)
        }
        Chunk again = new Chunk(chunks.reserveIndex(), chunk.memory());
        chunks.publish(again);
        insertFreeLocked(newSpanLocked(again, 0, again.pageCount));
    }

    /** Gives back the first fully free chunk whose release succeeds; returns whether one went back. */
    private boolean releaseOneWholeChunkLocked() {
        // A whole chunk is longer than any listed length: it is on the list of long runs.
        for (Span s = freeByPages[0].first(); s != null; s = s.next) {
            if (s.pageCount == s.chunk.pageCount && releaseChunkLocked(s)) {
                return true;
            }
        }
        return false;
    }

    /** Gives {@code wholeChunk}'s chunk back to the OS; returns false if a native call holds a view of it. */
    private boolean releaseChunkLocked(Span wholeChunk) {
        Chunk chunk = wholeChunk.chunk;
        if (!chunk.tryRelease()) {
            return false; // a view is in use by a native call; a later scavenge retries
        }
        takeOffLocked(wholeChunk);
        countReleasedChunkLocked(chunk);
        return true;
    }

    /** Takes a whole free chunk's span off the free lists, and its chunk out of the table. */
    private void takeOffLocked(Span wholeChunk) {
        removeFreeLocked(wholeChunk);
        killLocked(wholeChunk);
        chunks.remove(wholeChunk.chunk);
    }

    /** A chunk went back to the OS: fewer bytes mapped, so fewer recycled span objects kept. */
    private void countReleasedChunkLocked(Chunk chunk) {
        countReleasedLocked(chunk.byteSize);
        deadSpans.trim(mappedBytes);
    }

    /** Returns how many span objects wait for reuse (tests). */
    int deadSpanCountLocked() {
        assert lock.isHeldByCurrentThread();
        return deadSpans.count();
    }

    private Span findFreeLocked(int pageCount) {
        for (int n = pageCount; n <= MAX_LISTED_PAGES; n++) {
            Span s = freeByPages[n].first();
            if (s != null) {
                return s;
            }
        }
        Span best = null;
        for (Span s = freeByPages[0].first(); s != null; s = s.next) {
            if (s.pageCount >= pageCount && (best == null || s.pageCount < best.pageCount
                    || (s.pageCount == best.pageCount && s.base < best.base))) {
                best = s;
            }
        }
        return best;
    }

    /** Adds a chunk with a free run of at least {@code pageCount} pages: the spare, else mapped here. */
    private Span growLocked(int pageCount, long requestedBytes) {
        int chunkPages = Math.max(CHUNK_PAGES, pageCount);
        int index = chunks.reserveIndex();
        ChunkMemory memory;
        try {
            memory = chunkPages == CHUNK_PAGES ? spare.takeLocked() : null; // counted as mapped already
            if (memory == null) {
                memory = mapLocked(chunkPages, pageCount, requestedBytes);
            }
        } catch (RuntimeException e) {
            chunks.unreserve(index);
            throw e;
        }
        Chunk chunk = new Chunk(index, memory);
        chunks.publish(chunk);
        Span s = newSpanLocked(chunk, 0, chunk.pageCount);
        insertFreeLocked(s);
        spare.requestLocked(cycle.hooks); // growing: have the next chunk ready before it is needed
        return s;
    }

    /**
     * Maps a chunk's memory on the calling thread (the slow growth): {@code chunkPages}, or just
     * {@code pageCount} if only that fits under the limit. The spare and the fully free chunks
     * count as mapped, so they are given back first when they are in the way: the limit then
     * fails exactly the growths it would fail with none of them kept (free chunks not while
     * marking, as the scavenger: a failed growth's forced cycle ends the marking, and the retry
     * after it gives them back).
     */
    private ChunkMemory mapLocked(int chunkPages, int pageCount, long requestedBytes) {
        long chunkBytes = (long) chunkPages << SizeClasses.PAGE_SHIFT;
        if (mappedBytes + chunkBytes > limitBytes) {
            spare.releaseLocked();
        }
        while (mappedBytes + chunkBytes > limitBytes && !cycle.marking && releaseOneWholeChunkLocked()) {
            // Free chunks kept for the scavenger give way (only a growth larger than a chunk
            // meets them: any smaller one fits in a free chunk and never gets here).
        }
        if (mappedBytes + chunkBytes > limitBytes) {
            // A smaller chunk may still fit under the limit.
            chunkBytes = (long) pageCount << SizeClasses.PAGE_SHIFT;
            if (mappedBytes + chunkBytes > limitBytes) {
                throw new OutOfHeapMemoryException(requestedBytes, limitBytes, mappedBytes);
            }
        }
        ChunkMemory memory;
        try {
            memory = ChunkMemory.map(chunkBytes);
        } catch (OutOfMemoryError e) {
            throw new OutOfHeapMemoryException(requestedBytes, limitBytes, mappedBytes);
        }
        mappedBytes += chunkBytes;
        return memory;
    }

    private Span newSpanLocked(Chunk chunk, int startPage, int pageCount) {
        return deadSpans.take(chunk, startPage, pageCount);
    }

    private void killLocked(Span s) {
        deadSpans.kill(s, mappedBytes);
    }

    private void insertFreeLocked(Span s) {
        s.state = Span.FREE;
        s.base = s.chunk.pointerOfPage(s.startPage);
        chunks.setSpanOfPage(s.chunk, s.startPage, s);
        chunks.setSpanOfPage(s.chunk, s.endPage() - 1, s);
        listOf(s.pageCount).push(s);
        freePages += s.pageCount;
    }

    private void removeFreeLocked(Span s) {
        listOf(s.pageCount).remove(s);
        freePages -= s.pageCount;
    }

    SpanList listOf(int pageCount) {
        return freeByPages[pageCount <= MAX_LISTED_PAGES ? pageCount : 0];
    }

    // --- the spare's accounting (SpareChunk) ---

    /** Returns whether {@code bytes} more may be mapped now: the heap is open and stays within its limit. */
    boolean canMapLocked(long bytes) {
        return !closed && mappedBytes + bytes <= limitBytes;
    }

    void countMappedLocked(long bytes) {
        mappedBytes += bytes;
    }

    void countReleasedLocked(long bytes) {
        mappedBytes -= bytes;
        releasedBytes += bytes;
    }

    /**
     * An allocation at a safepoint is about to refill a span of {@code pageCount} pages: if the
     * free pages may not hold it and no spare is ready (the collector has not served the request
     * yet), maps the spare here, with the goroutine parked ({@link SpareChunk#prepareWhileParked}),
     * so that the growth that may follow takes it in microseconds instead of mapping 4 MiB under
     * the locks with no safepoint. Measured before (demo, depth 21, machine loaded): 18 of 37
     * stack samples of goroutines that made a stop wait over 0.7 ms were mapping a chunk in
     * {@code growLocked}. Racy reads: a wrong guess maps a spare the next growth takes anyway, or
     * leaves the growth to map under the lock as before. Call with no heap lock held.
     */
    void prepareSpareIfGrowing(int pageCount, GcHooks hooks) {
        if (freePages < pageCount && spare.isEmptyRacy() && hooks != CycleState.NO_HOOKS) {
            spare.prepareWhileParked(hooks);
        }
    }

    SpareChunk spare() {
        return spare;
    }

    // --- figures, for stats and verify ---

    long mappedBytesLocked() {
        return mappedBytes;
    }

    /** A recent value of {@link #inUsePagesLocked} in bytes, without the lock (a pacer's estimate). */
    long inUseBytesRacy() {
        return inUsePages << SizeClasses.PAGE_SHIFT;
    }

    /** A recent value of {@link #mappedBytesLocked}, without the lock. */
    long mappedBytesRacy() {
        return mappedBytes;
    }

    long freePagesLocked() {
        return freePages;
    }

    long inUsePagesLocked() {
        return inUsePages;
    }

    long releasedBytesLocked() {
        return releasedBytes;
    }

    /** Bytes of chunks the scavenger has taken off and not yet closed: mapped, in no table. */
    long takenOffBytesLocked() {
        return takenOffBytes;
    }

    long limitBytes() {
        return limitBytes;
    }

    /** Visits the free lists for verify: every span on them, with the list's page length. */
    void forEachFreeSpanLocked(java.util.function.Consumer<Span> visitor) {
        assert lock.isHeldByCurrentThread();
        for (int i = 0; i < freeByPages.length; i++) {
            for (Span s = freeByPages[i].first(); s != null; s = s.next) {
                if (i != 0 ? s.pageCount != i : s.pageCount <= MAX_LISTED_PAGES) {
                    throw new InternalError("invariant: free span " + s + " is on " + freeByPages[i].name);
                }
                visitor.accept(s);
            }
        }
    }

    static String describe(long p) {
        return Pointers.format(p);
    }
}
