package dev.goheap.internal;

/**
 * The encoding of goheap pointers (DESIGN decision 1): a {@code long} whose high
 * {@value #CHUNK_BITS} bits are a chunk index and whose low {@value #OFFSET_BITS} bits are a byte
 * offset in that chunk.
 *
 * <pre>
 *   63            40 39                                    0
 *  +----------------+---------------------------------------+
 *  |  chunk index   |          offset in the chunk          |
 *  +----------------+---------------------------------------+
 * </pre>
 *
 * <p>Chunk index 0 is never used, so the pointer {@code 0} is nil and no valid pointer is 0.
 * 40 offset bits allow chunks (and so objects) up to 1 TiB; 24 index bits allow 16 Mi chunks.
 */
public final class Pointers {
    public static final int OFFSET_BITS = 40;
    public static final int CHUNK_BITS = 64 - OFFSET_BITS;
    public static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    /** Exclusive upper bound of chunk indexes. */
    public static final int MAX_CHUNKS = 1 << CHUNK_BITS;
    public static final long NIL = 0L;

    private Pointers() {}

    /** Returns the pointer to byte {@code offset} of chunk {@code chunkIndex}. */
    public static long pointer(int chunkIndex, long offset) {
        return ((long) chunkIndex << OFFSET_BITS) | offset;
    }

    /** Returns the chunk index of {@code p} (0 for nil). */
    public static int chunkIndex(long p) {
        return (int) (p >>> OFFSET_BITS);
    }

    /** Returns the offset of {@code p} in its chunk. */
    public static long offset(long p) {
        return p & OFFSET_MASK;
    }

    /** Formats a pointer the way every goheap message does: {@code 0x%x}. */
    public static String format(long p) {
        return "0x" + Long.toHexString(p);
    }
}
