package dev.goheap.fixed;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Which 8-byte words of a {@link FixedSegments}' data section hold goheap pointers: the union of
 * every data symbol's {@link dev.goheap.type.PointerMap}, each shifted to the symbol's offset.
 *
 * <p>Bit {@code i} is set when the word at data offset {@code 8 * i} is a pointer field of some
 * data symbol. The vocabulary is {@link dev.goheap.type.PointerMap}'s, so a collector scans
 * the data section exactly as it scans an object, allocating nothing per slot:
 *
 * <pre>{@code
 * DataPointerMap map = fixed.dataPointerMap();
 * for (int g = 0; g < map.bitsLength(); g++) {
 *     for (long bits = map.bitsAt(g); bits != 0; bits &= bits - 1) {
 *         long dataOffset = ((long) g * 64 + Long.numberOfTrailingZeros(bits)) * 8;
 *         shade(fixed.readPointerAcquireAt(dataOffset));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> immutable; it describes the layout, not the slots' contents, so it
 * stays readable after its {@link FixedSegments} is closed.
 */
public final class DataPointerMap {
    private final long wordCount;
    private final long[] bits;
    private final int pointerCount;

    /** Takes ownership of {@code bits}: bit {@code j} of {@code bits[g]} is word {@code 64g + j}. */
    DataPointerMap(long wordCount, long[] bits) {
        assert bits.length == (int) ((wordCount + 63) >>> 6) : "bitmap covers the section";
        this.wordCount = wordCount;
        this.bits = bits;
        int count = 0;
        for (long word : bits) {
            count += Long.bitCount(word);
        }
        this.pointerCount = count;
    }

    /** Returns the number of 8-byte words the map covers (the data section's size / 8). */
    public long wordCount() {
        return wordCount;
    }

    /** Returns how many words of the data section hold pointers. */
    public int pointerCount() {
        return pointerCount;
    }

    /** Returns whether the word at {@code wordIndex} holds a pointer (false outside the map). */
    public boolean isPointerWord(long wordIndex) {
        return wordIndex >= 0 && wordIndex < wordCount
                && (bits[(int) (wordIndex >>> 6)] & (1L << wordIndex)) != 0;
    }

    /**
     * Returns the 64 map bits starting at word {@code 64 * i} (bit {@code j} is word
     * {@code 64 * i + j}), or 0 outside the map.
     */
    public long bitsAt(int i) {
        return i >= 0 && i < bits.length ? bits[i] : 0L;
    }

    /** Returns the number of 64-bit groups {@link #bitsAt} covers. */
    public int bitsLength() {
        return bits.length;
    }

    /** Returns the data offsets of the pointer words, ascending (allocates one array). */
    public long[] pointerOffsets() {
        long[] offsets = new long[pointerCount];
        int[] n = {0};
        forEachPointerOffset(offset -> offsets[n[0]++] = offset);
        return offsets;
    }

    /** Calls {@code visitor} with the data offset of each pointer word, ascending. */
    public void forEachPointerOffset(LongConsumer visitor) {
        for (int g = 0; g < bits.length; g++) {
            for (long word = bits[g]; word != 0; word &= word - 1) {
                visitor.accept(((long) g * 64 + Long.numberOfTrailingZeros(word)) * 8);
            }
        }
    }

    /**
     * Returns whether any byte of {@code [dataOffset, dataOffset + byteCount)} lies in a pointer
     * word; the caller has checked that the range is inside the section and {@code byteCount > 0}.
     */
    boolean overlapsPointerUnchecked(long dataOffset, long byteCount) {
        long last = (dataOffset + byteCount - 1) >>> 3;
        for (long word = dataOffset >>> 3; word <= last; word++) {
            if ((bits[(int) (word >>> 6)] & (1L << word)) != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataPointerMap m && m.wordCount == wordCount && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(wordCount) * 31 + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "DataPointerMap" + Arrays.toString(pointerOffsets()) + " of " + wordCount + " words";
    }
}
