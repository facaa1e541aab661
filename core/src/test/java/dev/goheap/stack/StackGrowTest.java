package dev.goheap.stack;

import static dev.goheap.stack.TestFrames.NODE;
import static dev.goheap.stack.TestFrames.NODE_NEXT;
import static dev.goheap.stack.TestFrames.NODE_VALUE;
import static dev.goheap.stack.TestFrames.SMALL;
import static dev.goheap.stack.TestFrames.VALUE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.StackOverflowException;
import dev.goheap.heap.Heap;
import dev.goheap.type.FrameType;
import java.lang.foreign.MemoryLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StackGrowTest {
    /** A 1 KiB frame with four pointer slots: to itself, to its parent, to the heap, to a stack object. */
    static final FrameType DEEP = FrameType.of("deep", MemoryLayout.structLayout(
            JAVA_LONG.withName("depth"), JAVA_LONG.withName("self"), JAVA_LONG.withName("parent"),
            JAVA_LONG.withName("heapRef"), JAVA_LONG.withName("objRef"), MemoryLayout.paddingLayout(1024 - 40)),
            "self", "parent", "heapRef", "objRef");
    static final long DEPTH = DEEP.offsetOf("depth");
    static final long SELF = DEEP.offsetOf("self");
    static final long PARENT = DEEP.offsetOf("parent");
    static final long HEAP_REF = DEEP.offsetOf("heapRef");
    static final long OBJ_REF = DEEP.offsetOf("objRef");

    @Test
    void shouldKeepEveryFrameAndInStackPointerWhenGrowingToSixtyFourMibAndShrinkingBack() {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30).build()) {
            Heap heap = rt.heap();
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            Deep deep = new Deep(stack, heap, 40_000);
            long moves = 0;
            while (stack.capacityBytes() < 64L << 20) {
                long capacity = stack.capacityBytes();
                deep.push();
                if (stack.capacityBytes() != capacity && capacity != 0) {
                    moves++;
                    deep.verify();
                }
            }
            assertEquals(15, moves); // 2 KiB (first push, no move) .. 64 MiB
            while (deep.count > 0) {
                deep.pop();
                if (stack.shrink()) {
                    moves++;
                    deep.verify();
                }
            }
            while (stack.shrink()) {
                moves++;
            }
            assertEquals(Stack.INITIAL_BYTES, stack.capacityBytes());
            GoroutineStats stats = rt.stats().goroutines();
            assertEquals(15, stats.stackGrowCount());
            assertEquals(15, stats.stackShrinkCount());
            assertEquals(30, moves);
            assertTrue(stats.stackCopiedBytes() > 64L << 20, "copied " + stats.stackCopiedBytes());
            g.detach();
            TestFrames.verifyAllFreed(rt);
            assertEquals(0, heap.stats().liveObjects());
        }
    }

    /** The recursion's model: every frame's handle, its stack object and its heap object. */
    static final class Deep {
        final Stack stack;
        final Heap heap;
        final long[] frames;
        final long[] objects;
        final long[] heapObjects;
        int count;

        Deep(Stack stack, Heap heap, int max) {
            this.stack = stack;
            this.heap = heap;
            this.frames = new long[max];
            this.objects = new long[max];
            this.heapObjects = new long[max];
        }

        void push() {
            int i = count++;
            long f = stack.push(DEEP);
            frames[i] = f;
            stack.setLong(f, DEPTH, i);
            stack.writePointer(f, SELF, stack.addressOf(f, DEPTH));
            if (i > 0) {
                stack.writePointer(f, PARENT, stack.addressOf(frames[i - 1], DEPTH));
            }
            if (i % 64 == 0) {
                long h = heap.newObject(NODE);
                heap.setLong(h, NODE_VALUE, i);
                stack.writePointer(f, HEAP_REF, h);
                heapObjects[i] = h;
            }
            if (i % 16 == 0) {
                long o = stack.alloca(f, NODE);
                stack.setLong(o, NODE_VALUE, i);
                stack.writePointer(o, NODE_NEXT, stack.addressOf(f, DEPTH));
                stack.writePointer(f, OBJ_REF, stack.addressOf(o, 0));
                objects[i] = o;
            }
        }

        void pop() {
            int i = --count;
            stack.pop(frames[i]);
            if (heapObjects[i] != 0) {
                heap.free(heapObjects[i]);
                heapObjects[i] = 0;
            }
            objects[i] = 0;
        }

        /** Checks every frame's contents and every pointer into the stack. */
        void verify() {
            for (int i = 0; i < count; i++) {
                long f = frames[i];
                assertEquals(i, stack.getLong(f, DEPTH));
                assertEquals(stack.addressOf(f, DEPTH), stack.readPointer(f, SELF), "self of frame " + i);
                assertEquals(i == 0 ? 0 : stack.addressOf(frames[i - 1], DEPTH), stack.readPointer(f, PARENT));
                assertEquals(heapObjects[i], stack.readPointer(f, HEAP_REF));
                if (heapObjects[i] != 0) {
                    assertEquals(i, heap.getLong(heapObjects[i], NODE_VALUE));
                }
                long o = objects[i];
                assertEquals(o == 0 ? 0 : stack.addressOf(o, 0), stack.readPointer(f, OBJ_REF));
                if (o != 0) {
                    assertEquals(i, stack.getLong(o, NODE_VALUE));
                    assertEquals(stack.addressOf(f, DEPTH), stack.readPointer(o, NODE_NEXT));
                }
                if (i % 4096 == 0 && i > 0) {
                    assertEquals(frames[i - 1], stack.handleOf(stack.readPointer(f, PARENT)));
                }
            }
        }
    }

    @Test
    void shouldShowOnlyZeroesInNewFramesWhenTheStackMovesOntoMemoryOtherObjectsUsed() {
        FrameType wide = FrameType.of("wide", MemoryLayout.structLayout(
                MemoryLayout.sequenceLayout(31, JAVA_LONG).withName("words"), JAVA_LONG.withName("p")), "p");
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(256L << 20).scavengeRetainBytes(64L << 20).build()) {
            Heap heap = rt.heap();
            long[] dirty = new long[64];
            for (int i = 0; i < dirty.length; i++) { // large blocks: the heap does not zero them for stacks
                dirty[i] = heap.allocate((4L << 10) << (i % 8));
                heap.segment(dirty[i]).fill((byte) 0xA5);
            }
            for (long p : dirty) {
                heap.free(p);
            }
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            long[] frames = new long[3000];
            int n = 0;
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            for (int step = 0; step < 6000; step++) {
                if (n > 0 && random.nextInt(3) == 0) {
                    stack.pop(frames[--n]);
                    continue;
                }
                long f = stack.push(wide);
                frames[n++] = f;
                for (long offset = 0; offset < 256; offset += 8) {
                    assertEquals(0, stack.getLong(f, offset), "word at " + offset + " of frame " + n);
                }
                stack.setLong(f, 8L * random.nextInt(31), -1L); // dirty it for the pushes that follow pops
            }
            assertTrue(rt.stats().goroutines().stackGrowCount() >= 5);
            while (n > 0) {
                stack.pop(frames[--n]);
            }
            g.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldThrowStackOverflowAndLeaveTheStackAsItWasWhenPassingTheMaximum() {
        try (GoRuntime rt = GoRuntime.builder().maxStackBytes(100_000).build()) {
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            long[] frames = new long[2000];
            int n = 0;
            StackOverflowException overflow = null;
            while (overflow == null) {
                try {
                    frames[n] = stack.push(SMALL);
                    stack.setLong(frames[n], VALUE, n);
                    n++;
                } catch (StackOverflowException e) {
                    overflow = e;
                }
            }
            assertEquals(100_000, stack.capacityBytes()); // the last grow stopped at the maximum
            assertEquals(100_000, overflow.limitBytes());
            assertEquals(stack.usedBytes() + 80, overflow.requestedBytes());
            assertEquals(g.id(), overflow.goroutineId());
            assertTrue(overflow.getMessage().contains("expected: at most 100000"), overflow.getMessage());
            assertEquals(n, stack.depth());
            for (int i = 0; i < n; i++) {
                assertEquals(i, stack.getLong(frames[i], VALUE));
            }
            stack.pop(frames[--n]);
            frames[n] = stack.push(SMALL); // fits again
            assertThrows(StackOverflowException.class, () -> stack.push(SMALL));
            assertThrows(StackOverflowException.class, () -> stack.push(FrameType.of("huge",
                    MemoryLayout.structLayout(MemoryLayout.paddingLayout(200_000)))));
            g.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldThrowStackOverflowWhenTheFirstFrameIsLargerThanTheMaximum() {
        try (GoRuntime rt = GoRuntime.builder().maxStackBytes(4096).build()) {
            Goroutine g = rt.attach();
            FrameType big = FrameType.of("big", MemoryLayout.structLayout(MemoryLayout.paddingLayout(4096)));
            assertThrows(StackOverflowException.class, () -> g.stack().push(big));
            assertEquals(0, g.stack().capacityBytes());
            g.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldLeaveTheStackAsItWasWhenTheHeapCannotGiveALargerBlock() {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(16L << 20).build()) {
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            Deep deep = new Deep(stack, rt.heap(), 20_000);
            OutOfHeapMemoryException oom = null;
            while (oom == null) {
                long used = stack.usedBytes();
                long capacity = stack.capacityBytes();
                try {
                    deep.push();
                } catch (OutOfHeapMemoryException e) {
                    oom = e;
                    deep.count--;
                    assertEquals(used, stack.usedBytes());
                    assertEquals(capacity, stack.capacityBytes());
                }
            }
            deep.verify();
            rt.heap().verify();
            while (deep.count > 0) {
                deep.pop();
            }
            g.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldShrinkByAtMostHalfWhenLessThanAQuarterIsUsed() {
        try (GoRuntime rt = TestFrames.runtime()) {
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            long[] frames = new long[4000];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = stack.push(SMALL);
                stack.setLong(frames[i], VALUE, i);
            }
            assertEquals(512 * 1024, stack.capacityBytes());
            assertFalse(stack.shrink()); // 320 KB of 512 KiB used
            int n = frames.length;
            while (stack.usedBytes() >= 128 * 1024) {
                stack.pop(frames[--n]);
            }
            assertTrue(stack.shrink());
            assertEquals(256 * 1024, stack.capacityBytes()); // half, not the 128 KiB that would fit
            assertFalse(stack.shrink());                     // now half of it is used
            long[] before = Arrays.copyOf(frames, n);
            for (int i = 0; i < n; i++) {
                assertEquals(i, stack.getLong(before[i], VALUE));
            }
            while (n > 0) {
                stack.pop(frames[--n]);
            }
            int shrinks = 0;
            while (stack.shrink()) {
                shrinks++;
            }
            assertEquals(7, shrinks); // 256 KiB -> 2 KiB
            g.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }
}
