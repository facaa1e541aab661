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

    private volatile Chunk[] table = new Chunk[16];
    private final java.util.BitSet used = new java.util.BitSet(); // guarded by the page heap lock
    private int count; // guarded by the page heap lock

    /** Returns the chunk with {@code index}, or null if there is none (never mapped or released). */
    Chunk get(int index) {
        Chunk[] t = table;
        return index > 0 && index < t.length ? (Chunk) ELEMENT.getAcquire(t, index) : null;
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
        if (chunk.index >= t.length) {
            t = Arrays.copyOf(t, Math.max(t.length * 2, chunk.index + 1));
            table = t;
        }
        ELEMENT.setRelease(t, chunk.index, chunk);
        count++;
    }

    void remove(Chunk chunk) {
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
