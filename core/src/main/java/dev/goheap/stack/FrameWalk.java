package dev.goheap.stack;

import static dev.goheap.stack.Records.HEADER_BYTES;
import static dev.goheap.stack.Records.STACK_HEADER_BYTES;
import static dev.goheap.stack.Stack.WORD;

import dev.goheap.type.FrameType;
import dev.goheap.type.PointerMap;
import java.lang.foreign.MemorySegment;

/**
 * Walks a stack's records: bottom-up over their pointer bitmaps (Go's {@code adjustpointers} and
 * the collector's stack scan), or down the frame chain from the top ({@code handleOf}).
 *
 * <p><b>Thread safety:</b> owner thread only. Nothing here allocates on the Java heap.
 */
final class FrameWalk {
    private FrameWalk() {}

    /**
     * Adds {@code delta} to every pointer slot of the records from {@code from} to {@code to} of
     * block {@code s} whose value points into {@code [oldBase, oldBase + oldCapacity)}.
     */
    static void adjustPointers(MemorySegment s, long from, long to, long oldBase, long oldCapacity, long delta) {
        int lastType = -1;
        long bits = 0;           // pointer bits of the first 64 words of lastType
        PointerMap wide = null;  // lastType's map if it has pointers beyond word 63
        for (long rec = from; rec < to; ) {
            long w0 = s.get(WORD, rec);
            int typeId = Records.typeId(w0);
            if (typeId != lastType) { // consecutive records mostly share their type: look it up once
                lastType = typeId;
                FrameType type = Records.kind(w0) == Records.SCRATCH ? null : FrameType.byId(typeId);
                bits = type == null ? 0 : type.firstPointerBits();
                wide = type != null && type.pointerMap().bitsLength() > 1 ? type.pointerMap() : null;
            }
            long slots = rec + HEADER_BYTES;
            for (long b = bits; b != 0; b &= b - 1) {
                adjust(s, slots + 8L * Long.numberOfTrailingZeros(b), oldBase, oldCapacity, delta);
            }
            if (wide != null) {
                for (int g = 1; g < wide.bitsLength(); g++) {
                    for (long b = wide.bitsAt(g); b != 0; b &= b - 1) {
                        adjust(s, slots + 8L * (((long) g << 6) + Long.numberOfTrailingZeros(b)), oldBase, oldCapacity, delta);
                    }
                }
            }
            rec = slots + Records.body(w0);
        }
    }

    private static void adjust(MemorySegment s, long at, long oldBase, long oldCapacity, long delta) {
        long v = s.get(WORD, at);
        if (Long.compareUnsigned(v - oldBase, oldCapacity) < 0) {
            s.set(WORD, at, v + delta);
        }
    }

    /** Calls {@code visitor} for every pointer slot of every live frame and stack object, bottom up. */
    static void forEachPointerSlot(Stack st, PointerSlotVisitor visitor) {
        MemorySegment s = st.segment;
        long to = st.top;
        for (long rec = STACK_HEADER_BYTES; rec < to; ) {
            long w0 = s.get(WORD, rec);
            long body = Records.body(w0);
            if (Records.kind(w0) != Records.SCRATCH) {
                PointerMap map = FrameType.byId(Records.typeId(w0)).pointerMap();
                long handle = Records.handle(Records.seq(s.get(WORD, rec + 8)), rec);
                for (int g = 0, n = map.pointerCount() == 0 ? 0 : map.bitsLength(); g < n; g++) {
                    for (long bits = map.bitsAt(g); bits != 0; bits &= bits - 1) {
                        long offset = (((long) g << 6) + Long.numberOfTrailingZeros(bits)) * 8;
                        visitor.visit(handle, offset, s.get(WORD, rec + HEADER_BYTES + offset));
                    }
                }
            }
            rec += HEADER_BYTES + body;
        }
    }

    /** Returns the handle of the live frame or stack object that contains {@code pointer}. */
    static long handleOf(Stack st, long pointer) {
        long rel = pointer - st.base;
        if (st.base == 0 || rel < STACK_HEADER_BYTES || rel >= st.top) {
            throw Errors.notInStack(pointer, "it is outside +" + STACK_HEADER_BYTES + "..+" + st.top);
        }
        MemorySegment s = st.segment;
        long frame = st.topFrame;
        while (frame > rel) {
            frame = Records.link(s.get(WORD, frame + 8));
        }
        // Records above a frame belong to it until the next frame: walk forward from it.
        long rec = frame;
        long end = rec + HEADER_BYTES + Records.body(s.get(WORD, rec));
        while (end <= rel) {
            rec = end;
            end = rec + HEADER_BYTES + Records.body(s.get(WORD, rec));
        }
        long w0 = s.get(WORD, rec);
        if (rel < rec + HEADER_BYTES) {
            throw Errors.notInStack(pointer, "it points into the header of the record at +" + rec);
        }
        if (Records.kind(w0) == Records.SCRATCH) {
            throw Errors.notInStack(pointer, "it points into scratch memory at +" + rec);
        }
        return Records.handle(Records.seq(s.get(WORD, rec + 8)), rec);
    }
}
