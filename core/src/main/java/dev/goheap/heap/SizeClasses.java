package dev.goheap.heap;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's small-object size classes, generated at class-load time by the rule of Go's
 * {@code mksizeclasses.go}: 8-byte steps, the alignment bumped at powers of two; each class
 * gets the fewest 8 KiB pages whose tail (the bytes left over after cutting the span into
 * objects) is at most 1/8 of the span, so tail waste is at most 12.5 %; neighbouring sizes that
 * would fit the same number of objects in the same pages are merged; finally each size grows to
 * the largest multiple of 128 that still fits the same number of objects.
 *
 * <p>Class 0 is unused (Go's dummy entry), so the tables have {@link #COUNT} entries and small
 * objects use classes {@code 1 .. COUNT - 1}. The lookups from a size to its class are the same
 * two tables Go uses: one per 8 bytes up to 1024, one per 128 bytes above.
 *
 * <p><b>Thread safety:</b> immutable after class initialisation.
 */
final class SizeClasses {
    /** Largest small object; anything bigger is a large object with a span of its own. */
    static final int MAX_SMALL_BYTES = 32 << 10;
    static final int PAGE_SHIFT = 13;
    static final int PAGE_BYTES = 1 << PAGE_SHIFT;

    private static final int SMALL_SIZE_DIV = 8;
    private static final int SMALL_SIZE_MAX = 1024;
    private static final int LARGE_SIZE_DIV = 128;

    private static final int[] BYTE_SIZE;
    private static final int[] PAGE_COUNT;
    private static final long[] DIV_MAGIC;
    private static final byte[] SIZE_TO_CLASS_8;
    private static final byte[] SIZE_TO_CLASS_128;

    /** Number of entries in the tables, dummy class 0 included (68, as in Go). */
    static final int COUNT;

    static {
        List<int[]> classes = makeClasses();
        COUNT = classes.size();
        BYTE_SIZE = new int[COUNT];
        PAGE_COUNT = new int[COUNT];
        DIV_MAGIC = new long[COUNT];
        for (int i = 1; i < COUNT; i++) {
            BYTE_SIZE[i] = classes.get(i)[0];
            PAGE_COUNT[i] = classes.get(i)[1];
            DIV_MAGIC[i] = (0xFFFF_FFFFL / BYTE_SIZE[i]) + 1;
        }
        SIZE_TO_CLASS_8 = new byte[SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1];
        for (int i = 0; i < SIZE_TO_CLASS_8.length; i++) {
            SIZE_TO_CLASS_8[i] = (byte) firstClassOfAtLeast(i * SMALL_SIZE_DIV);
        }
        SIZE_TO_CLASS_128 = new byte[(MAX_SMALL_BYTES - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1];
        for (int i = 0; i < SIZE_TO_CLASS_128.length; i++) {
            SIZE_TO_CLASS_128[i] = (byte) firstClassOfAtLeast(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV);
        }
    }

    private SizeClasses() {}

    private static List<int[]> makeClasses() {
        List<int[]> classes = new ArrayList<>();
        classes.add(new int[] {0, 0});
        int align = 8;
        for (int size = align; size <= MAX_SMALL_BYTES; size += align) {
            if (Integer.bitCount(size) == 1) {
                if (size >= 2048) {
                    align = 256;
                } else if (size >= 128) {
                    align = size / 8;
                } else if (size >= 32) {
                    align = 16;
                }
            }
            int allocBytes = PAGE_BYTES;
            while (allocBytes % size > allocBytes / 8) {
                allocBytes += PAGE_BYTES;
            }
            int pages = allocBytes / PAGE_BYTES;
            int[] last = classes.get(classes.size() - 1);
            if (classes.size() > 1 && pages == last[1] && allocBytes / size == allocBytes / last[0]) {
                last[0] = size;
                continue;
            }
            classes.add(new int[] {size, pages});
        }
        for (int i = 1; i < classes.size(); i++) {
            int[] c = classes.get(i);
            int spanBytes = c[1] * PAGE_BYTES;
            int grown = (spanBytes / (spanBytes / c[0])) & ~(LARGE_SIZE_DIV - 1);
            if (grown > c[0]) {
                c[0] = grown;
            }
        }
        return classes;
    }

    private static int firstClassOfAtLeast(int size) {
        for (int c = 0; c < COUNT; c++) {
            if (BYTE_SIZE[c] >= size) {
                return c;
            }
        }
        throw new InternalError("no size class holds " + size + " bytes");
    }

    /** Returns the class of a small request; requires {@code 0 < byteSize <= MAX_SMALL_BYTES}. */
    static int classOf(int byteSize) {
        if (byteSize <= SMALL_SIZE_MAX - 8) {
            return SIZE_TO_CLASS_8[(byteSize + SMALL_SIZE_DIV - 1) >>> 3];
        }
        return SIZE_TO_CLASS_128[(byteSize - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) >>> 7];
    }

    /** Returns the slot size of {@code sizeClass} in bytes. */
    static int byteSize(int sizeClass) {
        return BYTE_SIZE[sizeClass];
    }

    /**
     * The most pages a small span grows to ({@link #grownPageCount}): 128 KiB, 8192 objects of
     * 16 bytes.
     */
    static final int MAX_SPAN_PAGES = 16;

    /** Returns how many pages a span of {@code sizeClass} has at first (Go's table). */
    static int pageCount(int sizeClass) {
        return PAGE_COUNT[sizeClass];
    }

    /**
     * Spans grow only in classes of objects up to this size (8 or more to a page): where a span's
     * fixed costs are shared by many objects' allocations, and where programs allocate most
     * often. Larger classes keep Go's spans (one 8 KiB object a page, say), so a cache strands no
     * more of them than before; not measured there.
     */
    static final int MAX_GROWN_OBJECT_BYTES = 1024;

    /**
     * A span takes at most 1/2^this of the collector's trigger ({@link #pagesWithinTrigger}):
     * 1/1024.
     */
    static final int TRIGGER_SHARE_SHIFT = 10;

    /**
     * Returns {@code pageCount} (a grown span's pages, {@link #grownPageCount}) halved until it is
     * at most 1/1024 of {@code triggerBytes}, the heap size at which the collector starts a cycle
     * (unbounded without a collector), and never below the class's own pages. Why: a cache takes
     * a span's bytes into the heap's use at once, and while marking charges them to its assist
     * debt at once, so the span is the grain at which a heap is paced; with 128 KiB spans a heap
     * whose goal was 10 MiB overshot it by a third (AssistsTest: heap/goal 1.34 at GOGC 25,
     * against at most 1.25 with one-page spans), and a demo's first cycle, goal 4 MiB, reached
     * 11 MiB. A heap of 128 MiB and more gets the whole 128 KiB.
     */
    static int pagesWithinTrigger(int sizeClass, int pageCount, long triggerBytes) {
        long most = triggerBytes >>> (TRIGGER_SHARE_SHIFT + PAGE_SHIFT);
        int pages = pageCount;
        while (pages > PAGE_COUNT[sizeClass] && pages > most) {
            pages /= 2; // a power-of-two multiple of the class's pages: halves stay multiples
        }
        return pages;
    }

    /**
     * Returns the pages of the span a thread cache takes after one of {@code pageCount} pages of
     * {@code sizeClass} (its first is {@link #pageCount}): twice as many while that is at most
     * {@link #MAX_SPAN_PAGES}, else as many; always as many in a class of objects over {@link
     * #MAX_GROWN_OBJECT_BYTES}. A multiple of the class's own pages, so the tail waste stays
     * within the class's 12.5 %. Why grow: each span costs its thread a refill (a central list's
     * lock, the page heap's, the span's bitmaps) and the collector a sweep and a return to the
     * page heap, whatever its size; with one page per span, binary-trees' goroutines
     * took a new 16-byte span every 512 objects, and waited for those two locks parked, with
     * their carriers idle, about a second of a 15 s run (docs/measurements.md "Session 23").
     */
    static int grownPageCount(int sizeClass, int pageCount) {
        assert pageCount % PAGE_COUNT[sizeClass] == 0 : "a span of a class has a multiple of its pages";
        if (BYTE_SIZE[sizeClass] > MAX_GROWN_OBJECT_BYTES) {
            return pageCount;
        }
        return pageCount * 2 <= MAX_SPAN_PAGES ? pageCount * 2 : pageCount;
    }

    /** Returns how many objects a span of {@code sizeClass} with {@code pageCount} pages holds. */
    static int objectCount(int sizeClass, int pageCount) {
        return pageCount * PAGE_BYTES / BYTE_SIZE[sizeClass];
    }

    /**
     * Returns the magic multiplier for dividing an offset within a span by the slot size:
     * {@code offset / byteSize == (offset * divMagic) >>> 32} for every offset in a span of up to
     * {@link #MAX_SPAN_PAGES} pages (Go's {@code class_to_divmagic}; checked for every class by
     * the tests).
     */
    static long divMagic(int sizeClass) {
        return DIV_MAGIC[sizeClass];
    }
}
