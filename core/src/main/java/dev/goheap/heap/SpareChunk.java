package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * At most one chunk's memory mapped and touched ahead of need, so that the thread that grows the
 * heap takes it in microseconds instead of mapping and zero-filling 4 MiB under the page heap's
 * lock. Measured on the demo before the spare: 1.5 to 2.3 ms in {@code Arena.allocate} (the
 * zero-fill and ~1000 page faults) in the middle of a goroutine's allocation, with no safepoint
 * poll, so a stop of the world waited for all of it (2 of the 9 pauses over 1.2 ms after warm-up).
 *
 * <h2>The hand-off</h2>
 * <ol>
 *   <li>Request, under the page heap's lock ({@link #requestLocked}): when the heap has just grown,
 *       or an allocation leaves fewer than a chunk's worth of free pages, and there is no spare
 *       and one more chunk stays within the heap limit, the page heap tells its hooks, once until
 *       the next {@link #prepare} ({@link GcHooks#spareChunkWanted}: the collector sets a flag and
 *       wakes its thread). A heap without a collector tells no one and never has a spare.</li>
 *   <li>Prepare ({@link #prepare}), on the collector's thread, no heap lock held: check under the
 *       lock that a spare is still wanted, map and touch the memory outside it, then publish it
 *       under the lock if there is still no spare, the heap is open and the limit still holds
 *       (a growth may have taken the room meanwhile); else give the memory straight back.</li>
 *   <li>Take, under the lock, by a growth of one standard chunk ({@link #takeLocked}): the memory
 *       becomes the new chunk; nothing is mapped on the growing thread. Larger growths (a large
 *       object above 4 MiB) map their own chunk, as before.</li>
 * </ol>
 * Steps 2 and 3 race only through the lock: the memory is published and taken whole under it,
 * so a growth either finds the spare or maps a chunk itself, never half of one (jcstress
 * {@code HeapStress.SpareChunkVsGrowth}).
 *
 * <h2>Accounting</h2>
 * The spare is mapped memory (its pages are resident: RSS), so it counts in the page heap's
 * mapped bytes, against the heap limit, and as idle in {@link HeapStats}. It is no chunk: no
 * index, not in the chunk table, so no pointer reaches it and the marker never reads it. A
 * growth that would pass the limit releases the spare first ({@link #releaseLocked}): an
 * allocation never fails because of it. {@link Heap#scavenge} and {@link Heap#close} release it;
 * the automatic release of wholly free chunks (beyond {@code scavengeRetainBytes}) does not
 * count it, so with a collector at most one chunk more than before stays mapped.
 *
 * <p><b>Thread safety:</b> {@code ...Locked} methods require the page heap's lock; {@link
 * #prepare} must run with no heap lock held (it maps for milliseconds outside the lock).
 * <p><b>Ownership:</b> the page heap's: it releases the spare or turns it into a chunk.
 */
final class SpareChunk {
    static final long BYTES = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;

    private final PageHeap pages;
    private ChunkMemory memory;     // guarded by pages.lock; read racily by isEmptyRacy (a hint only)
    private boolean requested;      // guarded by pages.lock: the hooks were told; no prepare has answered yet
    private long takenCount;        // guarded by pages.lock: growths that took the spare, cumulative

    SpareChunk(PageHeap pages) {
        this.pages = pages;
    }

    /**
     * A growth is near or has just happened: tells {@code hooks} that a spare is wanted, if there
     * is none, one more chunk fits under the limit, and they have not been told already. Must
     * not block: the hooks run under the page heap's lock.
     */
    void requestLocked(GcHooks hooks) {
        assert pages.lock.isHeldByCurrentThread();
        if (!requested && memory == null && pages.canMapLocked(BYTES)) {
            requested = true;
            hooks.spareChunkWanted();
        }
    }

    /** The hooks changed: the next request tells the new ones (an old request may never be answered). */
    void forgetRequestLocked() {
        assert pages.lock.isHeldByCurrentThread();
        requested = false;
    }

    /**
     * Maps a spare chunk and publishes it, if the heap still wants one; returns whether it
     * published one. Takes milliseconds (the zero-fill of 4 MiB) outside every lock.
     */
    boolean prepare() {
        return prepare(SpareChunk::mapOrNull, ChunkMemory::tryRelease, null);
    }

    /**
     * {@link #prepare} on a goroutine whose allocation is about to grow the heap with no spare
     * ready (the collector has not served the request yet): the mapping runs through {@code
     * hooks}' {@link GcHooks#whileParked}, so a stop of the world does not wait the milliseconds
     * it takes, and the growth that follows takes the spare under the lock in microseconds. The
     * lock is taken only outside the parked part: a parked goroutine never holds a heap lock
     * that a pause's work could need. A mapping that lost the race to another spare is given
     * back parked too: closing its shared arena is a handshake with every JVM thread, measured
     * holding a stop up 0.4 ms while the goroutine ran it.
     */
    boolean prepareWhileParked(GcHooks hooks) {
        return prepare(() -> hooks.whileParked(SpareChunk::mapOrNull), lost -> hooks.whileParked(lost::tryRelease), hooks);
    }

    /** Returns whether there is no spare now: a racy read, for deciding to prepare one. */
    boolean isEmptyRacy() {
        return memory == null;
    }

    private static ChunkMemory mapOrNull() {
        try {
            return ChunkMemory.map(BYTES);
        } catch (OutOfMemoryError e) {
            return null; // the OS refused: a growth will meet the same refusal and report it
        }
    }

    /** {@code parkWith}: hooks to wait for the page heap's lock parked with (a goroutine's growth), or null. */
    private boolean prepare(Supplier<ChunkMemory> mapping, Consumer<ChunkMemory> release, GcHooks parkWith) {
        assert !pages.lock.isHeldByCurrentThread() : "the mapping runs outside the page heap's lock";
        lockPages(parkWith);
        try {
            if (memory != null || !pages.canMapLocked(BYTES)) {
                requested = false;
                return false;
            }
        } finally {
            pages.lock.unlock();
        }
        ChunkMemory fresh = mapping.get();
        lockPages(parkWith);
        try {
            // Requests stayed quiet while mapping: the next one (after a take) tells the hooks again.
            requested = false;
            if (fresh != null && memory == null && pages.canMapLocked(BYTES)) {
                memory = fresh;
                pages.countMappedLocked(BYTES);
                return true;
            }
        } finally {
            pages.lock.unlock();
        }
        if (fresh != null) {
            release.accept(fresh); // never published: no other thread has seen it
        }
        return false;
    }

    /** Nothing read before the lock is used after it: a wait parked (a safepoint) is harmless here. */
    private void lockPages(GcHooks parkWith) {
        if (parkWith == null) {
            pages.lock.lock();
        } else {
            SpinLocks.lockParked(pages.lock, parkWith);
        }
    }

    /** Returns the spare for a growth and forgets it, or null if there is none; it stays counted as mapped. */
    ChunkMemory takeLocked() {
        assert pages.lock.isHeldByCurrentThread();
        ChunkMemory m = memory;
        if (m != null) {
            memory = null;
            takenCount++;
        }
        return m;
    }

    /** Gives the spare back to the OS, if there is one; returns the bytes released. */
    long releaseLocked() {
        assert pages.lock.isHeldByCurrentThread();
        ChunkMemory m = memory;
        if (m == null || !m.tryRelease()) {
            return 0; // (no view of a spare was ever handed out, so the release cannot be refused)
        }
        memory = null;
        pages.countReleasedLocked(m.byteSize);
        return m.byteSize;
    }

    /** Returns the bytes of the spare: {@link #BYTES} or 0. */
    long bytesLocked() {
        return memory == null ? 0 : memory.byteSize;
    }

    long takenCountLocked() {
        return takenCount;
    }
}
