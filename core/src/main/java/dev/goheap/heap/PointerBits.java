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

    /**
     * Writes {@code map} into the bits of each of {@code slotCount} slots of {@code slotWords}
     * words, into a zeroed bitmap. Slots of 1, 2, 4 ... 64 words repeat within a bitmap word, so
     * the bitmap is filled with one pattern word (a 16-byte class: 16 stores per 8 KiB span, where
     * slot by slot took 512 read-modify-writes); other sizes up to 64 words OR the map in per slot.
     */
    static void fillSlots(long[] bits, int slotCount, int slotWords, PointerMap map) {
        if (slotWords > 64) {
            for (int i = 0; i < slotCount; i++) {
                write(bits, (long) i * slotWords, slotWords, map);
            }
            return;
        }
        long slotBits = map.bitsAt(0) & (slotWords == 64 ? -1L : (1L << slotWords) - 1);
        long totalWords = (long) slotCount * slotWords;
        if ((slotWords & (slotWords - 1)) == 0) {
            long pattern = slotBits;
            for (int k = slotWords; k < 64; k <<= 1) {
                pattern |= pattern << k;
            }
            int full = (int) (totalWords >>> 6);
            java.util.Arrays.fill(bits, 0, full, pattern);
            int rest = (int) (totalWords & 63); // a whole number of slots
            if (rest != 0) {
                bits[full] |= pattern & ((1L << rest) - 1);
            }
            return;
        }
        for (long position = 0; position < totalWords; position += slotWords) {
            int w = (int) (position >>> 6);
            int shift = (int) (position & 63);
            bits[w] |= slotBits << shift;
            if (shift != 0 && shift + slotWords > 64) {
                bits[w + 1] |= slotBits >>> (64 - shift);
            }
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

    /**
     * Returns the index of the first set bit in {@code [from, end)}, or -1 if there is none
     * there or the bitmap ends first (a span freed and reused under a dangling pointer can have
     * a shorter bitmap than the object's words): the scans' walk over an object's pointer words.
     */
    static long nextSet(long[] bits, long from, long end) {
        for (long w = from; w < end; ) {
            int index = (int) (w >>> 6);
            if (index >= bits.length) {
                return -1;
            }
            long word = bits[index] & (-1L << w); // bits at or above w in this bitmap word
            if (word != 0) {
                long bit = ((long) index << 6) + Long.numberOfTrailingZeros(word);
                return bit < end ? bit : -1;
            }
            w = (long) (index + 1) << 6;
        }
        return -1;
    }
}
