package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;

/** Frame and object types shared by the stack tests. */
final class TestFrames {
    /** A 64-byte frame: a long, an int, two pointer slots, padding. */
    static final FrameType SMALL = FrameType.of("small", MemoryLayout.structLayout(
            JAVA_LONG.withName("value"), JAVA_INT.withName("tag"), JAVA_INT.withName("pad"),
            JAVA_LONG.withName("ref"), JAVA_LONG.withName("link"), MemoryLayout.paddingLayout(32)),
            "ref", "link");
    static final long VALUE = SMALL.offsetOf("value");
    static final long TAG = SMALL.offsetOf("tag");
    static final long REF = SMALL.offsetOf("ref");
    static final long LINK = SMALL.offsetOf("link");

    /** A frame with no slots. */
    static final FrameType EMPTY = FrameType.of("empty", MemoryLayout.structLayout());

    /** A heap or stack object with one pointer field. */
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");
    static final long NODE_VALUE = NODE.offsetOf("value");
    static final long NODE_NEXT = NODE.offsetOf("next");

    private TestFrames() {}

    static GoRuntime runtime() {
        return GoRuntime.builder().heapLimitBytes(512L << 20).scavengeRetainBytes(0).build();
    }

    /** Checks the heap and that every stack block went back to it. */
    static void verifyAllFreed(GoRuntime rt) {
        rt.heap().verify();
        GoroutineStats stats = rt.stats().goroutines();
        if (stats.stackBlocks() != 0 || stats.stackBytes() != 0 || stats.running() != 0) {
            throw new AssertionError("stacks or goroutines left: " + stats);
        }
    }
}
