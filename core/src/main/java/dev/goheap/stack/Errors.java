package dev.goheap.stack;

import dev.goheap.StackOverflowException;
import dev.goheap.internal.Pointers;
import java.time.Duration;

/** Builds the stack package's exceptions in one place, so their wording stays consistent (STYLE "Errors"). */
final class Errors {
    private Errors() {}

    static RuntimeException notOwner(Stack stack, Thread owner) {
        if (owner == null) {
            return new IllegalStateException("stack of goroutine " + stack.goroutineId()
                    + ": released (expected: the stack of a running goroutine; it was freed when the goroutine"
                    + " ended or detached)");
        }
        return new WrongThreadException("stack of goroutine " + stack.goroutineId() + ": used by "
                + Thread.currentThread() + " (expected: its owner " + owner + "; a stack belongs to one goroutine)");
    }

    static WrongThreadException notHolder(Goroutine g) {
        return new WrongThreadException("stack of goroutine " + g.id() + ": scanned by " + Thread.currentThread()
                + " (expected: its own thread " + g.thread() + ", or the thread that holds it parked or stopped"
                + " at a stop or handshake; it is " + g.mutator().state() + ")");
    }

    static IllegalStateException staleHandle(long handle, long usedBytes) {
        return new IllegalStateException("handle: " + Records.describe(handle) + " (expected: a live frame or"
                + " stack object of this stack, below +" + usedBytes + "; it was popped or never pushed here)");
    }

    static IllegalStateException badPop(long handle, long topFrame, String topName) {
        String top = topFrame == 0 ? "no frame is pushed" : "the top frame is " + topName + " at +" + topFrame;
        return new IllegalStateException("pop: frame " + Records.describe(handle)
                + " (expected: the top frame; frames pop last-in first-out and once; " + top + ")");
    }

    static IllegalStateException notTopFrame(String operation, long handle, long topFrame) {
        return new IllegalStateException(operation + ": frame " + Records.describe(handle)
                + " (expected: the top frame, at +" + topFrame + "; stack memory is only added on top)");
    }

    static IllegalStateException noFrame(String operation) {
        return new IllegalStateException(operation + ": no frame is pushed (expected: a pushed frame; what is"
                + " allocated here dies with the top frame's pop)");
    }

    static IndexOutOfBoundsException outOfRecord(long handle, String name, long offset, int bytes, long body) {
        return new IndexOutOfBoundsException("offset: " + offset + " for " + bytes + " bytes of " + name + " "
                + Records.describe(handle) + " (expected: 0.." + (body - bytes) + ")");
    }

    static IllegalArgumentException primitiveIntoPointer(long handle, String name, long offset) {
        return new IllegalArgumentException("offset: " + offset + " of " + name + " " + Records.describe(handle)
                + " (expected: a non-pointer slot; pointer slots are written with writePointer)");
    }

    static IllegalArgumentException notPointerSlot(long handle, String name, long offset) {
        return new IllegalArgumentException("offset: " + offset + " of " + name + " " + Records.describe(handle)
                + " (expected: a pointer slot of the frame's type)");
    }

    static IllegalArgumentException deadStackPointer(long value, long offset, long usedBytes) {
        return new IllegalArgumentException("pointer value: " + Pointers.format(value) + " (&stack+" + offset
                + ") (expected: nil, a live heap object, or a pointer into the used part of this stack, +"
                + Records.STACK_HEADER_BYTES + "..+" + usedBytes + ")");
    }

    static IllegalArgumentException notInStack(long pointer, String why) {
        return new IllegalArgumentException("pointer: " + Pointers.format(pointer)
                + " (expected: a pointer into a live frame or stack object of this stack; " + why + ")");
    }

    static IllegalArgumentException badScratch(long byteSize, long byteAlignment) {
        return new IllegalArgumentException("scratch allocation: " + byteSize + " bytes aligned to " + byteAlignment
                + " (expected: 0.." + dev.goheap.type.FrameType.MAX_BYTE_SIZE
                + " bytes, an alignment that is a power of two)");
    }

    static StackOverflowException overflow(long requestedBytes, long limitBytes, long goroutineId) {
        return new StackOverflowException(requestedBytes, limitBytes, goroutineId);
    }

    static IllegalStateException runtimeClosing(String operation) {
        return new IllegalStateException(operation + ": the runtime is closing or closed (expected: an open runtime)");
    }

    static IllegalStateException alreadyGoroutine(Goroutine g) {
        return new IllegalStateException("attach: " + Thread.currentThread() + " is already goroutine " + g.id()
                + (g.isAttached() ? " (attached)" : "") + " (expected: a thread that is no goroutine)");
    }

    static IllegalStateException notAttached(Goroutine g) {
        return new IllegalStateException("detach: goroutine " + g.id()
                + " (expected: an attached thread; goroutines started by go() end when their task returns)");
    }

    static IllegalStateException noGoroutine() {
        return new IllegalStateException("current goroutine: none on " + Thread.currentThread()
                + " (expected: a goroutine started by go() or a thread attached with attach())");
    }

    static IllegalStateException closeFromGoroutine(Goroutine g) {
        return new IllegalStateException("close: called from goroutine " + g.id()
                + " (expected: a thread that is not a running goroutine of this runtime; it would wait for itself)");
    }

    static IllegalStateException stillRunning(long running, long attached, Duration waited) {
        return new IllegalStateException("close: " + running + " goroutines still running (" + attached
                + " of them attached threads) after " + waited.toMillis() + " ms (expected: 0; join them and"
                + " detach attached threads first; nothing was freed and the runtime stays open)");
    }

    static IllegalArgumentException badSetting(String name, Object value, String expected) {
        return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
}
