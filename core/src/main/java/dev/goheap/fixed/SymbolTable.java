package dev.goheap.fixed;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The symbols of one link, by position (layout order: rodata, then data, each in the order the
 * builder was given them) and by name, with the data section's pointer map; and the checks of
 * {@link FixedSegments}' accessors against them (steps 1 to 5 of its "Access checks"; the caller
 * checks that the segments are open). The {@code …At} checks allocate nothing and return the
 * byte offset of the access in its section.
 *
 * <p><b>Thread safety:</b> immutable after construction; published through the final field of
 * {@link FixedSegments}.
 */
final class SymbolTable {
    private final Symbol[] byIndex;
    private final List<Symbol> list;
    private final Map<String, Symbol> byName;
    private final DataPointerMap pointerMap;
    private final long dataByteSize;

    SymbolTable(List<Symbol> symbols, DataPointerMap pointerMap) {
        this.pointerMap = pointerMap;
        this.dataByteSize = pointerMap.wordCount() * 8;
        this.byIndex = symbols.toArray(new Symbol[0]);
        this.list = List.copyOf(symbols);
        Map<String, Symbol> names = HashMap.newHashMap(byIndex.length);
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i].index != i || names.put(byIndex[i].name(), byIndex[i]) != null) {
                throw new InternalError("symbol table: symbol " + byIndex[i]
                        + " (expected: index " + i + ", unique name)");
            }
        }
        this.byName = Map.copyOf(names);
    }

    Symbol symbol(String name) {
        Symbol symbol = byName.get(name);
        if (symbol == null) {
            throw Errors.unknownSymbol(name, list.stream().map(Symbol::name).toList());
        }
        return symbol;
    }

    Optional<Symbol> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    List<Symbol> list() {
        return list;
    }

    DataPointerMap pointerMap() {
        return pointerMap;
    }

    /**
     * Fails unless {@code symbol} is this table's symbol at its index, or equal to it (the same
     * symbol of another link of the same builder). Allocates nothing.
     *
     * @throws NullPointerException if {@code symbol} is null
     * @throws IllegalArgumentException if {@code symbol} belongs to another symbol table
     */
    void checkMember(Symbol symbol) {
        int i = symbol.index;
        if (i >= byIndex.length || (byIndex[i] != symbol && !byIndex[i].equals(symbol))) {
            throw Errors.foreignSymbol(symbol);
        }
    }

    long readAt(Symbol symbol, long offset, long byteCount) {
        checkMember(symbol);
        checkBounds(symbol, offset, byteCount);
        return symbol.offset() + offset;
    }

    long writeAt(Symbol symbol, long offset, long byteCount) {
        checkMember(symbol);
        if (symbol.isReadOnly()) {
            throw Errors.readOnly(symbol);
        }
        checkBounds(symbol, offset, byteCount);
        long at = symbol.offset() + offset;
        if (pointerMap.overlapsPointerUnchecked(at, byteCount)) {
            throw Errors.primitiveIntoPointer(symbol, offset, byteCount);
        }
        return at;
    }

    long pointerAt(Symbol symbol, long offset) {
        checkMember(symbol);
        return pointerFieldAt(symbol, offset);
    }

    long pointerWriteAt(Symbol symbol, long offset) {
        checkMember(symbol);
        if (symbol.isReadOnly()) {
            throw Errors.readOnly(symbol);
        }
        return pointerFieldAt(symbol, offset);
    }

    /** Returns {@code dataOffset} if it is a pointer slot of the data section. */
    long slotAt(long dataOffset) {
        if (dataOffset < 0 || dataOffset > dataByteSize - Long.BYTES) {
            throw Errors.dataOffsetOutOfBounds(dataOffset, dataByteSize);
        }
        if ((dataOffset & 7) != 0 || !pointerMap.isPointerWord(dataOffset >>> 3)) {
            throw Errors.notPointerSlot(dataOffset);
        }
        return dataOffset;
    }

    /** The caller has checked that {@code symbol} is a member. */
    private long pointerFieldAt(Symbol symbol, long offset) {
        checkBounds(symbol, offset, Long.BYTES);
        long at = symbol.offset() + offset;
        if (symbol.isReadOnly() || (offset & 7) != 0 || !pointerMap.isPointerWord(at >>> 3)) {
            throw Errors.notPointerField(symbol, offset);
        }
        return at;
    }

    private static void checkBounds(Symbol symbol, long offset, long byteCount) {
        if (offset < 0 || offset > symbol.byteSize() - byteCount) {
            throw Errors.outOfBounds(symbol, offset, byteCount);
        }
    }
}
