package dev.goheap.type;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The type of a stack frame, or of an object allocated in one: a {@link StructLayout} plus the
 * names of its pointer fields, exactly like {@link ObjectType} (DESIGN decision 2), and a small
 * integer {@link #id()} that a frame's header in stack memory carries, so that the collector and
 * the stack's pointer adjustment find the frame's {@link PointerMap} from the header alone
 * ({@link #byId}; Go keeps a frame's pointer bitmap in the function's stack map, found from the
 * return address).
 *
 * <pre>{@code
 * static final FrameType FIB = FrameType.of("fib",
 *         MemoryLayout.structLayout(JAVA_LONG.withName("n"), JAVA_LONG.withName("result"),
 *                 JAVA_LONG.withName("node")),
 *         "node");                                         // the pointer slots
 * static final long N = FIB.offsetOf("n"), NODE = FIB.offsetOf("node");
 * }</pre>
 *
 * <p>Ids are global to the JVM, start at 1 (0 marks a raw scratch record) and are never reused:
 * create frame types once, in constants. The registry holds every frame type ever made.
 *
 * <p><b>Thread safety:</b> immutable; {@link #of} and {@link #byId} may be called from any thread.
 */
public final class FrameType {
    /** Frames and stack objects are 8-byte aligned and their bodies a multiple of 8 bytes. */
    public static final long ALIGNMENT = 8;
    /** The largest body a frame type may have: 1 GiB, which also fits a record's 32-bit size. */
    public static final long MAX_BYTE_SIZE = 1L << 30;

    private static final Object REGISTRY_LOCK = new Object();
    private static volatile FrameType[] registry = new FrameType[64]; // written under REGISTRY_LOCK
    private static int registered;                                   // guarded by REGISTRY_LOCK

    private final String name;
    private final StructLayout layout;
    private final List<String> pointerFields;
    private final PointerMap pointerMap;
    private final long bodyBytes;
    private final long firstPointerBits; // pointerMap.bitsAt(0), read on every stack slot write
    private final int id;

    private FrameType(String name, StructLayout layout, List<String> pointerFields, PointerMap map) {
        this.name = name;
        this.layout = layout;
        this.pointerFields = pointerFields;
        this.pointerMap = map;
        this.bodyBytes = (layout.byteSize() + ALIGNMENT - 1) & -ALIGNMENT;
        this.firstPointerBits = map.bitsAt(0);
        synchronized (REGISTRY_LOCK) {
            this.id = ++registered;
            FrameType[] table = registry;
            if (id >= table.length) {
                table = Arrays.copyOf(table, table.length * 2);
            }
            table[id] = this;
            registry = table; // volatile write publishes the entry (and a grown table)
        }
    }

    /**
     * Returns the frame type {@code name} with the given layout and pointer fields. An empty
     * layout (a frame with no slots) is allowed.
     *
     * @throws IllegalArgumentException for the reasons {@link ObjectType#of} gives (other than an
     *     empty layout), or if {@code layout.byteSize() > MAX_BYTE_SIZE}
     */
    public static FrameType of(String name, StructLayout layout, String... pointerFields) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(layout, "layout");
        if (layout.byteSize() > MAX_BYTE_SIZE) {
            throw new IllegalArgumentException("layout.byteSize(): " + layout.byteSize() + " (expected: <= "
                    + MAX_BYTE_SIZE + ") for frame type " + name);
        }
        if (layout.byteSize() == 0 && pointerFields.length == 0) {
            return new FrameType(name, layout, List.of(), PointerMap.of(0, new long[0]));
        }
        ObjectType checked = ObjectType.of(name, layout, pointerFields); // same rules, same messages
        return new FrameType(name, layout, checked.pointerFields(), checked.pointerMap());
    }

    /** Returns the frame type of objects of {@code type} allocated on a stack (see {@link ObjectType#asFrameType}). */
    static FrameType of(ObjectType type) {
        if (type.byteSize() > MAX_BYTE_SIZE) {
            throw new IllegalArgumentException("byteSize: " + type.byteSize() + " (expected: <= "
                    + MAX_BYTE_SIZE + ") for a stack object of type " + type.name());
        }
        return new FrameType(type.name(), type.layout(), type.pointerFields(), type.pointerMap());
    }

    /** Returns the frame type with id {@code id}, or null if there is none. Costs an array load. */
    public static FrameType byId(int id) {
        FrameType[] table = registry;
        return id > 0 && id < table.length ? table[id] : null;
    }

    /** Returns the id stack headers carry (1 or more). */
    public int id() {
        return id;
    }

    /** Returns the type's name, used in error messages. */
    public String name() {
        return name;
    }

    /** Returns the layout the type was made from. */
    public StructLayout layout() {
        return layout;
    }

    /** Returns the size of the layout in bytes. */
    public long byteSize() {
        return layout.byteSize();
    }

    /** Returns the bytes a frame of this type takes on a stack, without its header: {@link #byteSize} rounded up to 8. */
    public long bodyBytes() {
        return bodyBytes;
    }

    /** Returns the names of the pointer fields, in the order given. */
    public List<String> pointerFields() {
        return pointerFields;
    }

    /** Returns the pointer bitmap. */
    public PointerMap pointerMap() {
        return pointerMap;
    }

    /**
     * Returns the pointer bits of the first 64 words (bit {@code i} set: the word at byte offset
     * {@code 8 * i} is a pointer slot), {@code pointerMap().bitsAt(0)} in one field load: the
     * stack's slot checks read it.
     */
    public long firstPointerBits() {
        return firstPointerBits;
    }

    /** Returns whether the 8-byte word at byte offset {@code 8 * wordIndex} is a pointer slot (false outside). */
    public boolean isPointerWord(long wordIndex) {
        return wordIndex < 64 ? wordIndex >= 0 && (firstPointerBits >>> wordIndex & 1) != 0
                : pointerMap.isPointerWord(wordIndex);
    }

    /** Returns whether any slot holds a pointer. */
    public boolean hasPointers() {
        return pointerMap.pointerCount() > 0;
    }

    /**
     * Returns the byte offset of the top-level field {@code field}; resolve it once and keep it.
     *
     * @throws IllegalArgumentException if the layout has no member named {@code field}
     */
    public long offsetOf(String field) {
        Objects.requireNonNull(field, "field");
        for (MemoryLayout m : layout.memberLayouts()) {
            if (m.name().filter(field::equals).isPresent()) {
                return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
            }
        }
        throw new IllegalArgumentException("field: " + field + " (expected: one of "
                + layout.memberLayouts().stream().flatMap(m -> m.name().stream()).toList()
                + ") in frame type " + name);
    }

    @Override
    public String toString() {
        return "frame " + name + "#" + id + Arrays.toString(pointerMap.pointerOffsets()) + "(" + byteSize() + " bytes)";
    }
}
