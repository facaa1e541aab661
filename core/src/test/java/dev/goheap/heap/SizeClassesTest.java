package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizeClassesTest {

    @Test
    void shouldHaveGosSixtyEightClassesWhenGenerated() {
        assertEquals(68, SizeClasses.COUNT);
        assertEquals(8, SizeClasses.byteSize(1));
        assertEquals(32768, SizeClasses.byteSize(SizeClasses.COUNT - 1));
    }

    @Test
    void shouldMatchGosTableWhenSpotChecked() {
        // From Go's sizeclasses.go: class, bytes/obj, pages.
        int[][] go = {{1, 8, 1}, {2, 16, 1}, {3, 24, 1}, {4, 32, 1}, {5, 48, 1}, {8, 96, 1},
            {16, 224, 1}, {18, 256, 1}, {28, 640, 1}, {34, 1280, 1}, {40, 2688, 1}, {46, 5376, 2},
            {54, 10240, 5}, {60, 18432, 9}, {66, 28672, 7}, {67, 32768, 4}};
        for (int[] row : go) {
            assertEquals(row[1], SizeClasses.byteSize(row[0]), "bytes of class " + row[0]);
            assertEquals(row[2], SizeClasses.pageCount(row[0]), "pages of class " + row[0]);
        }
    }

    @Test
    void shouldWasteAtMostAnEighthOfASpanWhenCutIntoSlots() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            int spanBytes = SizeClasses.pageCount(c) * SizeClasses.PAGE_BYTES;
            int tail = spanBytes % SizeClasses.byteSize(c);
            assertTrue(tail <= spanBytes / 8, "class " + c + " tail " + tail + " of " + spanBytes);
        }
    }

    @Test
    void shouldGrowStrictlyInEightByteMultiplesWhenClassesAscend() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            assertEquals(0, SizeClasses.byteSize(c) % 8, "class " + c);
            if (c > 1) {
                assertTrue(SizeClasses.byteSize(c) > SizeClasses.byteSize(c - 1), "class " + c);
            }
        }
    }

    @Test
    void shouldMapEverySizeToTheSmallestClassThatHoldsItWhenLookedUp() {
        for (int size = 1; size <= SizeClasses.MAX_SMALL_BYTES; size++) {
            int c = SizeClasses.classOf(size);
            assertTrue(SizeClasses.byteSize(c) >= size, "size " + size);
            assertTrue(c == 1 || SizeClasses.byteSize(c - 1) < size, "size " + size + " not the smallest class");
        }
    }

    @Test
    void shouldDivideExactlyWhenUsingTheMagicMultiplier() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            int size = SizeClasses.byteSize(c);
            long magic = SizeClasses.divMagic(c);
            int spanBytes = SizeClasses.pageCount(c) * SizeClasses.PAGE_BYTES;
            for (long n = 0; n <= spanBytes; n++) {
                assertEquals(n / size, (n * magic) >>> 32, "class " + c + " offset " + n);
            }
        }
    }
}
