/**
 * Goroutines and their stacks: Go's {@code runtime/stack.go} and the goroutine half of
 * {@code proc.go}, on blocks of goheap's heap (DESIGN decisions 3 to 5).
 *
 * <h2>Names</h2>
 * <pre>
 *   Go                        goheap
 *   g                         {@link dev.goheap.stack.Goroutine} (a virtual thread, or an attached thread)
 *   g.stack, stack.lo/hi      {@link dev.goheap.stack.Stack}: base, capacity (a block of the heap)
 *   stackalloc / stackfree    Heap.allocateStack / Heap.freeStack (the block is marked as a stack)
 *   newstack + copystack      StackMemory.ensure / move: grow by copy, twice as large
 *   adjustpointers            FrameWalk.adjustPointers
 *   shrinkstack               {@link dev.goheap.stack.Stack#shrink} (halves when less than 1/4 is used)
 *   stack maps (funcdata)     a frame type's PointerMap, found from the type id in the frame's header
 *   needzero                  the zeroing marks cleanFrom / zeroedTo ("Zeroing" below)
 *   "&amp;x escapes to heap"      {@link dev.goheap.PointerEscapeException}, refused at run time
 *   _StackMin, maxstacksize   Stack.INITIAL_BYTES (2 KiB), GoRuntime.Builder.maxStackBytes (1 GiB)
 * </pre>
 *
 * <h2>Layout of a stack block</h2>
 * <pre>
 *  base (a goheap pointer: a heap block marked as a stack)                                capacity
 *  |stack hdr | frame #1          | object #2   | scratch   | frame #4          |  free ...      |
 *  |gid | 0   |hdr| body (type A) |hdr| body    |hdr| bytes |hdr| body (type B) |                |
 *  0          16                                                               top
 *             ^ topFrame of #1                               ^ topFrame = record offset of #4
 *
 *  record header, two words:
 *    word 0 = bodyBytes(32) | kind(2) | typeId(30)    kind: frame, stack object, scratch
 *    word 1 = link(32) | seq(32)                      link: previous frame (frame) or own frame (others)
 *  handle   = seq &lt;&lt; 32 | record offset              (never 0; seq 0 marks scratch records)
 * </pre>
 * Records tile {@code [16, top)}: a walk from offset 16 steps by {@code 16 + bodyBytes}. Frames
 * are chained through their links from {@code topFrame} down. Stack objects ({@code alloca}) and
 * scratch blocks sit above the frame that was on top when they were made and die with its pop.
 * The stack header's word 0 is the owner's goroutine id, written by {@code Heap.allocateStack},
 * so the heap can name the goroutine in an escape error. Bodies are 8-aligned (the block is).
 *
 * <h2>Push ({@link dev.goheap.stack.Stack#push})</h2>
 * <ol>
 *   <li>Owner check ({@code Thread.currentThread() == owner}, else {@link java.lang.WrongThreadException}),
 *       then a safepoint ({@code safepoints.poll()}: one volatile read unless a stop or handshake
 *       is pending; see {@link dev.goheap.sched}). It comes before any field is read, because a
 *       handshake action run there may scan or shrink this stack.</li>
 *   <li>If the top frame's header is still pending (see "Header elision"), write it.</li>
 *   <li>If {@code top + 16 + body > capacity}: grow ("Grow"); the first push allocates the first block.</li>
 *   <li>Zero what of the body may be dirty ("Zeroing"): usually nothing.</li>
 *   <li>Keep the header in fields ({@code cachedWord0}, {@code pushed} with PENDING set), set
 *       {@code topFrame} and {@code top}, return {@code seq << 32 | offset}.</li>
 * </ol>
 *
 * <h2>Pop ({@link dev.goheap.stack.Stack#pop})</h2>
 * <ol>
 *   <li>Owner check, then a safepoint, as in push.</li>
 *   <li>Fast path: the frame is the one pushed last and still on top (PENDING set, same handle):
 *       its link is in {@code pushed}; no memory is read.</li>
 *   <li>Otherwise its offset must be {@code topFrame} and its header's seq the handle's, else
 *       {@link java.lang.IllegalStateException} (out of order, twice, or stale) and nothing changes.</li>
 *   <li>{@code top = offset}, {@code topFrame = link}. Nothing is zeroed: the next push does that
 *       if it must.</li>
 *   <li>If {@code offset <= popSlowAt} (a low-water mark, below), forget what the pop removed:
 *       "no record holds a pointer into the stack any more", "no scratch segment is live any more,
 *       so free the old blocks kept for them".</li>
 * </ol>
 *
 * <h2>Header elision</h2>
 * A frame pushed and popped without anything above it never has its header written: push keeps
 * it in {@code cachedWord0} and {@code pushed}, and everything that reads headers from memory
 * first writes it ({@code flushTop}: the next push, {@code alloca}, scratch, a grow, the walks,
 * the slow paths, error messages). Go keeps the current frame's PC and SP in registers the same
 * way. This takes push + pop from 5 memory accesses to none in the common case; with FFM each
 * access costs a bounds and a liveness check.
 *
 * <h2>Slot access</h2>
 * {@code getLong(handle, offset)} and friends: owner check, then the header of {@code handle}:
 * from the one-entry cache ({@code cachedHandle}, {@code cachedWord0}: the record pushed or
 * accessed last) if {@code handle == cachedHandle} and its offset is below {@code top}, else from
 * memory after checking the offset range and that the header's seq is the handle's (stale
 * handles fail with {@link java.lang.IllegalStateException}), which refills the cache. Then the
 * bounds ({@link java.lang.IndexOutOfBoundsException}), for stores the pointer-word check (the
 * type's bitmap: primitives never go into pointer slots, pointers only into them), and one
 * access of the block. The cache stays exact because every way {@code top} grows either sets it
 * (push, alloca) or clears it (scratch), and pops leave its record at or above {@code top}.
 *
 * <h2>Zeroing</h2>
 * Frames and stack objects read zero when pushed, but nothing is zeroed that is known to be
 * zero. Two marks: bytes in {@code [cleanFrom, zeroedTo)} are zero; bytes from {@code zeroedTo}
 * up hold whatever the heap block held before (the heap does not zero large stack blocks).
 * Every store through the stack raises {@code cleanFrom} to its end; a push zeroes
 * {@code [data, min(end, cleanFrom))} and, if it reaches past {@code zeroedTo}, zeroes fresh
 * memory up to its end and 4 KiB beyond (so fresh memory is zeroed in bulk, once). After the
 * push the body is zero, so {@code cleanFrom} drops to the body's start unless dirty bytes lie
 * above the frame. A move copies the used bytes only: {@code zeroedTo = used}. Scratch blocks
 * are zeroed only where fresh: they may show this goroutine's own old bytes, never another's.
 *
 * <h2>Grow ({@code StackMemory.ensure}, Go's newstack + copystack)</h2>
 * <ol>
 *   <li>{@code need = top + 16 + body}; above {@code maxBytes}: {@link
 *       dev.goheap.StackOverflowException} with the stack unchanged.</li>
 *   <li>New size: twice the capacity, doubled again until {@code need} fits, capped at the maximum.</li>
 *   <li>{@code heap.allocateStack(size, goroutineId)}; an {@link dev.goheap.OutOfHeapMemoryException}
 *       here also leaves the stack unchanged.</li>
 *   <li>Copy {@code [0, top)} (headers, frames, objects) with one {@code MemorySegment.copy}.</li>
 *   <li>Adjust pointers (Go's adjustpointers): walk the records from {@code adjustFrom} (the lowest
 *       record that ever received a pointer into the stack; {@code NONE} skips the walk) to
 *       {@code top}; for each pointer slot of the record's type whose value lies in
 *       {@code [oldBase, oldBase + oldCapacity)}, add {@code newBase - oldBase}. Only this
 *       stack's slots can hold such pointers: every other store path refuses them ("Escapes").</li>
 *   <li>Free the old block, or keep it until the frame that handed out scratch segments is popped
 *       ("Scratch"). Handles are offsets: they stay valid.</li>
 * </ol>
 * {@link dev.goheap.stack.Stack#shrink} is the same move to half the capacity, when less than a
 * quarter is used (never below 2 KiB, at most by half at a time); the collector calls it at its
 * stack scan through {@link dev.goheap.stack.Goroutine#shrinkStackIfOwner}, as Go's does: only on
 * the owner's thread (a parked goroutine's stack never moves), and not inside a grow, whose block
 * allocation may reach a safepoint ({@code moving}).
 *
 * <h2>Escapes</h2>
 * {@code Heap.allocateStack} marks the block in its span (a bit per slot, or a flag for a large
 * span). {@code Heap.checkPointer}, on which every store path rests ({@code writePointer} of heap
 * objects, data slots, stack frames), refuses any value inside a marked block with a {@link
 * dev.goheap.PointerEscapeException} ("&amp;stack+48 (0x...) escapes to heap: pointer into the
 * stack of goroutine 7 stored in heap object 0x...+8") and counts it. The stack's own store path
 * ({@link dev.goheap.stack.Stack#writePointer}) lets a value in {@code [base + 16, base + top)}
 * through without the heap (and lowers {@code adjustFrom}); any other value goes to the heap's
 * path, so a pointer into another goroutine's stack is refused there too. The write barrier only
 * ever sees heap pointers: when a stack pointer replaces a heap pointer in a slot, the heap
 * pointer's removal goes through the barrier as a store of nil first.
 *
 * <h2>Scratch ({@link dev.goheap.stack.Stack#allocator})</h2>
 * A scratch block is a record on top of the top frame; the segment handed out is a slice of the
 * current block, aligned by padding inside the record. If the stack moves while such segments
 * live, the old block is not freed but kept ({@code deferred}) until the frame that was on top
 * at the first scratch allocation ({@code scratchFloor}) is popped: a segment stays valid, on
 * the memory it was handed, until its frame's pop, as the allocator promises.
 *
 * <h2>Roots</h2>
 * {@link dev.goheap.stack.Stack#forEachPointerSlot} walks the records bottom up and reports every
 * pointer slot of every frame and stack object with its value: the collector's stack roots,
 * scanned at a handshake (DESIGN decision 7) through {@link
 * dev.goheap.stack.Goroutine#forEachStackPointerSlot}: by the owner at its safepoint, or by the
 * handshake's caller while the goroutine is parked and held (or stopped), the one case where a
 * thread other than the owner touches a stack. The hold orders the owner's writes before the
 * scan and the scan's (a header written back) before the owner runs on.
 *
 * <h2>Goroutines ({@link dev.goheap.stack.Goroutines})</h2>
 * <ol>
 *   <li>{@code go(task)}: under the registry lock, refuse if closing, count the goroutine and take
 *       an id; make a {@code Goroutine} with its {@code Stack} (no memory yet), its safepoint
 *       record ({@code Mutator}) and an unstarted virtual thread; start it.</li>
 *   <li>On its thread: set {@code Goroutine.current()}, register with the runtime's safepoints
 *       (waiting there while the world is stopped), run the task and keep what it threw.</li>
 *   <li>At the end, in this order: deregister from the safepoints (waiting while a stop or
 *       handshake holds it: its stack may be being scanned), free the stack's blocks, flush the
 *       thread's heap cache, clear {@code current()}, uncount the goroutine (signalling a waiting
 *       close), open the join latch. So a {@code join} that returns happens after every write of
 *       the goroutine and after its memory went back.</li>
 *   <li>{@code attach()} does steps 1 and 2 for the calling thread; {@code detach()} does step 3.</li>
 * </ol>
 *
 * <h2>Close</h2>
 * {@code GoRuntime.close()} first closes the goroutines: refuse new ones, detach the caller if
 * it is attached (a goroutine started by {@code go} may not close: it would wait for itself),
 * and wait up to the close timeout (10 s by default) for the count to reach 0. If it does not,
 * it throws {@link java.lang.IllegalStateException}, reopens and frees nothing: no memory is ever
 * freed under a running goroutine. Only then are the fixed segments and the heap closed.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code 16 <= top <= zeroedTo <= capacity <= maxBytes} once a block exists; records tile
 *       {@code [16, top)}; the first record is a frame; links point down.</li>
 *   <li>PENDING set in {@code pushed} implies the cached record is the top frame.</li>
 *   <li>Every pointer slot holds nil, a heap pointer, or a pointer into {@code [16, top)} of this
 *       stack, in a record at or above {@code adjustFrom}.</li>
 *   <li>{@code [cleanFrom, zeroedTo)} is zero; {@code popSlowAt} is the larger of the two
 *       low-water marks.</li>
 *   <li>Every block the stack allocated is either current, kept in {@code deferred}, or freed;
 *       after the goroutine's end all are freed.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * A stack is confined to its owner thread: no field of it is shared, nothing locks; the one
 * exception is the scan by a thread that holds the goroutine (Roots). The registry
 * ({@code Goroutines}) is guarded by its lock; the stack figures are atomic counters. Join uses a
 * latch, whose count-down happens-after everything the goroutine did.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>Handles are {@code long}s, not objects: push, pop and slot access allocate nothing.</li>
 *   <li>The first block is allocated by the first push, on the goroutine's own thread (into its
 *       own heap cache), not by {@code go}.</li>
 *   <li>The maximum stack size is at most 2 GiB (handles keep 32-bit offsets); frame types at
 *       most 1 GiB.</li>
 *   <li>{@code shrink()} is explicit, or the collector's (at a handshake, on the owner); a
 *       goroutine's end frees everything anyway.</li>
 *   <li>{@code heap.free} of a stack block's pointer is not refused on the free fast path (which
 *       stays as fast as it was); a program can only get that pointer by arithmetic on an
 *       address, and then corrupts its own stack, never the JVM.</li>
 * </ul>
 */
package dev.goheap.stack;
