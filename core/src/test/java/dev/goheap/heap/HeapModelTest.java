package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Model-based random test: random allocate / free / write / check sequences of mixed sizes
 * against a simple model (a list of live objects and what they should contain), with {@link
 * Heap#verify()} after every step.
 *
 * <p>Reproduce a failure with the seed it prints: {@code ./mvnw -pl core test
 * -Dtest=HeapModelTest -Dgoheap.test.argLine=-Dgoheap.seed=SEED}; change the length with
 * {@code -Dgoheap.modelOps=N} (default 1,000,000).
 */
class HeapModelTest {
    private static final int MAX_LIVE = 400;

    /** One live object in the model. */
    private record Live(long pointer, long size, boolean typed, long stamp) {}

    private final long seed = Long.getLong("goheap.seed", System.nanoTime());
    private final long operations = Long.getLong("goheap.modelOps", 1_000_000L);
    private final SplittableRandom random = new SplittableRandom(seed);
    private final List<Live> live = new ArrayList<>();
    private final Map<Long, Integer> indexOf = new HashMap<>();
    private final ExecutorService otherThread = Executors.newSingleThreadExecutor();
    private Heap heap;
    private long step;
    private String lastOp = "none";

    @BeforeEach
    void open() {
        heap = Heap.open(64L << 20, random.nextBoolean() ? 0 : 8L << 20);
    }

    @AfterEach
    void close() throws InterruptedException {
        otherThread.shutdownNow();
        otherThread.awaitTermination(10, TimeUnit.SECONDS);
        heap.close();
    }

    @Test
    void shouldAgreeWithTheModelAndVerifyWhenRunningRandomOperations() {
        try {
            for (step = 0; step < operations; step++) {
                oneStep();
                heap.verify();
                if (step % 50_000 == 0) {
                    checkEverything();
                }
            }
            while (!live.isEmpty()) {
                free(live.size() - 1, false);
            }
            heap.releaseThreadCache();
            heap.verify();
            assertEquals(0, heap.stats().liveObjects());
            assertEquals(0, heap.stats().heapInUseBytes(), "all spans back in the page heap");
        } catch (Throwable e) {
            fail("model test failed at step " + step + " after " + lastOp + "; replay with -Dgoheap.seed="
                    + seed, e);
        }
    }

    private void oneStep() throws Exception {
        int dice = random.nextInt(1000);
        boolean full = live.size() >= MAX_LIVE;
        if (live.isEmpty() || (!full && dice < 420)) {
            allocate();
        } else if (dice < 780) {
            free(random.nextInt(live.size()), false);
        } else if (dice < 790) {
            free(random.nextInt(live.size()), true);
        } else if (dice < 890) {
            rewrite(random.nextInt(live.size()));
        } else if (dice < 990) {
            check(live.get(random.nextInt(live.size())));
        } else if (dice < 995) {
            badOperation();
        } else {
            lastOp = "releaseThreadCache";
            heap.releaseThreadCache();
        }
    }

    private void allocate() {
        int kind = random.nextInt(100);
        long size;
        if (kind < 70) {
            size = 1 + random.nextInt(256);
        } else if (kind < 97) {
            size = 257 + random.nextInt(32768 - 256);
        } else {
            size = 32769 + random.nextInt(200_000);
        }
        boolean typed = kind % 5 == 0;
        long p = typed ? heap.newObject(HeapTest.NODE) : heap.allocate(size);
        long actual = typed ? HeapTest.NODE.byteSize() : size;
        lastOp = "allocate(" + actual + (typed ? ", typed" : "") + ") = 0x" + Long.toHexString(p);
        assertTrue(!indexOf.containsKey(p), "pointer handed out twice");
        assertTrue(heap.sizeOf(p) >= actual);
        assertZero(p);
        Live object = new Live(p, actual, typed, random.nextLong());
        write(object);
        indexOf.put(p, live.size());
        live.add(object);
        check(object);
    }

    private void free(int index, boolean fromOtherThread) throws Exception {
        Live object = live.get(index);
        lastOp = "free(0x" + Long.toHexString(object.pointer) + (fromOtherThread ? ") on another thread" : ")");
        check(object);
        if (fromOtherThread) {
            otherThread.submit(() -> heap.free(object.pointer)).get();
        } else {
            heap.free(object.pointer);
        }
        Live last = live.remove(live.size() - 1);
        if (index < live.size()) {
            live.set(index, last);
            indexOf.put(last.pointer, index);
        }
        indexOf.remove(object.pointer);
    }

    private void rewrite(int index) {
        Live old = live.get(index);
        Live object = new Live(old.pointer, old.size, old.typed, random.nextLong());
        lastOp = "rewrite(0x" + Long.toHexString(object.pointer) + ")";
        write(object);
        live.set(index, object);
        check(object);
    }

    private void badOperation() {
        Live object = live.get(random.nextInt(live.size()));
        lastOp = "bad operations on 0x" + Long.toHexString(object.pointer);
        if (heap.sizeOf(object.pointer) > 8) {
            assertThrows(IllegalArgumentException.class, () -> heap.free(object.pointer + 8), "interior");
        }
        assertThrows(IllegalArgumentException.class, () -> heap.free(object.pointer ^ (1L << 62)));
        assertThrows(IndexOutOfBoundsException.class, () -> heap.getLong(object.pointer, heap.sizeOf(object.pointer)));
        if (object.typed) {
            assertThrows(IllegalArgumentException.class, () -> heap.setLong(object.pointer, HeapTest.NEXT, 1));
        } else {
            assertThrows(IllegalArgumentException.class, () -> heap.writePointer(object.pointer, 0, 0));
        }
        long p = heap.allocate(1 + random.nextInt(100));
        heap.free(p);
        assertThrows(IllegalArgumentException.class, () -> heap.free(p), "double free");
    }

    /** Writes the object's stamp pattern: first, middle and last word for raw objects; fields for typed. */
    private void write(Live object) {
        if (object.typed) {
            heap.setLong(object.pointer, HeapTest.VALUE, object.stamp);
            heap.setInt(object.pointer, HeapTest.TAG, (int) object.stamp);
            heap.writePointer(object.pointer, HeapTest.NEXT, object.pointer); // a self loop is always live
            return;
        }
        for (long offset : wordsOf(object)) {
            heap.setLong(object.pointer, offset, object.stamp ^ offset);
        }
        if (object.size % 8 != 0) {
            heap.setByte(object.pointer, object.size - 1, (byte) object.stamp);
        }
    }

    private void check(Live object) {
        if (object.typed) {
            assertEquals(object.stamp, heap.getLong(object.pointer, HeapTest.VALUE), "value");
            assertEquals((int) object.stamp, heap.getInt(object.pointer, HeapTest.TAG), "tag");
            assertEquals(object.pointer, heap.readPointer(object.pointer, HeapTest.NEXT), "next");
            return;
        }
        for (long offset : wordsOf(object)) {
            assertEquals(object.stamp ^ offset, heap.getLong(object.pointer, offset),
                    "word " + offset + " of 0x" + Long.toHexString(object.pointer));
        }
        if (object.size % 8 != 0) {
            assertEquals((byte) object.stamp, heap.getByte(object.pointer, object.size - 1));
        }
    }

    private static long[] wordsOf(Live object) {
        long words = object.size / 8;
        if (words == 0) {
            return new long[0];
        }
        return new long[] {0, (words / 2) * 8, (words - 1) * 8};
    }

    private void assertZero(long p) {
        long size = heap.sizeOf(p);
        long[] offsets = {0, (size / 16) * 8, size - 8};
        for (long offset : offsets) {
            assertEquals(0, heap.getLong(p, offset), "fresh object not zeroed at " + offset);
        }
    }

    private void checkEverything() {
        for (Live object : live) {
            check(object);
        }
        HeapStats stats = heap.stats();
        assertEquals(live.size(), stats.liveObjects(), "live objects");
        assertEquals(stats.mallocs() - stats.frees(), stats.liveObjects());
    }
}
