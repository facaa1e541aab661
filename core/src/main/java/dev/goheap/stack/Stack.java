package dev.goheap.stack;

import static dev.goheap.stack.Records.HEADER_BYTES;
import static dev.goheap.stack.Records.STACK_HEADER_BYTES;

import dev.goheap.heap.Heap;
import dev.goheap.sched.Safepoints;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/**
 * A goroutine's stack (Go's {@code g.stack}): bump-pointer frames in one block of heap memory that
 * grows and shrinks by copying (DESIGN decisions 4 and 5). The layout, the paths, the zeroing and
 * low-water marks, and the invariants are in package-info.
 *
 * <pre>{@code
 * Stack stack = Goroutine.current().stack();
 * long f = stack.push(FIB);                          // zeroed frame; the handle is a long
 * stack.setLong(f, N, 30);
 * long node = stack.alloca(f, NODE);                 // an object in the frame, freed by the pop
 * stack.writePointer(f, LOCAL, stack.addressOf(node, 0));   // &node: adjusted when the stack moves
 * stack.pop(f);
 * }</pre>
 *
 * <p><b>Handles.</b> {@link #push} and {@link #alloca} return a handle, {@code seq << 32 |
 * offset}: relative to the stack, so it stays valid when the stack moves, and stamped with a
 * sequence number, so a handle whose frame was popped is refused ({@link IllegalStateException})
 * even after another frame took its place. Handles are opaque; a forged one may be accepted.
 * <b>Pointers into the stack</b> ({@link #addressOf}) are goheap pointers; in a Java local one is
 * valid until the next push, {@code alloca}, scratch allocation, {@link #shrink} or other safepoint
 * (a heap allocation or a poll, where the collector's handshake may shrink the stack; a park is
 * not one of these, a parked goroutine's stack never moves); kept in a pointer slot of this
 * stack it is valid while its frame lives, as every move adjusts it. Every other store path refuses it ({@link dev.goheap.PointerEscapeException}).
 *
 * <p><b>Thread safety:</b> none needed: every method but {@link #goroutineId} and {@link
 * #maxBytes} checks that the caller is the owner thread ({@link WrongThreadException} otherwise),
 * and none locks.
 * <p><b>Ownership:</b> the goroutine owns its stack; the memory comes from the heap and goes back
 * when the stack moves and when the goroutine ends or detaches ({@link IllegalStateException}
 * for any later use). Frames die at their pop; stack objects and scratch memory with their frame.
 * <p><b>Invariants:</b> once a frame was pushed, {@code 16 <= usedBytes() <= capacityBytes() <=
 * maxBytes()}; the records from offset 16 to {@code usedBytes()} tile the used part; every pointer
 * slot holds nil, a live heap object, or a pointer into the used part of this stack.
 */
public final class Stack {
    /** The first stack of a goroutine: 2 KiB (Go's {@code _StackMin}). */
    public static final long INITIAL_BYTES = 2048;
    /** The default maximum stack size: 1 GiB (Go's {@code maxstacksize} on 64-bit). */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** The largest maximum that may be configured: handles keep offsets in 32 bits. */
    public static final long MAX_MAX_BYTES = 1L << 31;
    /** Fresh memory is zeroed this far ahead of the push that first needs it. */
    static final long ZERO_AHEAD_BYTES = 4096;

    /** Header words: the stack's blocks are 8-aligned; unaligned access skips an alignment check. */
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    final Goroutines runtime;
    final Heap heap;
    /** Polled by push and pop (DESIGN decision 3); final, so the poll is one field load and one volatile read. */
    final Safepoints safepoints;
    final long maxBytes;
    private final long goroutineId;
    private Thread owner; // set before the owner thread starts; null after release

    // --- the current block: owner thread only ---
    MemorySegment segment = MemorySegment.NULL;
    long base;     // goheap pointer of offset 0; 0 before the first push and after release
    long capacity; // bytes of the block; 0 before the first push
    long top;      // first free offset
    long topFrame; // record offset of the top frame, 0 if none

    // --- the header of the record accessed last, and of a just-pushed top frame (owner thread
    // only; package-info "Header elision"). Primitives only: no GC barrier on the push path. ---
    long cachedHandle = NO_HANDLE; // valid while its offset is below top (package-info "Slot access")
    long cachedWord0;       // its header word 0
    // Header word 1 of the last record pushed (its seq is the stack's sequence counter), with
    // PENDING set while that record is the top frame and its header is not yet in memory.
    long pushed;
    static final long PENDING = Long.MIN_VALUE;
    /** A cachedHandle that matches no argument: its offset is above every top. */
    static final long NO_HANDLE = -1;

