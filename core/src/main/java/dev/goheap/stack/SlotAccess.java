package dev.goheap.stack;

import static dev.goheap.stack.Records.HEADER_BYTES;
import static dev.goheap.stack.Records.STACK_HEADER_BYTES;
import static dev.goheap.stack.Stack.WORD;

import dev.goheap.PointerEscapeException;
import dev.goheap.type.FrameType;
import java.lang.foreign.MemorySegment;

/**
 * The checks behind {@link Stack}'s slot accessors (package-info "Slot access"), and its pointer
 * store path. Static, so that the JIT inlines them into each accessor; they allocate nothing
 * unless they throw.
 *
 * <p><b>Thread safety:</b> owner thread only; the caller has checked it.
 */
final class SlotAccess {
    private SlotAccess() {}

    /**
     * Checks that {@code handle} is a live record of {@code st} and that {@code [offset, offset +
     * bytes)} lies in its body; returns the stack offset of byte {@code offset}.
     */
    static long at(Stack st, long handle, long offset, int bytes) {
        long body = Records.body(handle == st.cachedHandle && Records.offset(handle) < st.top
                ? st.cachedWord0 : loadHeader(st, handle));
        if (offset < 0 || offset > body - bytes) {
            throw Errors.outOfRecord(handle, nameAt(st, Records.offset(handle)), offset, bytes, body);
        }
        return Records.offset(handle) + HEADER_BYTES + offset;
    }

    /** The slow path of {@link #at}: checks {@code handle} against its header, caches and returns word 0. */
    private static long loadHeader(Stack st, long handle) {
        st.flushTop();
        long rec = Records.offset(handle);
        MemorySegment s = st.segment;
        if (rec < STACK_HEADER_BYTES || rec > st.top - HEADER_BYTES || Records.handleSeq(handle) == 0
                || Records.seq(s.get(WORD, rec + 8)) != Records.handleSeq(handle)) {
            throw Errors.staleHandle(handle, st.top);
        }
        long w0 = s.get(WORD, rec);
        st.cache(handle, w0);
        return w0;
    }

    /** As {@link #at}, for a primitive store: refuses bytes in pointer slots and marks them written. */
    static long writableAt(Stack st, long handle, long offset, int bytes) {
        long at = at(st, handle, offset, bytes); // fills the cache with handle's header
        if (isPointerWord(st, offset >>> 3) || isPointerWord(st, (offset + bytes - 1) >>> 3)) {
            throw Errors.primitiveIntoPointer(handle, nameAt(st, Records.offset(handle)), offset);
        }
        st.written(at + bytes);
        return at;
    }

    /** As {@link #at}, for a pointer slot: {@code offset} must be one of the type's pointer words. */
    static long pointerAt(Stack st, long handle, long offset) {
        long at = at(st, handle, offset, 8); // fills the cache with handle's header
        if ((offset & 7) != 0 || !isPointerWord(st, offset >>> 3)) {
            throw Errors.notPointerSlot(handle, nameAt(st, Records.offset(handle)), offset);
        }
        return at;
    }

    /** The stack's pointer store path: see {@link Stack#writePointer} and package-info "Escapes". */
    static void writePointer(Stack st, long handle, long offset, long value) {
        long at = pointerAt(st, handle, offset);
        MemorySegment s = st.segment;
        long base = st.base;
        long old = s.get(WORD, at);
        boolean oldInStack = old - base >= 0 && old - base < st.capacity;
        st.written(at + 8);
        if (value - base >= 0 && value - base < st.capacity) {
            if (value - base < STACK_HEADER_BYTES || value - base >= st.top) {
                throw Errors.deadStackPointer(value, value - base, st.top);
            }
            if (old != 0 && !oldInStack) {
                st.heap.storePointer(s, at, 0L); // the write barrier sees the heap pointer leave
            }
            s.set(WORD, at, value);
            StackMemory.pointerIntoStackStoredIn(st, Records.offset(handle));
            return;
        }
        if (oldInStack) {
            s.set(WORD, at, 0L); // the write barrier never sees pointers into stacks
        }
        try {
            st.heap.storePointer(s, at, value);
        } catch (RuntimeException e) {
            if (oldInStack) {
                s.set(WORD, at, old);
            }
            throw e instanceof PointerEscapeException escape
                    ? escape.storedIn(nameAt(st, Records.offset(handle)) + " " + Records.describe(handle)
                            + ", offset " + offset + ", on the stack of goroutine " + st.goroutineId())
                    : e;
        }
    }

    /** Checks that {@code frame} is the top frame, for operations that add records on top. */
    static void checkTopFrame(Stack st, String operation, long frame) {
        st.flushTop();
        long at = Records.offset(frame);
        if (st.topFrame == 0) {
            throw Errors.noFrame(operation);
        }
        if (at != st.topFrame || Records.seq(st.segment.get(WORD, at + 8)) != Records.handleSeq(frame)) {
            throw Errors.notTopFrame(operation, frame, st.topFrame);
        }
    }

    /** The slow path of {@link Stack#pop}: checks that {@code frame} is the top frame; returns its word 1. */
    static long checkPop(Stack st, long frame) {
        st.flushTop();
        long at = Records.offset(frame);
        if (at != st.topFrame || at == 0) {
            throw badPop(st, frame);
        }
        long w1 = st.segment.get(WORD, at + 8);
        if (Records.seq(w1) != Records.handleSeq(frame)) {
            throw badPop(st, frame);
        }
        return w1;
    }

    private static IllegalStateException badPop(Stack st, long frame) {
        return Errors.badPop(frame, st.topFrame, st.topFrame == 0 ? "" : nameAt(st, st.topFrame));
    }

    /** Whether word {@code word} of the cached record is a pointer slot. */
    private static boolean isPointerWord(Stack st, long word) {
        return FrameType.byId(Records.typeId(st.cachedWord0)).isPointerWord(word);
    }

    /** Names the record at {@code rec} for messages: "frame fib", "stack object Node". */
    static String nameAt(Stack st, long rec) {
        st.flushTop();
        long w0 = st.segment.get(WORD, rec);
        FrameType t = FrameType.byId(Records.typeId(w0));
        return Records.kindName(Records.kind(w0)) + (t != null ? " " + t.name() : "");
    }
}
