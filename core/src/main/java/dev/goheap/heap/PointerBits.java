package dev.goheap.heap;

import dev.goheap.type.PointerMap;

/**
 * Bit operations on a span's pointer bitmap (one bit per 8-byte word of the span: Go's heap
 * bitmap). The allocator writes an object's bits from its type when the object is made; the
 * access paths test them to keep pointer and non-pointer words apart; the collector scans them.
 */
final class PointerBits {
    private PointerBits() {}

    /**
     * Writes {@code wordCount} bits starting at bit {@code firstWord}: the type's map for the
     * words it covers, zero for the rest of the slot.
     */
    static void write(long[] bits, long firstWord, long wordCount, PointerMap map) {
        for (long i = 0; i < wordCount; i += 64) {
            int n = (int) Math.min(64, wordCount - i);
            writeBits(bits, firstWord + i, map.bitsAt((int) (i >>> 6)), n);
        }
    }

    private static void writeBits(long[] bits, long position, long value, int n) {
        long mask = n == 64 ? -1L : (1L << n) - 1;
        value &= mask;
        int w = (int) (position >>> 6);
        int shift = (int) (position & 63);
        bits[w] = (bits[w] & ~(mask << shift)) | (value << shift);
        if (shift + n > 64) {
            int rest = shift + n - 64;
            long restMask = (1L << rest) - 1;
            bits[w + 1] = (bits[w + 1] & ~restMask) | (value >>> (64 - shift));
        }
    }

    /** Returns whether any bit from {@code firstWord} to {@code lastWord} (inclusive) is set. */
    static boolean anySet(long[] bits, long firstWord, long lastWord) {
        for (long word = firstWord; word <= lastWord; word++) {
            if ((bits[(int) (word >>> 6)] & (1L << word)) != 0) {
                return true;
            }
        }
        return false;
    }
}
