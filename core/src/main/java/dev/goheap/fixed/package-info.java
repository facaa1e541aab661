/**
 * Fixed segments: Go's {@code rodata} and {@code data}, laid out once by a tiny linker.
 *
 * <p>A program declares named symbols on a {@link dev.goheap.fixed.FixedSegments.Builder}:
 * <i>rodata</i> symbols are initialised bytes (constants, strings) and can never be written
 * again; <i>data</i> symbols are laid out as an {@link dev.goheap.type.ObjectType}, start zeroed
 * (every pointer nil, like Go's {@code .bss}) and are read and written for the life of the
 * program. {@link dev.goheap.fixed.FixedSegments.Builder#link link(heap)} places every symbol once;
 * no symbol ever grows, shrinks or moves. The pointer fields of data symbols are roots of the
 * collector (DESIGN decision 3), so every pointer store into them goes through the heap.
 *
 * <h2>Structures</h2>
 * <pre>
 *   one Arena.ofShared() per link, two sections in it
 *
 *   rodata section (only a read-only view is kept)
 *   0          8                   22  24        28  32
 *   +----------+-------------------+---+---------+---+
 *   | pi (8 B) | greeting (14 B)   |pad| magic   |pad|     every symbol starts at a multiple of 8
 *   +----------+-------------------+---+---------+---+
 *
 *   data section (writable, never handed out)
 *   0          8          16         20  24
 *   +----------+----------+----------+---+
 *   | root.val | root.next| stats.n  |pad|                  root: Node {long val; long next*}
 *   +----------+----------+----------+---+                  stats: Stats {int n}
 *   DataPointerMap: word 0 = 0, word 1 = 1 (root.next), word 2 = 0
 *
 *   SymbolTable: Symbol[] by index (layout order)  +  Map name -&gt; Symbol
 *   Symbol: name, section, offset in section, byteSize, type (data only), index
 * </pre>
 * <ul>
 *   <li>Each section lists its symbols in definition order; each symbol starts at a multiple of
 *       {@code max(8, its layout's alignment)} (rodata: 8), the gap before it is zero padding, and
 *       each section's size is rounded up to 8. The section itself is allocated at the largest
 *       alignment of its symbols, so offsets aligned in the section are aligned in memory.
 *   <li>{@link dev.goheap.fixed.DataPointerMap} is the union of the data symbols'
 *       {@link dev.goheap.type.PointerMap}s, each shifted by its symbol's offset / 8: bit
 *       {@code i} set means the word at data offset {@code 8i} is a pointer slot. It is the data
 *       section's Go {@code gcdata}.
 *   <li>Names are one namespace across both sections. A {@link dev.goheap.fixed.Symbol} knows its
 *       index in the table, so checking that a caller's symbol belongs to these segments is one
 *       array load and an identity comparison (an equality comparison when the symbol comes from
 *       another link of the same builder, which has the same layout).
 * </ul>
 *
 * <h2>Link (SectionLinker)</h2>
 * <ol>
 *   <li>The builder copies every definition when given ({@code byte[]} cloned, a
 *       {@code MemorySegment} read into an array at once), and refuses empty or duplicate names
 *       and empty rodata with {@link java.lang.IllegalArgumentException} at that call.
 *   <li>{@code link} assigns offsets: rodata symbols, then data symbols, in definition order,
 *       aligned as above; builds the {@code DataPointerMap} and the symbol table.
 *   <li>It opens a shared arena, allocates both sections (zeroed), copies rodata in, keeps only
 *       {@code rodataSection.asReadOnly()} and the writable data section. If anything fails the
 *       arena is closed again.
 *   <li>The builder keeps its definitions: linking again gives independent segments with an equal
 *       layout and equal symbols (one {@code GoRuntime} per link). Nothing is shared between them.
 * </ol>
 *
 * <h2>Access paths</h2>
 * A read ({@code getLong(symbol, offset)}): 1) {@code closed} check (one volatile load);
 * 2) symbol membership (index, identity); 3) bounds: {@code 0 <= offset <= byteSize - n};
 * 4) {@code section.get(layout, symbol.offset + offset)}, unaligned layouts for primitives. A
 * primitive write adds, after 2), a refusal for rodata ({@link
 * java.lang.UnsupportedOperationException}) and, after 3), a refusal for any byte that falls in a
 * pointer word ({@link java.lang.IllegalArgumentException}). A pointer access requires the offset
 * to be a pointer field (a bit of the {@code DataPointerMap}); a pointer write then calls {@link
 * dev.goheap.heap.Heap#storePointer} or {@link dev.goheap.heap.Heap#storePointerRelease} with the
 * data section and the slot's section offset. None of these steps allocates on the Java heap:
 * no view per access, no boxing; exceptions are built (by {@code Errors}) only on failure.
 *
 * <h2>Why pointer writes go through the heap's store path</h2>
 * {@code Heap.storePointer} is the one place where 1) the value is checked (nil, or the start of
 * a live object: a garbage pointer never reaches a root slot, and the slot is left unchanged), and
 * 2) the collector's write barrier sees the old and new value, so that a concurrent mark never
 * misses an object whose only reference moves into or out of the data section. A writable view of
 * the data section would let either be skipped, so none is handed out: {@code segment(symbol)}
 * of a data symbol is read-only, primitive stores refuse pointer words, and pointer stores refuse
 * non-pointer words (which the collector would not scan).
 *
 * <h2>Roots: how the collector scans data</h2>
 * Walk {@code dataPointerMap().bitsAt(g)} for {@code g < bitsLength()} and call {@code
 * readPointerAcquireAt(dataOffset)} for each set bit (see {@link dev.goheap.fixed.DataPointerMap});
 * {@code forEachPointerSlot} and {@code pointerSlots()} do the same walk for callers that do not
 * mind one lambda or one array per scan. Nothing is allocated per slot.
 *
 * <h2>Ordering contracts</h2>
 * <ul>
 *   <li>Primitive accessors, {@code readPointer}, {@code writePointer} and {@code readPointerAt}
 *       are plain; {@code readPointerAcquire}/{@code readPointerAcquireAt} are acquire loads and
 *       {@code writePointerRelease} a release store. Publish an initialised object to other
 *       threads with {@code writePointerRelease} and read it with {@code readPointerAcquire}; plain
 *       accesses need their own happens-before edge (a lock, a join).
 *   <li>Pointer slots are 8-aligned words: a racy reader sees either the old or the new pointer,
 *       never a mix. The collector's root scan relies on that plus the write barrier.
 *   <li>Rodata is written only before the segments are published (in {@code link}) and is
 *       reachable only through final fields, so any thread that holds the segments sees it.
 *   <li>{@code close()} sets {@code closed} (volatile) and closes the shared arena. A racing
 *       access that passed the check either completes before the arena's close handshake or fails
 *       with {@link java.lang.IllegalStateException} from the memory API: never a read of freed
 *       memory. {@code close()} is idempotent; if a view is in use by a native call the arena
 *       refuses to close, and the segments stay open.
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>DESIGN says a write to rodata throws {@link java.lang.UnsupportedOperationException}
 *       "from the read-only view". Every writer of {@code FixedSegments} ({@code set*}, {@code
 *       writePointer*}) does throw it, checked before the bounds. The views themselves are the
 *       JDK's read-only segments, and since JDK 22 (FFM final) those throw {@link
 *       java.lang.IllegalArgumentException} ("Attempt to write a read-only segment") for {@code
 *       set}, {@code fill}, {@code copy}, {@code setString} and var handle writes; a
 *       {@code MemorySegment} cannot be wrapped to change that. Either way the bytes stay as they
 *       were; the tests pin both behaviours.
 *   <li>{@code segment(symbol)} returns a read-only view for data symbols too (see above), and a
 *       fresh view per call: it is for I/O, not for hot paths.
 *   <li>{@code getLong} may read a pointer field (it reads the pointer, plainly); only writes are
 *       kept apart by kind.
 *   <li>{@code rodataString} stores the UTF-8 bytes and a terminating 0, like {@code
 *       Arena.allocateFrom(String)}, so {@code getString(0)} on the view returns the string.
 *   <li>The data pointer bitmap is its own type, {@code DataPointerMap}, with {@code PointerMap}'s
 *       vocabulary, because {@code PointerMap} has no public constructor from bits.
 * </ul>
 */
package dev.goheap.fixed;
