package dev.goheap.fixed;

import static dev.goheap.fixed.TestTypes.BLOB;
import static dev.goheap.fixed.TestTypes.COUNTER;
import static dev.goheap.fixed.TestTypes.NODE;
import static dev.goheap.fixed.TestTypes.PAIR;
import static dev.goheap.fixed.TestTypes.WIDE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.goheap.heap.Heap;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of accesses, legal and not, against a byte-array model of both sections.
 * Replay a failure with {@code -Dgoheap.test.argLine=-Dgoheap.seed=<seed>}.
 */
class FixedSegmentsModelTest {
    private static final int OPERATIONS = 20_000;
    private static final String[] KINDS = {"getByte", "setByte", "getInt", "setInt", "getLong", "setLong",
        "getDouble", "setDouble", "readPointer", "readPointerAcquire", "writePointer", "writePointerRelease"};

    @Test
    void shouldMatchModelWhenRandomAccessesRun() {
        long seed = Long.getLong("goheap.seed", new SplittableRandom().nextLong());
        try {
            run(new SplittableRandom(seed));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("FixedSegmentsModelTest failed with seed " + seed
                    + " (replay with -Dgoheap.seed=" + seed + ")", e);
        }
    }

    private static void run(SplittableRandom random) {
        byte[] constant = new byte[11];
        random.nextBytes(constant);
        try (Heap heap = TestTypes.openHeap();
                FixedSegments fixed = FixedSegments.builder()
                        .data("root", NODE).rodata("k", constant).data("pair", PAIR).data("blob", BLOB)
                        .data("counter", COUNTER).data("wide", WIDE).link(heap)) {
            long[] live = new long[8];
            for (int i = 0; i < live.length; i++) {
                live[i] = heap.newObject(i % 2 == 0 ? NODE : PAIR);
            }
            long freed = heap.newObject(NODE);
            heap.free(freed);
            long[] garbage = {live[0] + 8, freed, 12345, -1};
            ByteBuffer data = ByteBuffer.wrap(new byte[(int) fixed.dataByteSize()]).order(ByteOrder.nativeOrder());
            List<Symbol> symbols = fixed.symbols();
            for (int op = 0; op < OPERATIONS; op++) {
                Symbol s = symbols.get(random.nextInt(symbols.size()));
                String kind = KINDS[random.nextInt(KINDS.length)];
                long offset = random.nextBoolean()
                        ? random.nextLong(-2, s.byteSize() + 2)
                        : 8 * random.nextLong(-1, s.byteSize() / 8 + 2);
                boolean garbageValue = random.nextInt(8) == 0;
                long pointer = garbageValue ? garbage[random.nextInt(garbage.length)]
                        : random.nextInt(4) == 0 ? 0 : live[random.nextInt(live.length)];
                long bits = random.nextLong();
                Class<? extends RuntimeException> expected = expectedFailure(s, kind, offset, garbageValue);
                String what = "op " + op + ": " + kind + "(" + s + ", " + offset + ")";
                try {
                    step(fixed, data, constant, s, kind, offset, pointer, bits, what);
                    if (expected != null) {
                        fail(what + " succeeded (expected: " + expected.getSimpleName() + ")");
                    }
                } catch (RuntimeException e) {
                    if (expected == null || !expected.isInstance(e)) {
                        throw new AssertionError(what + " threw " + e + " (expected: " + expected + ")", e);
                    }
                }
                if (op % 64 == 0 || expected != null) {
                    assertSectionsMatch(fixed, data.array(), constant, what);
                }
            }
            assertSectionsMatch(fixed, data.array(), constant, "end");
            heap.verify();
        }
    }

    /** The model of the access checks (FixedSegments' "Access checks", steps 3 to 6). */
    private static Class<? extends RuntimeException> expectedFailure(Symbol s, String kind, long offset,
            boolean garbageValue) {
        boolean write = kind.startsWith("set") || kind.startsWith("write");
        boolean pointer = kind.contains("Pointer");
        int n = kind.endsWith("Byte") ? 1 : kind.endsWith("Int") ? 4 : 8;
        if (write && s.isReadOnly()) {
            return UnsupportedOperationException.class;
        }
        if (offset < 0 || offset + n > s.byteSize()) {
            return IndexOutOfBoundsException.class;
        }
        if (pointer) {
            boolean field = !s.isReadOnly() && offset % 8 == 0 && s.type().pointerMap().isPointerWord(offset / 8);
            return !field || (write && garbageValue) ? IllegalArgumentException.class : null;
        }
        if (write) {
            for (long b = offset; b < offset + n; b++) {
                if (s.type().pointerMap().isPointerWord(b / 8)) {
                    return IllegalArgumentException.class;
                }
            }
        }
        return null;
    }

    private static void step(FixedSegments fixed, ByteBuffer data, byte[] constant, Symbol s, String kind,
            long offset, long pointer, long bits, String what) {
        ByteBuffer model = s.isReadOnly() ? ByteBuffer.wrap(constant).order(ByteOrder.nativeOrder()) : data;
        int at = (int) (s.isReadOnly() ? offset : s.offset() + offset);
        switch (kind) {
            case "getByte" -> {
                byte actual = fixed.getByte(s, offset);
                assertEquals(model.get(at), actual, what);
            }
            case "getInt" -> {
                int actual = fixed.getInt(s, offset);
                assertEquals(model.getInt(at), actual, what);
            }
            case "getLong" -> {
                long actual = fixed.getLong(s, offset);
                assertEquals(model.getLong(at), actual, what);
            }
            case "getDouble" -> {
                double actual = fixed.getDouble(s, offset);
                assertEquals(Double.doubleToLongBits(model.getDouble(at)), Double.doubleToLongBits(actual), what);
            }
            case "readPointer" -> {
                long actual = fixed.readPointer(s, offset);
                assertEquals(model.getLong(at), actual, what);
            }
            case "readPointerAcquire" -> {
                long actual = fixed.readPointerAcquire(s, offset);
                assertEquals(model.getLong(at), actual, what);
            }
            case "setByte" -> {
                fixed.setByte(s, offset, (byte) bits);
                data.put(at, (byte) bits);
            }
            case "setInt" -> {
                fixed.setInt(s, offset, (int) bits);
                data.putInt(at, (int) bits);
            }
            case "setLong" -> {
                fixed.setLong(s, offset, bits);
                data.putLong(at, bits);
            }
            case "setDouble" -> {
                double value = Double.longBitsToDouble(bits & 0x7fef_ffff_ffff_ffffL); // no NaN
                fixed.setDouble(s, offset, value);
                data.putDouble(at, value);
            }
            case "writePointer" -> {
                fixed.writePointer(s, offset, pointer);
                data.putLong(at, pointer);
            }
            case "writePointerRelease" -> {
                fixed.writePointerRelease(s, offset, pointer);
                data.putLong(at, pointer);
            }
            default -> throw new AssertionError(kind);
        }
    }

    private static void assertSectionsMatch(FixedSegments fixed, byte[] data, byte[] constant, String what) {
        for (Symbol s : fixed.symbols()) {
            byte[] actual = fixed.segment(s).toArray(ValueLayout.JAVA_BYTE);
            byte[] expected = s.isReadOnly() ? constant
                    : Arrays.copyOfRange(data, (int) s.offset(), (int) (s.offset() + s.byteSize()));
            assertArrayEquals(expected, actual, what + ": " + s);
        }
    }
}
