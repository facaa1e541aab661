package dev.goheap.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory of one chunk: page-aligned bytes from their own shared {@link Arena}, zeroed and
 * therefore touched (the arena zero-fills what it allocates, faulting every page in). Mapping is
 * the slow part of a heap growth (about 1.5 to 2.3 ms for 4 MiB, most of it the zero-fill and
 * ~1000 page faults), so it is a step of its own: {@link PageHeap} maps a chunk's memory on the
 * growing thread, or takes the one {@link SpareChunk} mapped ahead by the collector thread.
 *
 * <p><b>Thread safety:</b> immutable but for the arena's state; {@link #map} on any thread with
 * no heap lock needed; {@link #tryRelease} by the page heap under its lock, or by the thread
 * that mapped it while no one else has seen it.
 * <p><b>Ownership:</b> whoever holds it releases it: the page heap once it is a chunk or the
 * spare, else the thread that mapped it.
 */
final class ChunkMemory {
    final long byteSize;
    final MemorySegment segment;
    private final Arena arena;

    private ChunkMemory(long byteSize) {
        this.byteSize = byteSize;
        this.arena = Arena.ofShared();
        // Arena memory is zeroed, so fresh pages need no zeroing before their first use.
        this.segment = arena.allocate(byteSize, SizeClasses.PAGE_BYTES);
    }

    /**
     * Maps {@code byteSize} bytes (a multiple of the page size), zeroed.
     *
     * @throws OutOfMemoryError if the OS refuses the memory
     */
    static ChunkMemory map(long byteSize) {
        return new ChunkMemory(byteSize);
    }

    /**
     * Gives the memory back to the OS. Fails, leaving it mapped, if a view handed out by
     * {@link Heap#segment} is in use by a native call right now.
     */
    boolean tryRelease() {
        try {
            arena.close();
            return true;
        } catch (IllegalStateException busy) {
            return false;
        }
    }
}
