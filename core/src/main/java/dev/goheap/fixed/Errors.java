package dev.goheap.fixed;

import java.util.Collection;

/**
 * Builds every exception of the package, so that messages read alike:
 * {@code what: value (expected: constraint)}.
 *
 * <p>Only failure paths call these methods: the string building never runs on a successful
 * access.
 */
final class Errors {
    /** Unknown-symbol messages list the known names only up to this many. */
    static final int MAX_NAMES_LISTED = 8;

    private Errors() {}

    static IllegalStateException closed() {
        return new IllegalStateException("fixed segments: closed (expected: fixed segments that are open)");
    }

    static IllegalStateException heapClosed() {
        return new IllegalStateException("heap: closed (expected: an open heap to link against)");
    }

    static IllegalArgumentException emptyName() {
        return new IllegalArgumentException("symbol name: \"\" (expected: not empty)");
    }

    static IllegalArgumentException duplicateName(String name, Section existing) {
        return new IllegalArgumentException("symbol name: \"" + name
                + "\" (expected: unique; already defined in " + existing + ")");
    }

    static IllegalArgumentException zeroSize(String name) {
        return new IllegalArgumentException("rodata " + name + " byteSize: 0 (expected: > 0)");
    }

    static IllegalArgumentException tooLarge(String what, long byteSize, long limit) {
        return new IllegalArgumentException(what + " byteSize: " + byteSize + " (expected: <= " + limit + ")");
    }

    static IllegalArgumentException sectionOverflow(Section section) {
        return new IllegalArgumentException(section + " section byteSize: more than " + Long.MAX_VALUE
                + " (expected: the sum of its symbols' sizes and padding to fit in a long)");
    }

    static IllegalArgumentException unknownSymbol(String name, Collection<String> known) {
        String expected = known.size() <= MAX_NAMES_LISTED
                ? "one of " + known
                : "one of the " + known.size() + " linked symbols";
        return new IllegalArgumentException("symbol: \"" + name + "\" (expected: " + expected + ")");
    }

    static IllegalArgumentException foreignSymbol(Symbol symbol) {
        return new IllegalArgumentException("symbol: " + symbol
                + " (expected: a symbol of these fixed segments, from symbol() or lookup())");
    }

    static IllegalArgumentException notRodata(Symbol symbol) {
        return new IllegalArgumentException("symbol: " + symbol + " (expected: a rodata symbol)");
    }

    static UnsupportedOperationException readOnly(Symbol symbol) {
        return new UnsupportedOperationException("write to " + symbol + " (expected: a data symbol; rodata is read-only)");
    }

    static IndexOutOfBoundsException outOfBounds(Symbol symbol, long offset, long byteCount) {
        return new IndexOutOfBoundsException("offset: " + offset + " for " + byteCount + " bytes of " + symbol
                + " (expected: " + range(symbol.byteSize(), byteCount) + ")");
    }

    static IndexOutOfBoundsException dataOffsetOutOfBounds(long dataOffset, long dataByteSize) {
        return new IndexOutOfBoundsException("data offset: " + dataOffset + " for 8 bytes of the data section"
                + " (expected: " + range(dataByteSize, Long.BYTES) + ")");
    }

    private static String range(long byteSize, long byteCount) {
        return byteSize < byteCount
                ? "no offset; " + byteCount + " bytes do not fit in " + byteSize
                : "0.." + (byteSize - byteCount);
    }

    static IllegalArgumentException primitiveIntoPointer(Symbol symbol, long offset, long byteCount) {
        return new IllegalArgumentException("offset: " + offset + " for " + byteCount + " bytes of " + symbol
                + " (expected: no byte in a pointer field at " + pointerFields(symbol)
                + "; store pointers with writePointer)");
    }

    static IllegalArgumentException notPointerField(Symbol symbol, long offset) {
        return new IllegalArgumentException("pointer offset: " + offset + " of " + symbol
                + " (expected: one of the pointer field offsets " + pointerFields(symbol) + ")");
    }

    static IllegalArgumentException notPointerSlot(long dataOffset) {
        return new IllegalArgumentException("data offset: " + dataOffset
                + " (expected: a pointer slot of the data section, see dataPointerMap())");
    }

    private static String pointerFields(Symbol symbol) {
        return symbol.type() == null
                ? "[]"
                : java.util.Arrays.toString(symbol.type().pointerMap().pointerOffsets());
    }
}
