package dev.goheap.stack;

import static dev.goheap.stack.Records.HEADER_BYTES;

import dev.goheap.type.FrameType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * The stack as FFM scratch space ({@link Stack#allocator}): each allocation is a record of kind
 * scratch on top of the top frame, aligned by padding, handed out as a slice bounded to its bytes.
 * Its contents are unspecified, as {@link SegmentAllocator} allows (FFM code overwrites them): zero,
 * or bytes this goroutine left on its own stack, never another goroutine's. It dies with the
 * frame's pop; see package-info "Scratch" for why a move of the stack does not invalidate it.
 *
 * <p><b>Thread safety:</b> owner thread only (checked).
 */
final class ScratchAllocator implements SegmentAllocator {
    private final Stack stack;

    ScratchAllocator(Stack stack) {
        this.stack = stack;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Stack st = stack;
        st.checkOwner();
        if (byteSize < 0 || byteSize > FrameType.MAX_BYTE_SIZE || byteAlignment <= 0
                || (byteAlignment & (byteAlignment - 1)) != 0 || byteAlignment > FrameType.MAX_BYTE_SIZE) {
            throw Errors.badScratch(byteSize, byteAlignment);
        }
        long frame = st.topFrame;
        if (frame == 0) {
            throw Errors.noFrame("scratch allocation");
        }
        long maxPad = Math.max(0, byteAlignment - 8);
        long at = StackMemory.append(st, Records.SCRATCH, 0, (maxPad + byteSize + 7) & -8L);
        StackMemory.scratchAllocatedIn(st, frame);
        long data = at + HEADER_BYTES;
        long address = st.segment.address() + data;
        long pad = ((address + byteAlignment - 1) & -byteAlignment) - address;
        return st.segment.asSlice(data + pad, byteSize);
    }

    @Override
    public String toString() {
        return "scratch allocator of the " + stack;
    }
}
