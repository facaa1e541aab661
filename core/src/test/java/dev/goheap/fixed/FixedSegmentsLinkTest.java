package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.BLOB;
import static dev.goheap.fixed.TestTypes.COUNTER;
import static dev.goheap.fixed.TestTypes.NODE;
import static dev.goheap.fixed.TestTypes.NODE_VALUE;
import static dev.goheap.fixed.TestTypes.PAIR;
import static dev.goheap.fixed.TestTypes.WIDE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.heap.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder, the layout and the symbol table. */
class FixedSegmentsLinkTest {

    private static FixedSegments.Builder mixedBuilder() {
        return FixedSegments.builder()
                .rodata("pi", new byte[] {3, 1, 4, 1, 5, 9, 2, 6})
                .data("root", NODE)
                .rodataString("greeting", "hello, gopher")
                .data("counter", COUNTER)
                .rodata("odd", new byte[] {1, 2, 3})
                .data("wide", WIDE)
                .data("blob", BLOB)
                .data("pair", PAIR);
    }

    @Test
    void shouldPlaceSymbolsAlignedAndApartInLayoutOrderWhenLinked() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = mixedBuilder().link(heap)) {
            List<Symbol> symbols = fixed.symbols();
            assertEquals(List.of("pi", "greeting", "odd", "root", "counter", "wide", "blob", "pair"),
                    symbols.stream().map(Symbol::name).toList());
            long[] end = new long[Section.values().length];
            for (Symbol s : symbols) {
                long alignment = s.type() == null ? 8 : Math.max(8, s.type().layout().byteAlignment());
                assertEquals(0, s.offset() % alignment, () -> s + " aligned to " + alignment);
                assertTrue(s.offset() >= end[s.section().ordinal()], () -> s + " overlaps its predecessor");
                end[s.section().ordinal()] = s.offset() + s.byteSize();
            }
            assertEquals(8, fixed.symbol("pi").byteSize());
            assertEquals("hello, gopher".length() + 1, fixed.symbol("greeting").byteSize());
            assertEquals(3, fixed.symbol("odd").byteSize());
            assertEquals(NODE.byteSize(), fixed.symbol("root").byteSize());
            assertEquals(4, fixed.symbol("counter").byteSize());
            assertEquals(13, fixed.symbol("blob").byteSize());
            assertEquals(List.of(0L, 8L, 24L), offsets(fixed, "pi", "greeting", "odd"));
            assertEquals(List.of(0L, 16L, 32L, 48L, 64L), offsets(fixed, "root", "counter", "wide", "blob", "pair"));
            assertEquals(32, fixed.rodataByteSize());
            assertEquals(96, fixed.dataByteSize());
            assertTrue(end[Section.RODATA.ordinal()] <= fixed.rodataByteSize());
            assertTrue(end[Section.DATA.ordinal()] <= fixed.dataByteSize());
            heap.verify();
        }
    }

    private static List<Long> offsets(FixedSegments fixed, String... names) {
        return List.of(names).stream().map(n -> fixed.symbol(n).offset()).toList();
    }

    @Test
    void shouldAlignDataSectionToLargestSymbolAlignmentWhenSymbolAsksForMoreThanEight() {
        try (Heap heap = TestTypes.openHeap();
                FixedSegments fixed = FixedSegments.builder().data("c", COUNTER).data("w", WIDE).link(heap)) {
            assertEquals(32, fixed.symbol("w").offset());
            assertEquals(0, fixed.segment(fixed.symbol("w")).address() % 32);
            heap.verify();
        }
    }

    @Test
    void shouldKeepSymbolsUnchangedWhenDataIsWritten() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = mixedBuilder().link(heap)) {
            List<Symbol> before = List.copyOf(fixed.symbols());
            Symbol root = fixed.symbol("root");
            fixed.setLong(root, NODE_VALUE, 42);
            fixed.writePointer(root, TestTypes.NODE_NEXT, heap.newObject(NODE));
            assertEquals(before, fixed.symbols());
            assertSame(root, fixed.symbol("root"));
            assertEquals(NODE.byteSize(), fixed.symbol("root").byteSize());
            fixed.writePointer(root, TestTypes.NODE_NEXT, 0);
            heap.verify();
        }
    }

    @Test
    void shouldFindSymbolWhenNameIsKnown() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = mixedBuilder().link(heap)) {
            Symbol pair = fixed.symbol("pair");
            assertEquals("pair", pair.name());
            assertEquals(Section.DATA, pair.section());
            assertSame(PAIR, pair.type());
            assertFalse(pair.isReadOnly());
            assertSame(pair, fixed.lookup("pair").orElseThrow());
            Symbol pi = fixed.symbol("pi");
            assertEquals(Section.RODATA, pi.section());
            assertNull(pi.type());
            assertTrue(pi.isReadOnly());
            heap.verify();
        }
    }

    @Test
    void shouldReturnEmptyWhenLookedUpNameIsUnknown() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = mixedBuilder().link(heap)) {
            assertTrue(fixed.lookup("nope").isEmpty());
            assertTrue(fixed.lookup("").isEmpty());
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentNamingTheNameWhenSymbolIsUnknown() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = mixedBuilder().link(heap)) {
            var e = assertThrows(IllegalArgumentException.class, () -> fixed.symbol("nope"));
            assertTrue(e.getMessage().contains("\"nope\""), e.getMessage());
            assertTrue(e.getMessage().contains("8 linked symbols") || e.getMessage().contains("pi"), e.getMessage());
            heap.verify();
        }
    }

    @Test
    void shouldNotListEveryNameWhenUnknownSymbolIsLookedUpAmongMany() {
        FixedSegments.Builder builder = FixedSegments.builder();
        for (int i = 0; i < 1000; i++) {
            builder.rodata("const" + i, new byte[] {(byte) i});
        }
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = builder.link(heap)) {
            var e = assertThrows(IllegalArgumentException.class, () -> fixed.symbol("nope"));
            assertTrue(e.getMessage().contains("1000 linked symbols"), e.getMessage());
            assertTrue(e.getMessage().length() < 200, e.getMessage());
            assertEquals(1000 * 8, fixed.rodataByteSize());
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentWhenNameIsDuplicated() {
        FixedSegments.Builder builder = FixedSegments.builder().rodata("x", new byte[] {1}).data("y", NODE);
        var sameSection = assertThrows(IllegalArgumentException.class, () -> builder.rodata("x", new byte[] {2}));
        assertTrue(sameSection.getMessage().contains("\"x\""), sameSection.getMessage());
        var otherSection = assertThrows(IllegalArgumentException.class, () -> builder.data("x", NODE));
        assertTrue(otherSection.getMessage().contains("rodata"), otherSection.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.rodataString("y", "y"));
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = builder.link(heap)) {
            assertEquals(2, fixed.symbols().size(), "refused definitions leave the builder as it was");
            assertEquals(1, fixed.getByte(fixed.symbol("x"), 0));
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentWhenNameIsEmpty() {
        FixedSegments.Builder builder = FixedSegments.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.rodata("", new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> builder.data("", NODE));
        assertThrows(NullPointerException.class, () -> builder.data(null, NODE));
        assertThrows(NullPointerException.class, () -> builder.data("n", null));
        assertThrows(NullPointerException.class, () -> builder.rodata("n", (byte[]) null));
    }

    @Test
    void shouldThrowIllegalArgumentNamingTheSizeWhenRodataIsEmpty() {
        FixedSegments.Builder builder = FixedSegments.builder();
        var e = assertThrows(IllegalArgumentException.class, () -> builder.rodata("empty", new byte[0]));
        assertTrue(e.getMessage().contains("byteSize: 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.rodata("empty", MemorySegment.NULL));
    }

    @Test
    void shouldCopyInitialBytesWhenRodataIsDefined() {
        byte[] bytes = {1, 2, 3, 4};
        FixedSegments.Builder builder = FixedSegments.builder().rodata("array", bytes);
        try (Arena arena = Arena.ofConfined()) {
            builder.rodata("segment", arena.allocateFrom(ValueLayout.JAVA_LONG, 7L, 8L));
        } // the source segment is gone before link
        bytes[0] = 99;
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = builder.link(heap)) {
            assertArrayEquals(new byte[] {1, 2, 3, 4},
                    fixed.rodata(fixed.symbol("array")).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(8L, fixed.getLong(fixed.symbol("segment"), 8));
            heap.verify();
        }
    }

    @Test
    void shouldLinkIndependentCopiesWhenBuilderIsLinkedTwice() {
        FixedSegments.Builder builder = mixedBuilder();
        try (Heap heap = TestTypes.openHeap();
                FixedSegments first = builder.link(heap);
                FixedSegments second = builder.link(heap)) {
            assertEquals(first.symbols(), second.symbols());
            Symbol root = first.symbol("root");
            assertNotSame(root, second.symbol("root"));
            first.setLong(root, NODE_VALUE, 1);
            second.setLong(root, NODE_VALUE, 2); // an equal symbol from another link is accepted
            assertEquals(1, first.getLong(root, NODE_VALUE));
            assertEquals(2, second.getLong(second.symbol("root"), NODE_VALUE));
            first.close();
            assertEquals(2, second.getLong(root, NODE_VALUE));
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalArgumentWhenSymbolComesFromOtherSegments() {
        try (Heap heap = TestTypes.openHeap();
                FixedSegments small = FixedSegments.builder().data("c", COUNTER).link(heap);
                FixedSegments big = FixedSegments.builder().data("p", PAIR).link(heap)) {
            Symbol foreign = big.symbol("p");
            assertThrows(IllegalArgumentException.class, () -> small.getLong(foreign, 0));
            assertThrows(IllegalArgumentException.class, () -> small.setInt(foreign, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> small.segment(foreign));
            assertThrows(NullPointerException.class, () -> small.getInt(null, 0));
            heap.verify();
        }
    }

    @Test
    void shouldLinkEmptySectionsWhenNoSymbolIsDefined() {
        try (Heap heap = TestTypes.openHeap(); FixedSegments fixed = FixedSegments.builder().link(heap)) {
            assertEquals(List.of(), fixed.symbols());
            assertEquals(0, fixed.rodataByteSize());
            assertEquals(0, fixed.dataByteSize());
            assertEquals(0, fixed.pointerSlots().length);
            assertEquals(0, fixed.dataPointerMap().bitsLength());
            heap.verify();
        }
    }

    @Test
    void shouldThrowIllegalStateWhenLinkedAgainstClosedHeap() {
        Heap heap = TestTypes.openHeap();
        heap.close();
        assertThrows(IllegalStateException.class, () -> mixedBuilder().link(heap));
    }
}
