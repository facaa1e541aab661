package dev.goheap.stack;

import static dev.goheap.stack.Records.HEADER_BYTES;
import static dev.goheap.stack.Records.STACK_HEADER_BYTES;
import static dev.goheap.stack.Stack.WORD;

import dev.goheap.OutOfHeapMemoryException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A stack's memory: the first block, moves to a larger or smaller block (Go's {@code copystack}),
 * the frees at the end (old blocks kept for scratch segments included), the records added on top
 * of the top frame, the zeroing marks and the low-water marks. See package-info "Grow",
 * "Zeroing" and "Pop".
 *
 * <p><b>Thread safety:</b> owner thread only, like the {@link Stack} it works on.
 */
final class StackMemory {
    private StackMemory() {}

    /** Appends a record of {@code kind} above the top frame's records; returns its offset. */
    static long append(Stack st, int kind, int typeId, long body) {
        st.flushTop();
        long at = st.top;
        if (at + HEADER_BYTES + body > st.capacity) {
            ensure(st, HEADER_BYTES + body);
            at = st.top;
        }
        long data = at + HEADER_BYTES;
        long end = data + body;
        if (kind == Records.SCRATCH) {
            if (end > st.zeroedTo) {
                zeroFresh(st, end); // scratch bytes may show this goroutine's own old bytes, never others'
            }
        } else if (data < st.cleanFrom || end > st.zeroedTo) {
            prepare(st, data, end);
        }
        MemorySegment s = st.segment;
        s.set(WORD, at, Records.word0(kind, typeId, body));
        int q = kind == Records.SCRATCH ? 0 : st.nextSeq();
        s.set(WORD, at + 8, Records.word1(st.topFrame, q));
        if (q != 0) {
            st.pushed = q & 0xFFFF_FFFFL;
        } else {
            st.cachedHandle = Stack.NO_HANDLE; // top moves up over records popped earlier: "Slot access"
        }
        // Scratch bytes are written by the caller, out of sight: count them as written now.
        long clean = st.cleanFrom;
        st.cleanFrom = kind == Records.SCRATCH ? Math.max(clean, end) : clean > end ? clean : data;
        st.top = end;
        return at;
    }

    /** Zeroes what of {@code [data, end)} may be dirty, and fresh memory up to {@code end} and beyond. */
    static void prepare(Stack st, long data, long end) {
        if (data < st.cleanFrom) {
            zero(st.segment, data, Math.min(end, st.cleanFrom) - data);
        }
        if (end > st.zeroedTo) {
            zeroFresh(st, end);
        }
    }

    /** Zeroes the fresh memory from zeroedTo up to {@code end}, and some more ahead of it. */
    private static void zeroFresh(Stack st, long end) {
        long to = Math.min(st.capacity, Math.max(end, st.zeroedTo + Stack.ZERO_AHEAD_BYTES));
        zero(st.segment, st.zeroedTo, to - st.zeroedTo);
        st.zeroedTo = to;
    }

    /** Zeroes {@code bytes} (a multiple of 8) at {@code offset}: stores up to 32 bytes, one bulk fill above. */
    static void zero(MemorySegment s, long offset, long bytes) {
        if (bytes <= 32) {
            for (long i = 0; i < bytes; i += 8) {
                s.set(WORD, offset + i, 0L);
            }
        } else {
            s.asSlice(offset, bytes).fill((byte) 0); // the slice does not escape: scalar-replaced by C2
        }
    }

    // ------------------------------------------------------------------ low-water marks

    static void scratchAllocatedIn(Stack st, long frame) {
        if (frame < st.scratchFloor) {
            st.scratchFloor = frame;
            updatePopSlowAt(st);
        }
    }

    static void pointerIntoStackStoredIn(Stack st, long record) {
        if (record < st.adjustFrom) {
            st.adjustFrom = record;
            updatePopSlowAt(st);
        }
    }

    /** A pop to {@code at}, at or below a low-water mark: forget what is gone. */
    static void afterLowPop(Stack st, long at) {
        if (at <= st.adjustFrom) {
            st.adjustFrom = Records.NONE; // every record that could hold a pointer into the stack is gone
        }
        if (at <= st.scratchFloor) {
            st.scratchFloor = Records.NONE; // every scratch segment is dead: old blocks may go
            freeDeferred(st);
        }
        updatePopSlowAt(st);
    }

    private static void updatePopSlowAt(Stack st) {
        st.popSlowAt = Math.max(st.adjustFrom == Records.NONE ? -1 : st.adjustFrom,
                st.scratchFloor == Records.NONE ? -1 : st.scratchFloor);
    }

    // ------------------------------------------------------------------ blocks and moves

