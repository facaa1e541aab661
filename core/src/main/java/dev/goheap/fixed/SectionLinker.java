package dev.goheap.fixed;

import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import dev.goheap.type.PointerMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state and the algorithm behind {@link FixedSegments.Builder}: collects symbol definitions,
 * then lays them out and copies them into fresh memory (see the numbered link steps in
 * package-info).
 *
 * <p><b>Thread safety:</b> none; confined to the builder's user.
 */
final class SectionLinker {
    /** Every symbol starts at a multiple of this, whatever its layout asks for. */
    static final long MIN_ALIGNMENT = 8;
    /** Rodata bytes are kept in a {@code byte[]} until link, so one symbol fits in an array. */
    static final long MAX_RODATA_BYTES = Integer.MAX_VALUE - 8;

    private record Definition(String name, byte[] bytes, ObjectType type) {
        long byteSize() {
            return type == null ? bytes.length : type.byteSize();
        }

        long alignment() {
            return type == null ? MIN_ALIGNMENT : Math.max(MIN_ALIGNMENT, type.layout().byteAlignment());
        }
    }

    private final List<Definition> rodata = new ArrayList<>();
    private final List<Definition> data = new ArrayList<>();
    private final Map<String, Section> names = new HashMap<>();

    /** Defines a rodata symbol holding a copy of {@code bytes} (the caller may reuse its array). */
    void addRodata(String name, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        checkName(name);
        if (bytes.length == 0) {
            throw Errors.zeroSize(name);
        }
        if (bytes.length > MAX_RODATA_BYTES) {
            throw Errors.tooLarge("rodata " + name, bytes.length, MAX_RODATA_BYTES);
        }
        define(new Definition(name, bytes.clone(), null), Section.RODATA);
    }

    /** Defines a rodata symbol holding a copy of {@code bytes}, read now (it may be closed later). */
    void addRodata(String name, MemorySegment bytes) {
        Objects.requireNonNull(bytes, "initialBytes");
        checkName(name);
        if (bytes.byteSize() == 0) {
            throw Errors.zeroSize(name);
        }
        if (bytes.byteSize() > MAX_RODATA_BYTES) {
            throw Errors.tooLarge("rodata " + name, bytes.byteSize(), MAX_RODATA_BYTES);
        }
        define(new Definition(name, bytes.toArray(ValueLayout.JAVA_BYTE), null), Section.RODATA);
    }

    void addData(String name, ObjectType type) {
        Objects.requireNonNull(type, "type");
        checkName(name);
        define(new Definition(name, null, type), Section.DATA); // ObjectType guarantees byteSize > 0
    }

    private void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw Errors.emptyName();
        }
        Section existing = names.get(name);
        if (existing != null) {
            throw Errors.duplicateName(name, existing);
        }
    }

    private void define(Definition definition, Section section) {
        names.put(definition.name(), section);
        (section == Section.RODATA ? rodata : data).add(definition);
    }

    /**
     * Lays out every definition, allocates both sections from a new shared arena, copies rodata
     * in, and returns the linked segments. The definitions stay, so linking again makes an
     * independent copy.
     */
    FixedSegments link(Heap heap) {
        Objects.requireNonNull(heap, "heap");
        if (heap.isClosed()) {
            throw Errors.heapClosed();
        }
        // 1) Offsets: each section in definition order, every symbol aligned up.
        List<Symbol> symbols = new ArrayList<>(rodata.size() + data.size());
        long rodataByteSize = place(rodata, Section.RODATA, symbols);
        long dataByteSize = place(data, Section.DATA, symbols);
        // 2) The data section's pointer bitmap, from each type's PointerMap shifted to its symbol.
        DataPointerMap pointerMap = pointerMap(symbols, dataByteSize);
        SymbolTable table = new SymbolTable(symbols, pointerMap);
        // 3) Memory: zeroed by the arena, so data starts all nil; rodata is copied in once and
        //    only its read-only view is kept.
        Arena arena = Arena.ofShared();
        try {
            MemorySegment rodataSection = arena.allocate(rodataByteSize, maxAlignment(rodata));
            MemorySegment dataSection = arena.allocate(dataByteSize, maxAlignment(data));
            for (int i = 0; i < rodata.size(); i++) {
                byte[] bytes = rodata.get(i).bytes();
                MemorySegment.copy(bytes, 0, rodataSection, ValueLayout.JAVA_BYTE,
                        symbols.get(i).offset(), bytes.length);
            }
            return new FixedSegments(heap, arena, rodataSection.asReadOnly(), dataSection, table);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Appends the symbols of one section to {@code symbols}; returns the section's byte size. */
    private static long place(List<Definition> definitions, Section section, List<Symbol> symbols) {
        long offset = 0;
        for (Definition d : definitions) {
            offset = alignUp(offset, d.alignment(), section);
            symbols.add(new Symbol(symbols.size(), d.name(), section, offset, d.byteSize(), d.type()));
            offset = add(offset, d.byteSize(), section);
        }
        return alignUp(offset, MIN_ALIGNMENT, section);
    }

    private static long maxAlignment(List<Definition> definitions) {
        long alignment = MIN_ALIGNMENT;
        for (Definition d : definitions) {
            alignment = Math.max(alignment, d.alignment());
        }
        return alignment;
    }

    private static long alignUp(long offset, long alignment, Section section) {
        return add(offset, alignment - 1, section) & -alignment;
    }

    private static long add(long a, long b, Section section) {
        long sum = a + b;
        if (sum < 0) {
            throw Errors.sectionOverflow(section);
        }
        return sum;
    }

    private static DataPointerMap pointerMap(List<Symbol> symbols, long dataByteSize) {
        long wordCount = dataByteSize >>> 3;
        if (wordCount > (long) Integer.MAX_VALUE * 64) {
            throw Errors.tooLarge("data section", dataByteSize, (long) Integer.MAX_VALUE * 512);
        }
        long[] bits = new long[(int) ((wordCount + 63) >>> 6)];
        for (Symbol symbol : symbols) {
            if (symbol.section() != Section.DATA) {
                continue;
            }
            PointerMap map = symbol.type().pointerMap();
            long firstWord = symbol.offset() >>> 3;
            for (int g = 0; g < map.bitsLength(); g++) {
                for (long word = map.bitsAt(g); word != 0; word &= word - 1) {
                    long w = firstWord + (long) g * 64 + Long.numberOfTrailingZeros(word);
                    bits[(int) (w >>> 6)] |= 1L << w;
                }
            }
        }
        return new DataPointerMap(wordCount, bits);
    }
}
