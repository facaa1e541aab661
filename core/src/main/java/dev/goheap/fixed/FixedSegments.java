package dev.goheap.fixed;

import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Go's {@code rodata} and {@code data} segments: named symbols laid out once by a {@link Builder}
 * (a tiny linker with a symbol table), whose sizes and offsets never change. The layout, the
 * link steps and the ordering contracts are in the package's design note (package-info).
 *
 * <pre>{@code
 * FixedSegments fixed = FixedSegments.builder()
 *         .rodataString("greeting", "hello")
 *         .data("root", NODE)                // NODE: an ObjectType with pointer field "next"
 *         .link(heap);
 * Symbol root = fixed.symbol("root");        // look up once, keep in a field
 * fixed.writePointerRelease(root, NEXT, heap.newObject(NODE));
 * }</pre>
 *
 * <p><b>Access checks.</b> Every method but {@link #close}, {@link #isClosed} and {@code toString} throws
 * {@link IllegalStateException} if {@code isClosed()}. Every accessor taking a {@code (Symbol
 * symbol, long offset)} then checks, in this order, and throws:
 * <ol>
 *   <li>{@link NullPointerException} if {@code symbol == null};
 *   <li>{@link IllegalArgumentException} if {@code symbol} is not one of {@link #symbols()} (or
 *       equal to one: the same symbol of another link of the same builder);
 *   <li>writes only: {@link UnsupportedOperationException} if {@code symbol.isReadOnly()};
 *   <li>{@link IndexOutOfBoundsException} if {@code offset < 0 || offset + n > symbol.byteSize()},
 *       {@code n} being the access's byte count (8 for pointers);
 *   <li>primitive writes: {@link IllegalArgumentException} if any of the {@code n} bytes lies in a
 *       pointer field; pointer accessors: {@link IllegalArgumentException} if {@code offset} is not
 *       the offset of one of {@code symbol.type()}'s pointer fields (never true for rodata);
 *   <li>pointer writes: {@link IllegalArgumentException} from the heap unless {@code value} is nil
 *       or the start of a live object; the slot is then unchanged.
 * </ol>
 * Primitive accessors use native byte order and need no alignment.
 *
 * <p><b>Thread safety:</b> safe for use from any thread. Memory ordering: {@code get*}, {@code
 * set*}, {@link #readPointer} and {@link #writePointer} are plain accesses; {@link
 * #readPointerAcquire} and {@link #writePointerRelease} are an acquire load and a release store
 * of the slot, so a thread that initialises an object and publishes it with {@code
 * writePointerRelease} lets any thread that reads the pointer with {@code readPointerAcquire} see
 * the initialised object. Pointer slots are 8-aligned, so no pointer read ever tears. Rodata is
 * immutable after {@link Builder#link} and safely published by the final fields of this object.
 *
 * <p><b>Ownership:</b> the segments own one {@link Arena#ofShared() shared arena} holding both
 * sections; {@link #close} frees it, after which views from {@link #segment} and {@link #rodata}
 * throw {@link IllegalStateException} too. The {@link Heap} is borrowed: close the segments
 * before the heap (as {@code GoRuntime} does); they never close it, and pointer writes after the
 * heap is closed throw the heap's {@link IllegalStateException}.
 */
public final class FixedSegments implements AutoCloseable {
    private static final ValueLayout.OfLong POINTER = ValueLayout.JAVA_LONG; // slots are 8-aligned
    private static final VarHandle POINTER_HANDLE = POINTER.varHandle(); // (MemorySegment, long)

    private final Heap heap;
    private final Arena arena;
    private final MemorySegment rodata; // read-only view of the rodata section
    private final MemorySegment data;   // writable, never handed out: pointers go through the heap
    private final SymbolTable table;   // symbols, data pointer map, and the access checks
    private volatile boolean closed;    // written under the monitor (close), read racily: see close

    FixedSegments(Heap heap, Arena arena, MemorySegment rodata, MemorySegment data, SymbolTable table) {
        assert rodata.isReadOnly() : "only the read-only rodata view is kept";
        this.heap = heap;
        this.arena = arena;
        this.rodata = rodata;
        this.data = data;
        this.table = table;
    }

    /** Returns a new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- symbol table ----------------------------------------------------------------------

    /**
     * Returns the symbol named {@code name}.
     *
     * @throws IllegalArgumentException if no symbol is named {@code name}
     */
    public Symbol symbol(String name) {
        checkOpen();
        return table.symbol(Objects.requireNonNull(name, "name"));
    }

    /** Returns the symbol named {@code name}, or empty if there is none. */
    public Optional<Symbol> lookup(String name) {
        checkOpen();
        return table.lookup(Objects.requireNonNull(name, "name"));
    }

    /** Returns every symbol in layout order: rodata, then data, each in definition order. */
    public List<Symbol> symbols() {
        checkOpen();
        return table.list();
    }

    /** Returns the size of the rodata section in bytes (a multiple of 8; 0 if it has no symbol). */
    public long rodataByteSize() {
        checkOpen();
        return rodata.byteSize();
    }

    /** Returns the size of the data section in bytes (a multiple of 8; 0 if it has no symbol). */
    public long dataByteSize() {
        checkOpen();
        return data.byteSize();
    }

    // ---- views -----------------------------------------------------------------------------

    /**
     * Returns a read-only view of exactly {@code symbol}'s bytes, for I/O and native calls.
     * Allocates the view: keep it. Writes through it fail as the JDK's read-only segments fail
     * (JDK 22+): {@link MemorySegment#set}, {@code fill}, {@code copy} and var handles throw
     * {@link IllegalArgumentException}, {@code asByteBuffer()} writes {@link
     * java.nio.ReadOnlyBufferException} (an {@link UnsupportedOperationException}); only this
     * class's own writers can throw {@code UnsupportedOperationException} for every write.
     *
     * @throws IllegalArgumentException if {@code symbol} is not a rodata symbol of these segments
     */
    public MemorySegment rodata(Symbol symbol) {
        checkSymbol(symbol);
        if (!symbol.isReadOnly()) {
            throw Errors.notRodata(symbol);
        }
        return rodata.asSlice(symbol.offset(), symbol.byteSize());
    }

    /**
     * Returns a read-only view of exactly {@code symbol}'s bytes, in either section. A data
     * symbol's view shows later writes (plain reads); it is read-only so that no pointer store
     * bypasses the heap's store path. Allocates the view: keep it.
     *
     * @throws IllegalArgumentException if {@code symbol} is not a symbol of these segments
     */
    public MemorySegment segment(Symbol symbol) {
        checkSymbol(symbol);
        return section(symbol).asSlice(symbol.offset(), symbol.byteSize()).asReadOnly();
    }

    // ---- primitives (plain; see "Access checks") -------------------------------------------

    /** Returns the byte at {@code offset} of {@code symbol}. */
    public byte getByte(Symbol symbol, long offset) {
        checkOpen();
        return section(symbol).get(ValueLayout.JAVA_BYTE, table.readAt(symbol, offset, Byte.BYTES));
    }

    /** Stores the byte {@code value} at {@code offset} of data symbol {@code symbol}. */
    public void setByte(Symbol symbol, long offset, byte value) {
        checkOpen();
        data.set(ValueLayout.JAVA_BYTE, table.writeAt(symbol, offset, Byte.BYTES), value);
    }

    /** Returns the int at {@code offset} of {@code symbol}. */
    public int getInt(Symbol symbol, long offset) {
        checkOpen();
        return section(symbol).get(ValueLayout.JAVA_INT_UNALIGNED, table.readAt(symbol, offset, Integer.BYTES));
    }

    /** Stores the int {@code value} at {@code offset} of data symbol {@code symbol}. */
    public void setInt(Symbol symbol, long offset, int value) {
        checkOpen();
        data.set(ValueLayout.JAVA_INT_UNALIGNED, table.writeAt(symbol, offset, Integer.BYTES), value);
    }

    /** Returns the long at {@code offset} of {@code symbol} (a pointer field reads as its pointer). */
    public long getLong(Symbol symbol, long offset) {
        checkOpen();
        return section(symbol).get(ValueLayout.JAVA_LONG_UNALIGNED, table.readAt(symbol, offset, Long.BYTES));
    }

    /** Stores the long {@code value} at {@code offset} of data symbol {@code symbol}. */
    public void setLong(Symbol symbol, long offset, long value) {
        checkOpen();
        data.set(ValueLayout.JAVA_LONG_UNALIGNED, table.writeAt(symbol, offset, Long.BYTES), value);
    }

    /** Returns the double at {@code offset} of {@code symbol}. */
    public double getDouble(Symbol symbol, long offset) {
        checkOpen();
        return section(symbol).get(ValueLayout.JAVA_DOUBLE_UNALIGNED, table.readAt(symbol, offset, Double.BYTES));
    }

    /** Stores the double {@code value} at {@code offset} of data symbol {@code symbol}. */
    public void setDouble(Symbol symbol, long offset, double value) {
        checkOpen();
        data.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, table.writeAt(symbol, offset, Double.BYTES), value);
    }

    // ---- pointers (see "Access checks") ----------------------------------------------------

    /** Returns the pointer in the pointer field at {@code offset} of {@code symbol}; plain load. */
    public long readPointer(Symbol symbol, long offset) {
        checkOpen();
        return data.get(POINTER, table.pointerAt(symbol, offset));
    }

    /** Returns the pointer in the pointer field at {@code offset} of {@code symbol}; acquire load. */
    public long readPointerAcquire(Symbol symbol, long offset) {
        checkOpen();
        return (long) POINTER_HANDLE.getAcquire(data, table.pointerAt(symbol, offset));
    }

    /**
     * Stores {@code value} (nil or a live object's start) in the pointer field at {@code offset}
     * of {@code symbol} through {@link Heap#storePointer}, where the write barrier runs; plain
     * store.
     */
    public void writePointer(Symbol symbol, long offset, long value) {
        checkOpen();
        heap.storePointer(data, table.pointerWriteAt(symbol, offset), value);
    }

    /** As {@link #writePointer}, through {@link Heap#storePointerRelease}: a release store. */
    public void writePointerRelease(Symbol symbol, long offset, long value) {
        checkOpen();
        heap.storePointerRelease(data, table.pointerWriteAt(symbol, offset), value);
    }

    // ---- roots: the collector's scan of the data section -----------------------------------

    /** Returns the bitmap of the data section's pointer slots (immutable; scan it without allocating). */
    public DataPointerMap dataPointerMap() {
        checkOpen();
        return table.pointerMap();
    }

    /** Returns the data offset of every pointer slot, ascending (one array for all slots). */
    public long[] pointerSlots() {
        checkOpen();
        return table.pointerMap().pointerOffsets();
    }

    /** Calls {@code visitor} with the data offset of every pointer slot, ascending. */
    public void forEachPointerSlot(LongConsumer visitor) {
        Objects.requireNonNull(visitor, "visitor");
        checkOpen();
        table.pointerMap().forEachPointerOffset(visitor);
    }

    /**
     * Returns the pointer in the slot at {@code dataOffset} of the data section; plain load.
     *
     * @throws IndexOutOfBoundsException if {@code dataOffset < 0 || dataOffset + 8 > dataByteSize()}
     * @throws IllegalArgumentException if {@code dataOffset} is not a pointer slot
     */
    public long readPointerAt(long dataOffset) {
        checkOpen();
        return data.get(POINTER, table.slotAt(dataOffset));
    }

    /** As {@link #readPointerAt}, with an acquire load. */
    public long readPointerAcquireAt(long dataOffset) {
        checkOpen();
        return (long) POINTER_HANDLE.getAcquire(data, table.slotAt(dataOffset));
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /** Returns whether {@link #close} has been called (and did not fail). */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees both sections; every later use throws {@link IllegalStateException}. Idempotent.
     *
     * <p>A thread racing with close may pass the {@code closed} check and then touch a section:
     * the shared arena's close handshake makes that access either finish before the memory is
     * freed or fail with {@link IllegalStateException}, never read freed memory.
     *
     * @throws IllegalStateException if a view of a section is in use by a native call (see {@link
     *     Arena#close}); the segments then stay open
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            arena.close();
        } catch (IllegalStateException busy) {
            closed = false;
            throw busy;
        }
    }

    @Override
    public String toString() {
        return "FixedSegments[" + table.list().size() + " symbols, rodata " + rodata.byteSize()
                + " bytes, data " + data.byteSize() + " bytes" + (closed ? ", closed]" : "]");
    }

    // ---- checks (the symbol checks are SymbolTable's) --------------------------------------

    private void checkOpen() {
        if (closed) {
            throw Errors.closed();
        }
    }

    private void checkSymbol(Symbol symbol) {
        checkOpen();
        table.checkMember(symbol);
    }

    private MemorySegment section(Symbol symbol) {
        return symbol.section() == Section.DATA ? data : rodata;
    }

    /**
     * Collects symbol definitions and links them ({@link #link}) into {@link FixedSegments}.
     * Definitions are copied when given, so later changes to the caller's bytes do not show.
     * {@code name} is one namespace across both sections.
     *
     * <p><b>Thread safety:</b> not thread-safe; confine a builder to one thread.
     */
    public static final class Builder {
        private final SectionLinker linker = new SectionLinker();

        private Builder() {}

        /**
         * Defines rodata symbol {@code name} holding a copy of {@code bytes}.
         *
         * @throws IllegalArgumentException if {@code name} is empty or already defined, or if
         *     {@code bytes.length == 0}
         */
        public Builder rodata(String name, byte[] bytes) {
            linker.addRodata(name, bytes);
            return this;
        }

        /**
         * Defines rodata symbol {@code name} holding a copy of {@code initialBytes}, read now.
         *
         * @throws IllegalArgumentException if {@code name} is empty or already defined, or if
         *     {@code initialBytes.byteSize() == 0 || initialBytes.byteSize() > Integer.MAX_VALUE - 8}
         */
        public Builder rodata(String name, MemorySegment initialBytes) {
            linker.addRodata(name, initialBytes);
            return this;
        }

        /**
         * Defines rodata symbol {@code name} holding {@code value}'s UTF-8 bytes and a
         * terminating 0 byte (as {@link Arena#allocateFrom(String)}), so that {@code
         * rodata(symbol).getString(0)} returns {@code value}.
         *
         * @throws IllegalArgumentException if {@code name} is empty or already defined
         */
        public Builder rodataString(String name, String value) {
            byte[] utf8 = Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
            linker.addRodata(name, Arrays.copyOf(utf8, utf8.length + 1));
            return this;
        }

        /**
         * Defines data symbol {@code name} laid out as {@code type}, zeroed at link (nil pointers).
         *
         * @throws IllegalArgumentException if {@code name} is empty or already defined
         */
        public Builder data(String name, ObjectType type) {
            linker.addData(name, type);
            return this;
        }

        /**
         * Lays out every symbol defined so far in memory from a new shared arena, and returns
         * them; pointer stores will go through {@code heap}. The builder is left as it was:
         * linking again gives independent segments with an equal layout.
         *
         * @throws IllegalStateException if {@code heap.isClosed()}
         * @throws IllegalArgumentException if a section would be larger than a {@code long} allows
         */
        public FixedSegments link(Heap heap) {
            return linker.link(heap);
        }
    }
}