    /**
     * Makes room for {@code need} more bytes above the top: allocates the first block, or moves
     * the stack to one twice as large (or larger, to fit), capped at the maximum.
     *
     * @throws dev.goheap.StackOverflowException if the stack would pass its maximum; nothing changes
     */
    static void ensure(Stack st, long need) {
        st.flushTop(); // a move copies the headers
        if (st.base == 0) {
            long required = STACK_HEADER_BYTES + need;
            if (required > st.maxBytes) {
                throw Errors.overflow(required, st.maxBytes, st.goroutineId());
            }
            long size = Math.min(Math.max(Stack.INITIAL_BYTES, ceilPowerOfTwo(required)), st.maxBytes);
            long p = allocateBlock(st, size, true); // nothing to scan or move yet: it may wait parked
            MemorySegment s = st.heap.segment(p).asSlice(0, size);
            s.set(WORD, 8, 0L); // header word 1 (word 0 is the goroutine id, written by the heap)
            st.segment = s;
            st.base = p;
            st.capacity = size;
            st.top = STACK_HEADER_BYTES;
            st.cleanFrom = STACK_HEADER_BYTES;
            st.zeroedTo = STACK_HEADER_BYTES; // the rest is zeroed as pushes reach it
            st.runtime.stackAllocated(size);
            return;
        }
        long required = st.top + need;
        if (required > st.maxBytes) {
            throw Errors.overflow(required, st.maxBytes, st.goroutineId());
        }
        long size = st.capacity * 2;
        while (size < required) {
            size *= 2;
        }
        move(st, Math.min(size, st.maxBytes));
        st.runtime.stackGrew();
    }

    /** Halves the block if less than a quarter is used; returns whether the stack moved. */
    static boolean shrink(Stack st) {
        st.flushTop();
        if (st.base == 0 || st.capacity <= Stack.INITIAL_BYTES || st.top >= st.capacity / 4) {
            return false;
        }
        try {
            move(st, Math.max(Stack.INITIAL_BYTES, st.capacity / 2));
        } catch (OutOfHeapMemoryException e) {
            return false; // shrinking is an optimisation: stay where we are
        }
        st.runtime.stackShrank();
        return true;
    }

    /**
     * Copies the used bytes to a new block of {@code size} bytes, adjusts the pointer slots that
     * point into the old block by the move's delta, and frees the old block (or keeps it until
     * the scratch segments carved from it die). If the allocation fails nothing has changed.
     */
    private static void move(Stack st, long size) {
        long oldBase = st.base;
        long oldCapacity = st.capacity;
        long used = st.top;
        long p = allocateBlock(st, size, false);
        MemorySegment s = st.heap.segment(p).asSlice(0, size);
        MemorySegment.copy(st.segment, 0, s, 0, used);
        long delta = p - oldBase;
        if (st.adjustFrom < used) {
            FrameWalk.adjustPointers(s, st.adjustFrom, used, oldBase, oldCapacity, delta);
        }
        st.segment = s;
        st.base = p;
        st.capacity = size;
        st.cleanFrom = Math.min(st.cleanFrom, used); // what was zero below the top was copied
        st.zeroedTo = used;                          // above it: whatever the heap block held
        st.runtime.stackAllocated(size);
        st.runtime.stackCopied(used);
        if (st.scratchFloor != Records.NONE) {
            defer(st, oldBase, oldCapacity);
        } else {
            free(st, oldBase, oldCapacity);
        }
    }

    /**
     * Allocates a stack block. The allocation may reach a safepoint, whose handshake action may
     * scan the stack (it is consistent: nothing has changed yet) but must not move it: {@code
     * moving} makes {@code Goroutine.shrinkStackIfOwner} refuse. {@code mayPark}: only for the
     * first block, while the stack is empty: a goroutine then waits for a contended heap lock
     * parked (10 000 goroutines starting at once queued for the central lists' locks, and every
     * stop waited for the queue); a moving stack waits running.
     */
    private static long allocateBlock(Stack st, long size, boolean mayPark) {
        boolean outer = !st.moving;
        st.moving = true;
        try {
            return st.heap.allocateStack(size, st.goroutineId(), mayPark);
        } finally {
            if (outer) {
                st.moving = false;
            }
        }
    }

    /** Frees every block of the stack: the current one and any kept for scratch segments. */
    static void release(Stack st) {
        try {
            freeDeferred(st);
        } finally {
            if (st.base != 0) {
                long p = st.base;
                long bytes = st.capacity;
                st.base = 0;
                st.capacity = 0;
                st.top = 0;
                st.topFrame = 0;
                st.segment = MemorySegment.NULL;
                free(st, p, bytes);
            }
        }
    }

    /** Frees the old blocks kept for scratch segments (their frames have been popped). */
    static void freeDeferred(Stack st) {
        int n = st.deferredCount;
        st.deferredCount = 0;
        for (int i = 0; i < n; i += 2) {
            free(st, st.deferred[i], st.deferred[i + 1]);
        }
    }

    private static void defer(Stack st, long p, long bytes) {
        long[] d = st.deferred;
        if (d == null) {
            d = st.deferred = new long[8];
        } else if (st.deferredCount == d.length) {
            d = st.deferred = Arrays.copyOf(d, d.length * 2);
        }
        d[st.deferredCount++] = p;
        d[st.deferredCount++] = bytes;
    }

    private static void free(Stack st, long p, long bytes) {
        st.heap.freeStack(p);
        st.runtime.stackFreed(bytes);
    }

    static long ceilPowerOfTwo(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }
}