    // --- zeroing marks (owner thread only; package-info "Zeroing"): [cleanFrom, zeroedTo) is zero ---
    long cleanFrom; // one past the highest byte written since that memory was last known zero
    long zeroedTo;  // bytes from here to the capacity hold unknown contents

    // --- low-water marks (owner thread only; package-info "Pop") ---
    long adjustFrom = Records.NONE;   // lowest record that may hold a pointer into this stack
    long scratchFloor = Records.NONE; // lowest frame that handed out scratch segments
    long popSlowAt = -1;              // a pop at or below this offset does the housekeeping
    long[] deferred;                  // old blocks kept for scratch segments: pointer, bytes, ...
    int deferredCount;
    /** Owner thread only: a grow or shrink is allocating its new block (which may reach a safepoint). */
    boolean moving;
    private ScratchAllocator allocator;

    Stack(Goroutines runtime, long goroutineId, Thread owner) {
        this.runtime = runtime;
        this.heap = runtime.heap();
        this.safepoints = runtime.safepoints();
        this.maxBytes = runtime.maxStackBytes();
        this.goroutineId = goroutineId;
        this.owner = owner;
    }

    // ------------------------------------------------------------------ push and pop

    /**
     * Pushes a zeroed frame of {@code type} and returns its handle. The first push allocates the
     * 2 KiB stack; a push that does not fit moves the stack to a block twice as large (or larger).
     *
     * @throws dev.goheap.StackOverflowException if the stack would pass its maximum; it is unchanged then
     * @throws dev.goheap.OutOfHeapMemoryException if the heap cannot give the larger block; unchanged too
     */
    public long push(FrameType type) {
        checkOwner();
        safepoints.poll(); // before any field is read: a handshake action here may shrink the stack
        if (pushed < 0) {
            flushTop();
        }
        long body = type.bodyBytes();
        long at = top;
        if (at + HEADER_BYTES + body > capacity) {
            StackMemory.ensure(this, HEADER_BYTES + body);
            at = top;
        }
        long data = at + HEADER_BYTES;
        long end = data + body;
        if (data < cleanFrom || end > zeroedTo) {
            StackMemory.prepare(this, data, end);
        }
        long clean = cleanFrom;
        if (clean <= end && clean != data) {
            cleanFrom = data; // the body is zero up to zeroedTo; the header counts as written
        }
        int q = nextSeq();
        long handle = Records.handle(q, at);
        pushed = Records.word1(topFrame, q) | PENDING;
        cachedHandle = handle;
        cachedWord0 = Records.word0(Records.FRAME, type.id(), body);
        topFrame = at;
        top = end;
        return handle;
    }

    /**
     * Pops the top frame, with the stack objects and scratch memory allocated in it.
     *
     * @throws IllegalStateException if {@code frame} is not the top frame (out of order, popped
     *     already, or not a frame of this stack); nothing changes then
     */
    public void pop(long frame) {
        checkOwner();
        safepoints.poll(); // before any field is read, as in push
        long w1 = pushed;
        if (w1 >= 0 || frame != cachedHandle) {
            w1 = SlotAccess.checkPop(this, frame); // not the frame just pushed: read its header
        } else {
            w1 &= ~PENDING;
            pushed = w1;
        }
        long at = Records.offset(frame);
        topFrame = Records.link(w1); // the cached record (if it was frame) is now at top: invalid
        top = at;
        if (at <= popSlowAt) {
            StackMemory.afterLowPop(this, at);
        }
    }

    /**
     * Allocates a zeroed object of {@code type} in the top frame (Go's stack-allocated variables,
     * C's {@code alloca}) and returns its handle; it dies with the frame's pop. Read and write it
     * through the handle, and take its address with {@code addressOf(handle, 0)}.
     *
     * @throws IllegalStateException if {@code frame} is not the top frame
     * @throws dev.goheap.StackOverflowException as {@link #push}
     */
    public long alloca(long frame, ObjectType type) {
        checkOwner();
        FrameType t = type.asFrameType();
        SlotAccess.checkTopFrame(this, "alloca", frame);
        long at = StackMemory.append(this, Records.OBJECT, t.id(), t.bodyBytes());
        long handle = Records.handle(Records.seq(segment.get(WORD, at + 8)), at);
        cache(handle, segment.get(WORD, at));
        return handle;
    }

