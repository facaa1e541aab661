package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.Pointers;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The flat page table of {@link ChunkTable}: every pointer finds its span through it, or through
 * the chunk where it does not reach (pages past the 512th of an oversized chunk), and whatever
 * else its index computation aliases is refused.
 */
class ChunkTableTest {
    /** 16 KiB with a pointer field: 400 of them fill more than a 6 MiB chunk. */
    private static final ObjectType BLOCK = ObjectType.of("Block",
            MemoryLayout.structLayout(JAVA_LONG.withName("next"), JAVA_LONG.withName("value"),
                    MemoryLayout.sequenceLayout(2046, JAVA_LONG).withName("payload")),
            "next");
    private static final long NEXT = BLOCK.offsetOf("next");
    private static final long VALUE = BLOCK.offsetOf("value");
    private static final long TABLE_BYTES = (long) PageHeap.CHUNK_PAGES << SizeClasses.PAGE_SHIFT;

    @Test
    void shouldFindSpansPastThe512thPageWhenAChunkIsOversized() {
        try (Heap heap = Heap.open(1L << 30, 64L << 20)) {
            long big = heap.allocate(6L << 20); // an oversized chunk of 768 pages
            heap.free(big); // kept mapped (retained): its pages now serve small spans
            List<Long> blocks = new ArrayList<>();
            long prev = Pointers.NIL;
            boolean pastTable = false;
            for (int i = 0; i < 400; i++) {
                long p = heap.newObject(BLOCK);
                heap.writePointer(p, NEXT, prev);
                heap.setLong(p, VALUE, i);
                pastTable |= Pointers.chunkIndex(p) == Pointers.chunkIndex(big) && Pointers.offset(p) >= TABLE_BYTES;
                blocks.add(p);
                prev = p;
            }
            assertTrue(pastTable, "some blocks lie past the page table's 512 pages of the oversized chunk");
            for (long p : blocks) {
                Span s = heap.chunks().spanInUse(p);
                assertNotNull(s, Pointers.format(p));
                assertTrue(s.covers(p));
                assertSame(s, heap.chunks().liveObjectSpan(p));
                assertNull(heap.chunks().liveObjectSpan(p + 8), "interior");
            }
            heap.verify();
            for (int i = blocks.size() - 1; i >= 0; i--) {
                long p = blocks.get(i);
                assertEquals(i, heap.getLong(p, VALUE));
                assertEquals(i == 0 ? Pointers.NIL : blocks.get(i - 1), heap.readPointer(p, NEXT));
                heap.free(p);
            }
            heap.verify();
        }
    }

    @Test
    void shouldKeepThePageTableInStepWhenItGrowsAndChunksAreReleased() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            long small = heap.allocate(64); // chunk 1, before the table grows
            long[] large = new long[40]; // 3 MiB each: one chunk each, past the table's first 16 slots
            for (int i = 0; i < large.length; i++) {
                large[i] = heap.allocate(3L << 20);
            }
            assertTrue(heap.chunks().capacity() > 16);
            assertSame(heap.chunks().get(Pointers.chunkIndex(small)).spanOfPage[(int) (Pointers.offset(small) >>> SizeClasses.PAGE_SHIFT)],
                    heap.chunks().liveObjectSpan(small));
            heap.verify(); // the page table mirrors every chunk
            for (long p : large) {
                assertNotNull(heap.chunks().liveObjectSpan(p));
                heap.free(p); // retain 0: its chunk goes back to the OS
            }
            heap.verify(); // released chunks' entries are gone
            for (long p : large) {
                assertNull(heap.chunks().spanInUse(p));
                assertThrows(IllegalArgumentException.class, () -> heap.getLong(p, 0));
            }
            heap.free(small);
            heap.verify();
        }
    }

    @Test
    void shouldRefusePointersThatAliasAnEntryWhenLookingUp() {
        try (Heap heap = Heap.open(1L << 30, 0)) {
            long p = heap.newObject(BLOCK);
            int index = Pointers.chunkIndex(p);
            long offset = Pointers.offset(p);
            long[] aliases = {
                    Pointers.pointer(index, offset + TABLE_BYTES),           // same page bits, past 4 MiB
                    Pointers.pointer(index, offset + (1L << 31)),             // offset bits in the index's place
                    Pointers.pointer(index, offset + (1L << 39)),
                    Pointers.pointer(index + (1 << 22), offset),             // the index past an int's page number
                    Pointers.pointer(Pointers.MAX_CHUNKS - 1, offset),
            };
            for (long alias : aliases) {
                assertNull(heap.chunks().spanInUse(alias), Pointers.format(alias));
                assertNull(heap.chunks().liveObjectSpan(alias), Pointers.format(alias));
                assertThrows(IllegalArgumentException.class, () -> heap.readPointer(alias, NEXT));
                assertThrows(IllegalArgumentException.class, () -> heap.writePointer(alias, NEXT, Pointers.NIL));
                assertThrows(IllegalArgumentException.class, () -> heap.writePointer(p, NEXT, alias));
                assertThrows(IllegalArgumentException.class, () -> heap.free(alias));
            }
            assertSame(heap.chunks().spanInUse(p), heap.chunks().liveObjectSpan(p));
            heap.free(p);
            heap.verify();
        }
    }
}
