package dev.goheap.fixed;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;

/** Object types and heap settings shared by the package's tests. */
final class TestTypes {
    static final long HEAP_LIMIT_BYTES = 64L << 20;

    /** {@code Node {long value; long next*}}: 16 bytes, a pointer at 8. */
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");
    static final long NODE_VALUE = NODE.offsetOf("value");
    static final long NODE_NEXT = NODE.offsetOf("next");

    /** {@code Pair {long left*; int count; pad 4; long right*; double weight}}: 32 bytes. */
    static final ObjectType PAIR = ObjectType.of("Pair",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_INT.withName("count"),
                    MemoryLayout.paddingLayout(4), JAVA_LONG.withName("right"), JAVA_DOUBLE.withName("weight")),
            "left", "right");
    static final long PAIR_LEFT = PAIR.offsetOf("left");
    static final long PAIR_COUNT = PAIR.offsetOf("count");
    static final long PAIR_RIGHT = PAIR.offsetOf("right");
    static final long PAIR_WEIGHT = PAIR.offsetOf("weight");

    /** {@code Counter {int n}}: 4 bytes, no pointers. */
    static final ObjectType COUNTER = ObjectType.of("Counter", MemoryLayout.structLayout(JAVA_INT.withName("n")));

    /** {@code Blob {byte[13] bytes}}: 13 bytes, no pointers, for unaligned accesses. */
    static final ObjectType BLOB = ObjectType.of("Blob",
            MemoryLayout.structLayout(MemoryLayout.sequenceLayout(13, JAVA_BYTE).withName("bytes")));

    /** {@code Wide {long a; long b*}} aligned to 32 bytes. */
    static final ObjectType WIDE = ObjectType.of("Wide",
            MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_LONG.withName("b")).withByteAlignment(32), "b");

    private TestTypes() {}

    static Heap openHeap() {
        return Heap.open(HEAP_LIMIT_BYTES, 0);
    }
}
