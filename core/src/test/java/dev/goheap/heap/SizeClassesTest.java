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

    /** The pages of the largest span a class grows to. */
    private static int largestPageCount(int c) {
        int pages = SizeClasses.pageCount(c);
        while (SizeClasses.grownPageCount(c, pages) != pages) {
            pages = SizeClasses.grownPageCount(c, pages);
        }
        return pages;
    }

    @Test
    void shouldDoubleASpansPagesUpToTheMaximumWhenItGrows() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            int base = SizeClasses.pageCount(c);
            boolean grows = SizeClasses.byteSize(c) <= 1024; // SizeClasses.MAX_GROWN_OBJECT_BYTES
            for (int pages = base; ; pages *= 2) {
                int next = SizeClasses.grownPageCount(c, pages);
                if (grows && pages * 2 <= SizeClasses.MAX_SPAN_PAGES) {
                    assertEquals(pages * 2, next, "class " + c + " from " + pages + " pages");
                } else {
                    assertEquals(pages, next, "class " + c + " stays at " + pages + " pages");
                    break;
                }
            }
        }
        assertEquals(16, largestPageCount(SizeClasses.classOf(16)), "16-byte spans grow to 128 KiB");
        assertEquals(16, largestPageCount(SizeClasses.classOf(1024)), "1 KiB spans too (8 objects a page)");
        assertEquals(1, largestPageCount(SizeClasses.classOf(8192)), "8 KiB objects keep one page, one object");
        assertEquals(4, largestPageCount(SizeClasses.COUNT - 1), "32 KiB objects keep Go's 4 pages");
    }

    @Test
    void shouldKeepASpanWithinAThousandthOfTheTriggerWhenTheHeapIsSmall() {
        int c16 = SizeClasses.classOf(16);
        assertEquals(16, SizeClasses.pagesWithinTrigger(c16, 16, Long.MAX_VALUE), "no collector: no cap");
        assertEquals(16, SizeClasses.pagesWithinTrigger(c16, 16, 128L << 20), "128 MiB: 128 KiB spans");
        assertEquals(8, SizeClasses.pagesWithinTrigger(c16, 16, 127L << 20));
        assertEquals(1, SizeClasses.pagesWithinTrigger(c16, 16, 10L << 20), "10 MiB: one page");
        assertEquals(1, SizeClasses.pagesWithinTrigger(c16, 16, 0), "never below the class's own pages");
        int c1408 = SizeClasses.classOf(1408); // 2 pages of its own: halves stay multiples of 2
        assertEquals(2, SizeClasses.pageCount(c1408));
        assertEquals(2, SizeClasses.pagesWithinTrigger(c1408, 8, 1L << 20));
        assertEquals(4, SizeClasses.pagesWithinTrigger(c1408, 8, 32L << 20));
    }

    @Test
    void shouldWasteAtMostAnEighthOfEveryGrownSpanWhenCutIntoSlots() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            for (int pages = SizeClasses.pageCount(c); ; pages = SizeClasses.grownPageCount(c, pages)) {
                int spanBytes = pages * SizeClasses.PAGE_BYTES;
                int tail = spanBytes % SizeClasses.byteSize(c);
                assertTrue(tail <= spanBytes / 8, "class " + c + ", " + pages + " pages: tail " + tail);
                assertEquals(spanBytes / SizeClasses.byteSize(c), SizeClasses.objectCount(c, pages), "class " + c);
                if (SizeClasses.grownPageCount(c, pages) == pages) {
                    break;
                }
            }
        }
    }

    @Test
    void shouldDivideExactlyWhenUsingTheMagicMultiplier() {
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            int size = SizeClasses.byteSize(c);
            long magic = SizeClasses.divMagic(c);
            int spanBytes = largestPageCount(c) * SizeClasses.PAGE_BYTES; // every span size a class has
            for (long n = 0; n <= spanBytes; n++) {
                assertEquals(n / size, (n * magic) >>> 32, "class " + c + " offset " + n);
            }
        }
    }
}
