package dev.goheap.stack;

import static dev.goheap.stack.TestFrames.NODE;
import static dev.goheap.stack.TestFrames.NODE_NEXT;
import static dev.goheap.stack.TestFrames.REF;
import static dev.goheap.stack.TestFrames.SMALL;
import static dev.goheap.stack.TestFrames.VALUE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.PointerEscapeException;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StackEscapeTest {
    static final ObjectType ROOTS = ObjectType.of("Roots", MemoryLayout.structLayout(JAVA_LONG.withName("head")), "head");

    GoRuntime rt;
    Heap heap;
    Goroutine g;
    Stack stack;

    @BeforeEach
    void attach() {
        rt = GoRuntime.builder().heapLimitBytes(256L << 20)
                .fixedSegments(FixedSegments.builder().data("roots", ROOTS)).build();
        heap = rt.heap();
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
    void shouldRefuseAndCountAStackPointerWhenStoredInAHeapObject() {
        long f = stack.push(SMALL);
        long p = stack.addressOf(f, VALUE);
        long node = heap.newObject(NODE);
        long before = rt.stats().pointerEscapeCount();
        PointerEscapeException e = assertThrows(PointerEscapeException.class,
                () -> heap.writePointer(node, NODE_NEXT, p));
        assertTrue(e.getMessage().startsWith("&stack+32 (0x" + Long.toHexString(p) + ") escapes to heap: pointer"
                + " into the stack of goroutine " + g.id() + " stored in heap object 0x" + Long.toHexString(node)
                + "+8 (expected: "), e.getMessage());
        assertEquals(p, e.pointer());
        assertEquals(32, e.stackOffset());
        assertEquals(g.id(), e.goroutineId());
        assertThrows(PointerEscapeException.class, () -> heap.writePointerRelease(node, NODE_NEXT, p));
        assertThrows(PointerEscapeException.class, () -> heap.checkPointer(p));
        assertEquals(0, heap.readPointer(node, NODE_NEXT)); // unchanged
        assertEquals(before + 3, rt.stats().pointerEscapeCount());
        heap.free(node);
        stack.pop(f);
    }

    @Test
    void shouldRefuseAStackPointerWhenStoredInADataSlot() {
        long f = stack.push(SMALL);
        long obj = stack.alloca(f, NODE);
        FixedSegments fixed = rt.fixedSegments();
        Symbol roots = fixed.symbol("roots");
        PointerEscapeException e = assertThrows(PointerEscapeException.class,
                () -> fixed.writePointer(roots, 0, stack.addressOf(obj, 0)));
        assertTrue(e.getMessage().contains("stored in the data slot at +0"), e.getMessage());
        assertThrows(PointerEscapeException.class, () -> fixed.writePointerRelease(roots, 0, stack.addressOf(obj, 8)));
        assertEquals(0, fixed.readPointer(roots, 0));
        assertEquals(2, rt.stats().pointerEscapeCount());
        stack.pop(f);
    }

    @Test
    void shouldRefuseThePointerToTheStackItselfWhenStoredInTheHeap() {
        long f = stack.push(SMALL);
        long stackStart = stack.addressOf(f, 0) - 32; // the start of the heap block: a "live object start"
        long node = heap.newObject(NODE);
        PointerEscapeException e = assertThrows(PointerEscapeException.class,
                () -> heap.writePointer(node, NODE_NEXT, stackStart));
        assertEquals(0, e.stackOffset());
        heap.free(node);
        stack.pop(f);
    }

    @Test
    void shouldRefuseAPointerIntoALargeStackWhenStoredInTheHeap() {
        long[] frames = new long[2000];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = stack.push(SMALL);
        }
        assertTrue(stack.capacityBytes() > 32 * 1024); // a large heap object now
        long node = heap.newObject(NODE);
        long p = stack.addressOf(frames[1500], 8);
        PointerEscapeException e = assertThrows(PointerEscapeException.class, () -> heap.writePointer(node, NODE_NEXT, p));
        assertEquals(g.id(), e.goroutineId());
        heap.free(node);
        for (int i = frames.length - 1; i >= 0; i--) {
            stack.pop(frames[i]);
        }
    }

    @Test
    void shouldRefuseAPointerIntoAnotherGoroutinesStackWhenStoredInAFrame() throws Exception {
        AtomicLong theirs = new AtomicLong();
        CountDownLatch published = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Goroutine other = rt.go(() -> {
            Stack s = Goroutine.current().stack();
            long f = s.push(SMALL);
            theirs.set(s.addressOf(f, VALUE));
            published.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.pop(f);
        });
        published.await();
        long f = stack.push(SMALL);
        long h = heap.newObject(NODE);
        stack.writePointer(f, REF, h);
        PointerEscapeException e = assertThrows(PointerEscapeException.class,
                () -> stack.writePointer(f, REF, theirs.get()));
        assertTrue(e.getMessage().contains("pointer into the stack of goroutine " + other.id() + " stored in frame small #"),
                e.getMessage());
        assertTrue(e.getMessage().contains("on the stack of goroutine " + g.id()), e.getMessage());
        assertEquals(h, stack.readPointer(f, REF)); // unchanged
        stack.writePointer(f, REF, stack.addressOf(f, VALUE));
        assertThrows(PointerEscapeException.class, () -> stack.writePointer(f, REF, theirs.get()));
        assertEquals(stack.addressOf(f, VALUE), stack.readPointer(f, REF)); // an in-stack old value is kept too
        done.countDown();
        other.join();
        heap.free(h);
        stack.pop(f);
    }

    @Test
    void shouldAcceptOwnStackPointersOnlyWhenTheyPointIntoTheUsedPart() {
        long f = stack.push(SMALL);
        long inner = stack.push(SMALL);
        long above = stack.addressOf(inner, 0);
        stack.pop(inner);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.writePointer(f, REF, above));
        assertFalse(e instanceof PointerEscapeException);
        assertTrue(e.getMessage().contains("used part of this stack"), e.getMessage());
        stack.writePointer(f, REF, stack.addressOf(f, VALUE));
        assertEquals(stack.addressOf(f, VALUE), stack.readPointer(f, REF));
        assertEquals(0, rt.stats().pointerEscapeCount());
        stack.pop(f);
    }

    @Test
    void shouldLetTheWriteBarrierSeeHeapPointersOnlyWhenAStackSlotChanges() {
        long h = heap.newObject(NODE);
        StringBuilder seen = new StringBuilder();
        heap.setWriteBarrier((oldValue, newValue) -> seen.append(oldValue == h ? "h" : oldValue == 0 ? "0" : "?")
                .append(">").append(newValue == h ? "h" : newValue == 0 ? "0" : "?").append(' '));
        try {
            long f = stack.push(SMALL);
            stack.writePointer(f, REF, h);                        // 0>h
            stack.writePointer(f, REF, stack.addressOf(f, VALUE)); // h>0: the heap pointer leaves
            stack.writePointer(f, REF, h);                        // 0>h: the stack pointer never shows
            stack.writePointer(f, REF, 0);                        // h>0
            assertEquals("0>h h>0 0>h h>0 ", seen.toString());
            stack.pop(f);
        } finally {
            heap.setWriteBarrier(null);
        }
        heap.free(h);
    }
}