    /**
     * Returns a {@link SegmentAllocator} whose segments are bounded to their bytes and carved from
     * the top frame at bump-pointer cost: scratch space for FFM code ({@code allocateFrom},
     * struct-returning downcalls, jextract bindings). Like {@code slicingAllocator}'s, their
     * contents are unspecified (FFM code overwrites them): zero, or bytes this goroutine left on
     * its own stack, never another goroutine's. They die with the pop of the frame that was on
     * top when they were allocated; a move of the stack meanwhile leaves them valid (the old block
     * is freed at that pop). Only the owner thread may allocate; the segments may be handed to
     * any thread until the pop.
     */
    public SegmentAllocator allocator() {
        checkOwner();
        ScratchAllocator a = allocator;
        return a != null ? a : (allocator = new ScratchAllocator(this));
    }

    /**
     * Halves the stack by copying if it uses less than a quarter of its block and is larger than
     * 2 KiB (Go's {@code shrinkstack}, which Go's collector runs; goheap's collector calls it
     * through {@link Goroutine#shrinkStackIfOwner} in its handshake action, and an owner may call
     * it at any quiet point). Returns whether it moved.
     */
    public boolean shrink() {
        checkOwner();
        return StackMemory.shrink(this);
    }

    // ------------------------------------------------------------------ slots (checks in SlotAccess)

    /** Returns the byte at {@code offset} of the frame or stack object {@code handle}. */
    public byte getByte(long handle, long offset) {
        checkOwner();
        return segment.get(ValueLayout.JAVA_BYTE, SlotAccess.at(this, handle, offset, 1));
    }

    /** Stores {@code value} at {@code offset} of {@code handle} (not in a pointer slot). */
    public void setByte(long handle, long offset, byte value) {
        checkOwner();
        segment.set(ValueLayout.JAVA_BYTE, SlotAccess.writableAt(this, handle, offset, 1), value);
    }

    /** Returns the int at {@code offset} of {@code handle}. */
    public int getInt(long handle, long offset) {
        checkOwner();
        return segment.get(ValueLayout.JAVA_INT_UNALIGNED, SlotAccess.at(this, handle, offset, 4));
    }

