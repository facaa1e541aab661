package dev.goheap.type;

import java.util.Arrays;

/**
 * Which 8-byte words of a type hold goheap pointers: Go's {@code ptrdata}/{@code gcdata}.
 *
 * <p>Bit {@code i} of the map is set when the word at byte offset {@code 8 * i} is a pointer
 * field. The collector scans an object precisely from this map, and the heap refuses pointer
 * stores into any other word and primitive stores into these words.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class PointerMap {
    private static final PointerMap EMPTY = new PointerMap(0, new long[0]);

    private final long wordCount;
    private final long[] bits;
    private final int pointerCount;

    private PointerMap(long wordCount, long[] bits) {
        this.wordCount = wordCount;
        this.bits = bits;
        int count = 0;
        for (long word : bits) {
            count += Long.bitCount(word);
        }
        this.pointerCount = count;
    }

    /** Returns a map of {@code wordCount} words with pointers at the given word indexes. */
    static PointerMap of(long wordCount, long[] pointerWordIndexes) {
        if (pointerWordIndexes.length == 0) {
            return wordCount == 0 ? EMPTY : new PointerMap(wordCount, new long[0]);
        }
        long[] bits = new long[(int) ((wordCount + 63) >>> 6)];
        for (long index : pointerWordIndexes) {
            bits[(int) (index >>> 6)] |= 1L << index;
        }
        return new PointerMap(wordCount, bits);
    }

    /** Returns the number of 8-byte words the map covers (the type's size rounded up). */
    public long wordCount() {
        return wordCount;
    }

    /** Returns how many words hold pointers. */
    public int pointerCount() {
        return pointerCount;
    }

    /** Returns whether the word at {@code wordIndex} holds a pointer (false past the end). */
    public boolean isPointerWord(long wordIndex) {
        int w = (int) (wordIndex >>> 6);
        return wordIndex >= 0 && w < bits.length && (bits[w] & (1L << wordIndex)) != 0;
    }

    /**
     * Returns the 64 map bits starting at word {@code 64 * i} (bit {@code j} is word
     * {@code 64 * i + j}), or 0 past the end: the form the heap copies into span bitmaps.
     */
    public long bitsAt(int i) {
        return i < bits.length ? bits[i] : 0L;
    }

    /** Returns the number of 64-bit groups {@link #bitsAt} has non-zero data for. */
    public int bitsLength() {
        return bits.length;
    }

    /** Returns the byte offsets of the pointer words, ascending. */
    public long[] pointerOffsets() {
        long[] offsets = new long[pointerCount];
        int n = 0;
        for (int w = 0; w < bits.length; w++) {
            long word = bits[w];
            while (word != 0) {
                int bit = Long.numberOfTrailingZeros(word);
                offsets[n++] = ((long) w * 64 + bit) * 8;
                word &= word - 1;
            }
        }
        return offsets;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PointerMap m && m.wordCount == wordCount && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(wordCount) * 31 + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "PointerMap" + Arrays.toString(pointerOffsets()) + " of " + wordCount + " words";
    }
}
