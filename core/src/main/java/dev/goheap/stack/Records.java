package dev.goheap.stack;

/**
 * The encoding of a stack's memory: the stack header, the record headers and frame handles (see
 * the layout in package-info). Pure functions of {@code long}s; nothing here touches memory.
 */
final class Records {
    /** The stack header: word 0 the owner's goroutine id (written by the heap), word 1 zero. */
    static final long STACK_HEADER_BYTES = 16;
    /** A record header: two words before every frame, stack object and scratch block. */
    static final long HEADER_BYTES = 16;
    /** Sentinel for "no such offset" in the low-water fields (above every offset). */
    static final long NONE = Long.MAX_VALUE;

    static final int FRAME = 0;
    static final int OBJECT = 1;
    static final int SCRATCH = 2;

    private static final long LOW_32 = 0xFFFF_FFFFL;
    private static final int TYPE_MASK = (1 << 30) - 1;

    private Records() {}

    /**
     * Header word 0, what the record is: {@code bodyBytes(32) | kind(2) | typeId(30)}. The walks
     * (adjust, roots) read only this word per record.
     */
    static long word0(int kind, int typeId, long bodyBytes) {
        return bodyBytes << 32 | (long) kind << 30 | typeId;
    }

    /**
     * Header word 1, where it sits: {@code link(32) | seq(32)}; a frame links to the previous
     * frame, other records to their frame. A pop reads only this word.
     */
    static long word1(long link, int seq) {
        return link << 32 | (seq & LOW_32);
    }

    static long body(long word0) {
        return word0 >>> 32;
    }

    static int kind(long word0) {
        return ((int) word0) >>> 30;
    }

    static int typeId(long word0) {
        return (int) word0 & TYPE_MASK;
    }

    static int seq(long word1) {
        return (int) word1;
    }

    static long link(long word1) {
        return word1 >>> 32;
    }

    /** A frame or object handle: {@code seq << 32 | record offset}; never 0 (offsets are >= 16). */
    static long handle(int seq, long recordOffset) {
        return (long) seq << 32 | recordOffset;
    }

    static long offset(long handle) {
        return handle & LOW_32;
    }

    static int handleSeq(long handle) {
        return (int) (handle >>> 32);
    }

    static String describe(long handle) {
        return "#" + Integer.toUnsignedString(handleSeq(handle)) + " at +" + offset(handle);
    }

    static String kindName(int kind) {
        return switch (kind) {
            case FRAME -> "frame";
            case OBJECT -> "stack object";
            default -> "scratch block";
        };
    }
}
