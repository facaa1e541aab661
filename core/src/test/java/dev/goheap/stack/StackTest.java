package dev.goheap.stack;

import static dev.goheap.stack.TestFrames.EMPTY;
import static dev.goheap.stack.TestFrames.LINK;
import static dev.goheap.stack.TestFrames.NODE;
import static dev.goheap.stack.TestFrames.NODE_NEXT;
import static dev.goheap.stack.TestFrames.NODE_VALUE;
import static dev.goheap.stack.TestFrames.REF;
import static dev.goheap.stack.TestFrames.SMALL;
import static dev.goheap.stack.TestFrames.TAG;
import static dev.goheap.stack.TestFrames.VALUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StackTest {
    GoRuntime rt;
    Goroutine g;
    Stack stack;

    @BeforeEach
    void attach() {
        rt = TestFrames.runtime();
        g = rt.attach();
        stack = g.stack();
    }

    @AfterEach
    void detach() {
        if (g.isAlive()) {
            g.detach();
        }
        TestFrames.verifyAllFreed(rt);
        rt.close();
    }

    @Test
    void shouldAllocateTheFirstStackOfTwoKibWhenTheFirstFrameIsPushed() {
        assertEquals(0, stack.capacityBytes());
        long f = stack.push(SMALL);
        assertEquals(Stack.INITIAL_BYTES, stack.capacityBytes());
        assertEquals(16 + 16 + 64, stack.usedBytes());
        assertEquals(1, rt.stats().goroutines().stackBlocks());
        stack.pop(f);
        assertEquals(16, stack.usedBytes());
    }

    @Test
    void shouldPopLastInFirstOutWhenFramesAreNested() {
        long a = stack.push(SMALL);
        long b = stack.push(EMPTY);
        long c = stack.push(SMALL);
        assertEquals(3, stack.depth());
        stack.pop(c);
        stack.pop(b);
        stack.setLong(a, VALUE, 7);
        stack.pop(a);
        assertEquals(0, stack.depth());
    }

    @Test
    void shouldRefuseAPopWhenItIsOutOfOrderOrTwice() {
        long a = stack.push(SMALL);
        long b = stack.push(SMALL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stack.pop(a));
        assertTrue(e.getMessage().contains("expected: the top frame"), e.getMessage());
        assertEquals(2, stack.depth());
        stack.pop(b);
        assertThrows(IllegalStateException.class, () -> stack.pop(b));
        stack.pop(a);
        assertThrows(IllegalStateException.class, () -> stack.pop(a));
        assertThrows(IllegalStateException.class, () -> stack.pop(0));
    }

    @Test
    void shouldRefuseAStaleHandleWhenAnotherFrameTookItsPlace() {
        long a = stack.push(SMALL);
        stack.pop(a);
        long b = stack.push(SMALL);
        assertEquals(a & 0xFFFF_FFFFL, b & 0xFFFF_FFFFL); // same offset, new sequence number
        assertNotEquals(a, b);
        assertThrows(IllegalStateException.class, () -> stack.getLong(a, VALUE));
        assertThrows(IllegalStateException.class, () -> stack.setLong(a, VALUE, 1));
        assertThrows(IllegalStateException.class, () -> stack.pop(a));
        stack.pop(b);
    }

    @Test
    void shouldZeroAFrameWhenItIsPushedOverOldContents() {
        long a = stack.push(SMALL);
        stack.setLong(a, VALUE, -1);
        stack.setInt(a, TAG, -1);
        stack.writePointer(a, LINK, stack.addressOf(a, VALUE));
        stack.pop(a);
        long b = stack.push(SMALL);
        assertEquals(0, stack.getLong(b, VALUE));
        assertEquals(0, stack.getInt(b, TAG));
        assertEquals(0, stack.readPointer(b, LINK));
        stack.pop(b);
    }

    @Test
    void shouldReadBackEveryKindOfSlotWhenWritten() {
        long f = stack.push(SMALL);
        stack.setLong(f, VALUE, Long.MIN_VALUE);
        stack.setInt(f, TAG, 0x1234_5678);
        stack.setByte(f, TAG + 4, (byte) -3);
        assertEquals(Long.MIN_VALUE, stack.getLong(f, VALUE));
        assertEquals(0x1234_5678, stack.getInt(f, TAG));
        assertEquals((byte) -3, stack.getByte(f, TAG + 4));
        stack.setDouble(f, VALUE, Math.PI);
        assertEquals(Math.PI, stack.getDouble(f, VALUE));
        stack.pop(f);
    }

    @Test
    void shouldRefuseAccessesWhenOutsideTheFrameOrOfTheWrongKind() {
        long f = stack.push(SMALL);
        assertThrows(IndexOutOfBoundsException.class, () -> stack.getLong(f, 57));
        assertThrows(IndexOutOfBoundsException.class, () -> stack.getByte(f, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> stack.addressOf(f, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stack.setLong(f, REF, 1));
        assertTrue(e.getMessage().contains("writePointer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> stack.setInt(f, REF + 4, 1));
        assertThrows(IllegalArgumentException.class, () -> stack.writePointer(f, VALUE, 0));
        assertThrows(IllegalArgumentException.class, () -> stack.readPointer(f, REF + 4));
        assertThrows(IndexOutOfBoundsException.class, () -> stack.getLong(stack.push(EMPTY), 0));
        assertEquals(0, stack.getLong(f, REF)); // primitive reads of pointer slots are allowed
    }

    @Test
    void shouldThrowWrongThreadExceptionWhenAnotherThreadTouchesTheStack() throws Exception {
        long f = stack.push(SMALL);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<Runnable> uses = List.of(() -> stack.push(SMALL), () -> stack.pop(f), () -> stack.getLong(f, VALUE),
                () -> stack.setLong(f, VALUE, 1), () -> stack.writePointer(f, REF, 0), () -> stack.allocator(),
                () -> stack.alloca(f, NODE), () -> stack.shrink(), () -> g.stack(), () -> g.detach());
        for (Runnable use : uses) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    use.run();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.join();
            assertTrue(thrown.get() instanceof WrongThreadException, String.valueOf(thrown.get()));
            thrown.set(null);
        }
        assertEquals(1, stack.depth());
        stack.pop(f);
    }

    @Test
    void shouldThrowIllegalStateExceptionWhenTheStackIsUsedAfterDetach() {
        long f = stack.push(SMALL);
        g.detach();
        assertThrows(IllegalStateException.class, () -> stack.getLong(f, VALUE));
        assertThrows(IllegalStateException.class, () -> stack.push(SMALL));
        assertThrows(IllegalStateException.class, () -> g.detach());
        assertThrows(IllegalStateException.class, Goroutine::current);
    }

    @Test
    void shouldFreeStackObjectsWhenTheirFrameIsPopped() {
        long f = stack.push(SMALL);
        long node = stack.alloca(f, NODE);
        long other = stack.alloca(f, NODE);
        stack.setLong(node, NODE_VALUE, 5);
        stack.writePointer(node, NODE_NEXT, stack.addressOf(other, 0));
        stack.writePointer(f, REF, stack.addressOf(node, 0));
        assertEquals(16 + (16 + 64) + 2 * (16 + 16), stack.usedBytes());
        assertEquals(node, stack.handleOf(stack.readPointer(f, REF)));
        assertEquals(other, stack.handleOf(stack.readPointer(node, NODE_NEXT)));
        assertEquals(f, stack.handleOf(stack.addressOf(f, 8)));
        long inner = stack.push(SMALL);
        assertThrows(IllegalStateException.class, () -> stack.alloca(f, NODE)); // not the top frame
        stack.pop(inner);
        stack.pop(f);
        assertThrows(IllegalStateException.class, () -> stack.getLong(node, NODE_VALUE));
        assertThrows(IllegalStateException.class, () -> stack.alloca(f, NODE));
        assertEquals(16, stack.usedBytes());
    }

    @Test
    void shouldRefuseHandleOfWhenThePointerIsNotInALiveRecord() {
        long f = stack.push(SMALL);
        long p = stack.addressOf(f, 0);
        assertThrows(IllegalArgumentException.class, () -> stack.handleOf(p - 8)); // a header
        assertThrows(IllegalArgumentException.class, () -> stack.handleOf(p + 64)); // above the top
        assertThrows(IllegalArgumentException.class, () -> stack.handleOf(0));
        stack.pop(f);
    }

    @Test
    void shouldVisitEveryPointerSlotWhenEnumeratingRoots() {
        long h = rt.heap().newObject(NODE);
        long a = stack.push(SMALL);
        stack.writePointer(a, REF, h);
        long node = stack.alloca(a, NODE);
        stack.writePointer(node, NODE_NEXT, h);
        long b = stack.push(EMPTY);
        long c = stack.push(SMALL);
        stack.writePointer(c, LINK, stack.addressOf(node, 0));
        List<long[]> seen = new ArrayList<>();
        stack.forEachPointerSlot((handle, offset, value) -> seen.add(new long[] {handle, offset, value}));
        assertEquals(5, seen.size());
        assertArrayEquals(new long[] {a, REF, h}, seen.get(0));
        assertArrayEquals(new long[] {a, LINK, 0}, seen.get(1));
        assertArrayEquals(new long[] {node, NODE_NEXT, h}, seen.get(2));
        assertArrayEquals(new long[] {c, REF, 0}, seen.get(3));
        assertArrayEquals(new long[] {c, LINK, stack.addressOf(node, 0)}, seen.get(4));
        stack.pop(c);
        stack.pop(b);
        stack.pop(a);
        rt.heap().free(h);
    }

    @Test
    void shouldHandOutBoundedAlignedSegmentsWhenUsedAsScratchAllocator() {
        SegmentAllocator scratch = stack.allocator();
        assertThrows(IllegalStateException.class, () -> scratch.allocate(8)); // no frame yet
        long f = stack.push(EMPTY);
        MemorySegment s = scratch.allocate(24, 64);
        assertEquals(24, s.byteSize());
        assertEquals(0, s.address() % 64);
        for (long i = 0; i < 24; i++) {
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i));
        }
        MemorySegment str = scratch.allocateFrom("hello");
        assertEquals("hello", str.getString(0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_LONG, 24));
        s.fill((byte) 0x7F);
        stack.pop(f);
        long g2 = stack.push(SMALL);
        assertEquals(0, stack.getLong(g2, VALUE)); // a frame over used scratch bytes is zeroed
        assertEquals(0, stack.readPointer(g2, LINK));
        assertThrows(IllegalArgumentException.class, () -> scratch.allocate(8, 3));
        assertThrows(IllegalArgumentException.class, () -> scratch.allocate(-1, 8));
        stack.pop(g2);
    }

    @Test
    void shouldKeepScratchSegmentsValidWhenTheStackMovesUntilTheirFrameIsPopped() {
        long f = stack.push(EMPTY);
        MemorySegment s = stack.allocator().allocateFrom(ValueLayout.JAVA_LONG, 1234L);
        long blocks = rt.stats().goroutines().stackBlocks();
        List<Long> frames = new ArrayList<>();
        while (stack.capacityBytes() < 64 * 1024) {
            frames.add(stack.push(SMALL));
        }
        assertEquals(1234, s.get(ValueLayout.JAVA_LONG, 0)); // the old block is kept for s
        assertTrue(rt.stats().goroutines().stackBlocks() > blocks);
        for (int i = frames.size() - 1; i >= 0; i--) {
            stack.pop(frames.get(i));
        }
        stack.pop(f);
        assertEquals(1, rt.stats().goroutines().stackBlocks()); // old blocks freed at f's pop
    }
}
