package dev.goheap.heap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The drainers' scanner ({@link MarkScan}) against its definition, {@code scan(p, v -> mark(v))}
 * for each object of the batch in turn: the same objects greyed in the same order, the same
 * bytes, the same marks, on a random graph of every kind of object the scan paths tell apart
 * (uniform and mixed spans, objects with more fields than the scanner's buffer, large objects,
 * noscan objects, shared children, nil fields).
 */
class MarkScanTest {
    static final ObjectType PAIR = ObjectType.of("Pair",
            MemoryLayout.structLayout(JAVA_LONG.withName("left"), JAVA_LONG.withName("right"),
                    JAVA_LONG.withName("value")),
            "left", "right");
    /** PAIR's size, its pointers one word later: allocated among PAIRs, it makes their span mixed. */
    static final ObjectType OTHER = ObjectType.of("Other",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("a"), JAVA_LONG.withName("b")),
            "a", "b");
    /** 64 pointer fields, a uniform span: 16 of them fill the scanner's buffer twice. */
    static final ObjectType WIDE = wide("Wide", 64, 0);
    /** A large object (past 32 KiB) with more pointer fields than the scanner's buffer holds. */
    static final ObjectType HUGE = wide("Huge", MarkScan.CAPACITY + 100, 4200);
    static final ObjectType[] TYPES = {PAIR, OTHER, WIDE, HUGE, null};

    static ObjectType wide(String name, int pointers, int dataWords) {
        List<MemoryLayout> fields = new ArrayList<>();
        String[] names = new String[pointers];
        for (int i = 0; i < pointers; i++) {
            names[i] = "p" + i;
            fields.add(JAVA_LONG.withName(names[i]));
        }
        if (dataWords > 0) {
            fields.add(MemoryLayout.sequenceLayout(dataWords, JAVA_LONG).withName("data"));
        }
        return ObjectType.of(name, MemoryLayout.structLayout(fields.toArray(MemoryLayout[]::new)), names);
    }

    /** One heap with the graph of {@code seed}: object i of the graph is {@code objects[i]}. */
    static final class Graph implements AutoCloseable {
        final Heap heap = Heap.open(1L << 30, 0);
        final HeapForGc gc = GcAccess.of(heap);
        final long[] objects;
        final ObjectType[] types;
        final Map<Long, Integer> index = new HashMap<>();

        Graph(long seed, int count) {
            SplittableRandom random = new SplittableRandom(seed);
            objects = new long[count];
            types = new ObjectType[count];
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(100);
                ObjectType t = kind < 50 ? PAIR : kind < 75 ? OTHER : kind < 88 ? WIDE : kind < 90 ? HUGE : null;
                types[i] = t;
                objects[i] = t == null ? heap.allocate(32) : heap.newObject(t);
                index.put(objects[i], i);
            }
            for (int i = 0; i < count; i++) {
                ObjectType t = types[i];
                if (t == null) {
                    continue;
                }
                for (String field : t.pointerFields()) {
                    int to = random.nextInt(count + count / 4); // a fifth of the fields stay nil
                    if (to < count) {
                        heap.writePointer(objects[i], t.offsetOf(field), objects[to]);
                    }
                }
            }
        }

        @Override
        public void close() {
            heap.verify();
            heap.close();
        }
    }

    @Test
    void shouldGreyMarkAndCountWhatScanThenMarkWouldWhenScanningABatch() {
        for (long seed = 1; seed <= 20; seed++) {
            int count = 600;
            try (Graph reference = new Graph(seed, count); Graph scanned = new Graph(seed, count)) {
                SplittableRandom random = new SplittableRandom(seed * 31);
                List<Integer> batch = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (reference.types[i] != null && random.nextInt(3) == 0) {
                        batch.add(i);
                    }
                }
                reference.gc.startMark();
                scanned.gc.startMark();
                long[] batchOfScanned = new long[batch.size()];
                for (int k = 0; k < batch.size(); k++) {
                    int i = batch.get(k);
                    reference.gc.mark(reference.objects[i]); // grey, as the queue holds them
                    scanned.gc.mark(scanned.objects[i]);
                    batchOfScanned[k] = scanned.objects[i];
                }

                List<Integer> expectedGreys = new ArrayList<>();
                long[] expectedBytes = {0};
                for (int i : batch) {
                    reference.gc.scan(reference.objects[i], v -> {
                        long marked = reference.gc.mark(v);
                        expectedBytes[0] += marked & ~HeapForGc.NEEDS_SCAN;
                        if ((marked & HeapForGc.NEEDS_SCAN) != 0) {
                            expectedGreys.add(reference.index.get(v));
                        }
                    });
                }
                List<Integer> greys = new ArrayList<>();
                HeapForGc.Scanner scanner = scanned.gc.newScanner();
                long bytes = scanner.scanAndMark(batchOfScanned, batchOfScanned.length,
                        p -> greys.add(scanned.index.get(p)));

                assertEquals(expectedGreys, greys, "greys, seed " + seed);
                assertEquals(expectedBytes[0], bytes, "marked bytes, seed " + seed);
                for (int i = 0; i < count; i++) {
                    assertEquals(reference.gc.isMarked(reference.objects[i]), scanned.gc.isMarked(scanned.objects[i]),
                            "mark of object " + i + ", seed " + seed);
                }
                reference.gc.finishMark();
                scanned.gc.finishMark();
                reference.gc.finishSweep();
                scanned.gc.finishSweep();
            }
        }
    }

    @Test
    void shouldGreyASharedChildOnceWhenTwoObjectsOfTheBatchPointToIt() {
        try (Graph g = new Graph(0, 0)) {
            long child = g.heap.newObject(PAIR);
            long a = g.heap.newObject(PAIR);
            long b = g.heap.newObject(WIDE);
            g.heap.writePointer(a, PAIR.offsetOf("left"), child);
            g.heap.writePointer(a, PAIR.offsetOf("right"), child);
            g.heap.writePointer(b, WIDE.offsetOf("p63"), child);
            g.gc.startMark();
            g.gc.mark(a);
            g.gc.mark(b);
            List<Long> greys = new ArrayList<>();
            long bytes = g.gc.newScanner().scanAndMark(new long[] {a, b}, 2, greys::add);
            assertEquals(List.of(child), greys);
            assertEquals(g.heap.sizeOf(child), bytes);
            assertEquals(0, g.gc.newScanner().scanAndMark(new long[] {a}, 1, greys::add), "marked already");
            assertEquals(List.of(child), greys);
            g.gc.finishMark();
            g.gc.finishSweep();
        }
    }

    @Test
    void shouldSkipAGreyObjectQuietlyWhenItWasFreedUnderItsPointer() {
        try (Graph g = new Graph(0, 0)) {
            long child = g.heap.newObject(PAIR);
            long large = g.heap.newObject(HUGE);
            g.heap.writePointer(large, HUGE.offsetOf("p0"), child);
            g.gc.startMark();
            g.gc.mark(large);
            g.heap.free(large); // a dangling grey pointer: its span is free now
            List<Long> greys = new ArrayList<>();
            assertEquals(0, g.gc.newScanner().scanAndMark(new long[] {large}, 1, greys::add));
            assertTrue(greys.isEmpty());
            assertFalse(g.gc.isMarked(child));
            g.gc.finishMark();
            g.gc.finishSweep(); // frees the unmarked child
        }
    }
}