    /** Stores {@code value} at {@code offset} of {@code handle} (not in a pointer slot). */
    public void setInt(long handle, long offset, int value) {
        checkOwner();
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, SlotAccess.writableAt(this, handle, offset, 4), value);
    }

    /** Returns the long at {@code offset} of {@code handle} (a pointer slot reads as its pointer). */
    public long getLong(long handle, long offset) {
        checkOwner();
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, SlotAccess.at(this, handle, offset, 8));
    }

    /** Stores {@code value} at {@code offset} of {@code handle} (not in a pointer slot). */
    public void setLong(long handle, long offset, long value) {
        checkOwner();
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, SlotAccess.writableAt(this, handle, offset, 8), value);
    }

    /** Returns the double at {@code offset} of {@code handle}. */
    public double getDouble(long handle, long offset) {
        checkOwner();
        return segment.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, SlotAccess.at(this, handle, offset, 8));
    }

    /** Stores {@code value} at {@code offset} of {@code handle} (not in a pointer slot). */
    public void setDouble(long handle, long offset, double value) {
        checkOwner();
        segment.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, SlotAccess.writableAt(this, handle, offset, 8), value);
    }

    /**
     * Returns the pointer in pointer slot {@code offset} of {@code handle}.
     *
     * @throws IllegalArgumentException if {@code offset} is not a pointer slot of the record's type
     */
    public long readPointer(long handle, long offset) {
        checkOwner();
        return segment.get(WORD, SlotAccess.pointerAt(this, handle, offset));
    }

    /**
     * Stores {@code value} in pointer slot {@code offset} of {@code handle}: nil, a live heap
     * object, or a pointer into the used part of this stack (adjusted whenever the stack moves).
     * Heap pointers go through {@link Heap#storePointer} (checks and write barrier); so does the
     * old value when a pointer into this stack replaces a heap pointer, so the barrier sees it go.
     *
     * @throws dev.goheap.PointerEscapeException if {@code value} points into another goroutine's stack
     * @throws IllegalArgumentException if {@code offset} is not a pointer slot, or {@code value}
     *     is no valid pointer; the slot is unchanged then
     */
    public void writePointer(long handle, long offset, long value) {
        checkOwner();
        SlotAccess.writePointer(this, handle, offset, value);
    }

    /**
     * Returns the goheap pointer of byte {@code offset} of {@code handle} (Go's {@code &x}). It
     * is valid until the stack next moves (at a push, {@code alloca}, scratch allocation, shrink,
     * or a safepoint) unless kept in a pointer slot of this stack.
     *
     * @throws IndexOutOfBoundsException if {@code offset} is not a byte of the record
     */
    public long addressOf(long handle, long offset) {
        checkOwner();
        return base + SlotAccess.at(this, handle, offset, 1);
    }

    /**
     * Returns the handle of the live frame or stack object whose bytes contain {@code pointer}
     * (a pointer into this stack, such as one read from a pointer slot); its offset in the record
     * is {@code pointer - addressOf(handle, 0)}. Walks down from the top frame.
     *
     * @throws IllegalArgumentException if {@code pointer} is not in a live record of this stack
     */
    public long handleOf(long pointer) {
        checkOwner();
        flushTop();
        return FrameWalk.handleOf(this, pointer);
    }

    /**
     * Calls {@code visitor} for every pointer slot of every live frame and stack object, bottom
     * up, with the slot's value (nil included): the collector's roots in this stack (DESIGN
     * decision 3), from each record's type bitmap. Allocates nothing. The collector calls it
     * through {@link Goroutine#forEachStackPointerSlot}, which also works from the thread that
     * holds the goroutine at a stop or handshake.
     */
    public void forEachPointerSlot(PointerSlotVisitor visitor) {
        checkOwner();
        flushTop();
        FrameWalk.forEachPointerSlot(this, visitor);
    }

    /**
     * {@link #forEachPointerSlot} from the thread that holds the goroutine parked or stopped
     * (the caller checked {@code Mutator.isHeldByCurrentThread()}): the owner cannot run until
     * released, and the hold's state transitions order its writes before ours and ours before
     * its next read (package {@code dev.goheap.sched}, "Happens-before").
     */
    void forEachPointerSlotHeld(PointerSlotVisitor visitor) {
        if (owner == null) {
            throw Errors.notOwner(this, null); // released: cannot happen while held, as deregistering waits
        }
        flushTop();
        FrameWalk.forEachPointerSlot(this, visitor);
    }

    /** {@link #shrink} at a safepoint of the owner (a handshake action): not inside a grow. */
    boolean shrinkAtSafepoint() {
        checkOwner();
        return !moving && StackMemory.shrink(this);
    }

    // ------------------------------------------------------------------ figures

    /** Returns the id of the goroutine that owns this stack. */
    public long goroutineId() {
        return goroutineId;
    }

    /** Returns the number of frames pushed and not popped (walks them). */
    public int depth() {
        checkOwner();
        flushTop();
        int n = 0;
        for (long f = topFrame; f != 0; f = Records.link(segment.get(WORD, f + 8))) {
            n++;
        }
        return n;
    }

    /** Returns the bytes in use, the 16-byte stack header included (0 before the first push). */
    public long usedBytes() {
        checkOwner();
        return top;
    }

    /** Returns the size of the current block (0 before the first push). */
    public long capacityBytes() {
        checkOwner();
        return capacity;
    }

    /** Returns the maximum size of this stack. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Returns whether {@code pointer} points into the used part of this stack. */
    public boolean contains(long pointer) {
        checkOwner();
        return base != 0 && pointer - base >= STACK_HEADER_BYTES && pointer - base < top;
    }

    @Override
    public String toString() {
        return "stack of goroutine " + goroutineId;
    }

    // ------------------------------------------------------------------ internals

    void checkOwner() {
        Thread o = owner;
        if (Thread.currentThread() != o) {
            throw Errors.notOwner(this, o);
        }
    }

    /** Ends the stack: frees its blocks (owner thread, at the goroutine's end or detach). */
    void release() {
        try {
            StackMemory.release(this);
        } finally {
            owner = null;
        }
    }

    /** Remembers the header of {@code handle}, whose record is live. */
    void cache(long handle, long word0) {
        flushTop(); // the cache may hold the pending top frame's header
        cachedHandle = handle;
        cachedWord0 = word0;
    }

    /** Writes the top frame's header to memory if it is still only in the cache. */
    void flushTop() {
        long w1 = pushed;
        if (w1 < 0) {
            w1 &= ~PENDING;
            segment.set(WORD, topFrame, cachedWord0);
            segment.set(WORD, topFrame + 8, w1);
            pushed = w1;
        }
    }

    /** Records a write that ends at stack offset {@code end} (setters and pointer stores). */
    void written(long end) {
        if (end > cleanFrom) {
            cleanFrom = end;
        }
    }

    int nextSeq() {
        int q = Records.seq(pushed) + 1;
        return q != 0 ? q : 1; // 0 marks scratch records and is never a handle's
    }

}
