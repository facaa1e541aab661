package dev.goheap.fixed;

import dev.goheap.type.ObjectType;
import java.util.Objects;

/**
 * One named entry of a {@link FixedSegments}' symbol table: where a symbol's bytes lie in its
 * {@link Section}.
 *
 * <p>Symbols are made only by {@link FixedSegments.Builder#link}; look them up once with {@link
 * FixedSegments#symbol} and keep them in fields, then every access costs a bounds check and no
 * lookup. A symbol is accepted by the {@link FixedSegments} that made it and by any other one
 * linked from the same builder (they are equal, see {@link #equals}); any other symbol is refused
 * with {@link IllegalArgumentException}.
 *
 * <p><b>Invariants:</b> {@code byteSize() > 0}; {@code offset()} is a multiple of the symbol's
 * alignment and of 8; the symbols of one section never overlap and never move.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class Symbol {
    private final String name;
    private final Section section;
    private final long offset;
    private final long byteSize;
    private final ObjectType type;
    final int index; // position in FixedSegments#symbols(), checked on every access

    Symbol(int index, String name, Section section, long offset, long byteSize, ObjectType type) {
        assert (section == Section.DATA) == (type != null) : "a symbol has a type iff it is data";
        assert byteSize > 0 && (offset & 7) == 0 : "symbol size > 0 and offset 8-aligned";
        this.index = index;
        this.name = name;
        this.section = section;
        this.offset = offset;
        this.byteSize = byteSize;
        this.type = type;
    }

    /** Returns the symbol's name, unique in its {@link FixedSegments}. */
    public String name() {
        return name;
    }

    /** Returns the section that holds the symbol. */
    public Section section() {
        return section;
    }

    /** Returns the byte offset of the symbol's first byte from the start of its section. */
    public long offset() {
        return offset;
    }

    /** Returns the symbol's size in bytes; it never changes. */
    public long byteSize() {
        return byteSize;
    }

    /** Returns the layout of a {@link Section#DATA} symbol, or {@code null} for rodata. */
    public ObjectType type() {
        return type;
    }

    /** Returns whether the symbol is read-only ({@link Section#RODATA}). */
    public boolean isReadOnly() {
        return section == Section.RODATA;
    }

    /**
     * Returns whether {@code o} is a symbol with the same name, section, offset, size, type and
     * position in the symbol table: true for the same symbol of two links of one builder.
     */
    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof Symbol s
                        && s.index == index
                        && s.offset == offset
                        && s.byteSize == byteSize
                        && s.section == section
                        && s.type == type
                        && s.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, section, offset, byteSize);
    }

    /** Returns the symbol as {@code section:name[+offset, byteSize bytes]}, with its type if any. */
    @Override
    public String toString() {
        return section + ":" + name + "[+" + offset + ", " + byteSize + " bytes"
                + (type == null ? "]" : ", " + type.name() + "]");
    }
}
