package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.goheap.type.ObjectType;
import dev.goheap.type.PointerMap;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PointerBitsTest {
    /** A type of {@code words} longs whose pointer fields are the words with a set bit in {@code pick}. */
    static PointerMap mapOf(int words, SplittableRandom random) {
        MemoryLayout[] fields = new MemoryLayout[words];
        List<String> pointers = new ArrayList<>();
        for (int i = 0; i < words; i++) {
            fields[i] = JAVA_LONG.withName("f" + i);
            if (random.nextInt(3) == 0) {
                pointers.add("f" + i);
            }
        }
        if (pointers.isEmpty()) {
            pointers.add("f" + (words - 1));
        }
        return ObjectType.of("T" + words, MemoryLayout.structLayout(fields), pointers.toArray(String[]::new)).pointerMap();
    }

    @Test
    void shouldFillEverySlotLikeSlotBySlotWritesWhenFillingASpan() {
        SplittableRandom random = new SplittableRandom(42);
        for (int slotWords : new int[] {1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 63, 64, 65, 96, 128}) {
            for (int trial = 0; trial < 5; trial++) {
                int typeWords = 1 + random.nextInt(slotWords);
                PointerMap map = mapOf(typeWords, random);
                int spanWords = 1024 * (1 + random.nextInt(3)); // one to three 8 KiB pages
                int slotCount = spanWords / slotWords;
                long[] expected = new long[(spanWords + 63) / 64];
                for (int i = 0; i < slotCount; i++) {
                    PointerBits.write(expected, (long) i * slotWords, slotWords, map);
                }
                long[] actual = new long[expected.length];
                PointerBits.fillSlots(actual, slotCount, slotWords, map);
                assertArrayEquals(expected, actual, "slot words " + slotWords + ", type words " + typeWords);
            }
        }
    }

    @Test
    void shouldFindEachSetBitInTheRangeWhenWalkingWithNextSet() {
        long[] bits = {1L << 3 | 1L << 63, 1L, 0L, 1L << 5};
        assertEquals(3, PointerBits.nextSet(bits, 0, 256));
        assertEquals(63, PointerBits.nextSet(bits, 4, 256));
        assertEquals(64, PointerBits.nextSet(bits, 64, 256), "the next word's first bit");
        assertEquals(197, PointerBits.nextSet(bits, 65, 256), "across an empty word");
        assertEquals(-1, PointerBits.nextSet(bits, 65, 197), "the end is exclusive");
        assertEquals(-1, PointerBits.nextSet(bits, 198, 256));
        assertEquals(-1, PointerBits.nextSet(bits, 198, 1_000), "a range past the bitmap's end");
        assertEquals(-1, PointerBits.nextSet(bits, 3, 3), "an empty range");
    }
}

