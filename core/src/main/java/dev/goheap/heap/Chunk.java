package dev.goheap.heap;

import dev.goheap.internal.Pointers;
import java.lang.foreign.MemorySegment;

/**
 * A run of pages mapped from the OS in one piece ({@link ChunkMemory}: its own shared arena, so
 * that the scavenger can give it back without touching any other chunk), at an index of the
 * address space.
 *
 * <p>{@link #spanOfPage} maps each page to the span that holds it. For spans in use every page
 * is mapped, so a pointer anywhere in the span finds it; for free spans only the first and the
 * last page are (all coalescing needs), and interior entries may name dead spans.
 *
 * <p><b>Thread safety:</b> {@link #segment} and the identity fields are final. {@code
 * spanOfPage} is written under the page heap's lock and read without it on the free and access
 * paths; such a read is only trusted after checking the span's state, and a caller that
 * received a pointer with a happens-before edge from its allocation (the contract of every
 * pointer handover) sees the entries written before that allocation.
 *
 * <p><b>Ownership:</b> the page heap creates and closes chunks; nothing else does.
 */
final class Chunk {
    final int index;
    final int pageCount;
    final long byteSize;
    final MemorySegment segment;
    final Span[] spanOfPage;
    private final ChunkMemory memory;

    /** Makes {@code memory}, mapped but never used, the chunk at {@code index}. */
    Chunk(int index, ChunkMemory memory) {
        this.index = index;
        this.memory = memory;
        this.byteSize = memory.byteSize;
        this.pageCount = (int) (byteSize >>> SizeClasses.PAGE_SHIFT);
        this.segment = memory.segment;
        this.spanOfPage = new Span[pageCount];
    }

    /** Returns the pointer to the first byte of page {@code page}. */
    long pointerOfPage(int page) {
        return Pointers.pointer(index, (long) page << SizeClasses.PAGE_SHIFT);
    }

    /**
     * Gives the memory back to the OS. Fails, leaving the chunk mapped, if a view handed out by
     * {@link Heap#segment} is in use by a native call right now.
     */
    boolean tryRelease() {
        return memory.tryRelease();
    }

    /** Returns the memory, for a chunk whose release was refused to join the heap again under a new index. */
    ChunkMemory memory() {
        return memory;
    }

    @Override
    public String toString() {
        return "chunk " + index + " (" + pageCount + " pages)";
    }
}
