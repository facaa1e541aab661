package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.PointerEscapeException;
import dev.goheap.heap.Heap;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The README's tour of goroutines and stacks, kept compiling and true. */
class StackTourTest {
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");
    static final long NEXT = NODE.offsetOf("next");
    static final FrameType FIB = FrameType.of("fib",
            MemoryLayout.structLayout(JAVA_LONG.withName("n"), JAVA_LONG.withName("node")), "node");
    static final long N = FIB.offsetOf("n");
    static final long LOCAL = FIB.offsetOf("node");

    @Test
    void shouldRunTheReadmeTourWhenUsedAsShown() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(1L << 30).build()) {
            Heap heap = rt.heap();
            long a = heap.newObject(NODE);
            AtomicReference<String> escape = new AtomicReference<>();
            Goroutine g = rt.go(() -> {
                Stack stack = Goroutine.current().stack();
                long f = stack.push(FIB);
                stack.setLong(f, N, 30);
                long obj = stack.alloca(f, NODE);
                stack.writePointer(f, LOCAL, stack.addressOf(obj, 0));
                escape.set(assertThrows(PointerEscapeException.class,
                        () -> heap.writePointer(a, NEXT, stack.addressOf(obj, 0))).getMessage());
                MemorySegment tmp = stack.allocator().allocateFrom("x");
                assertEquals("x", tmp.getString(0));
                stack.pop(f);
            });
            g.join();
            assertTrue(escape.get().startsWith("&stack+64 (0x"), escape.get());
            assertTrue(escape.get().contains(") escapes to heap: pointer into the stack of goroutine 1 stored in heap object 0x"),
                    escape.get());
            Goroutine self = rt.attach();
            self.stack().push(FIB);
            self.detach();
            heap.free(a);
            TestFrames.verifyAllFreed(rt);
        }
    }
}
