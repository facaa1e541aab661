package dev.goheap.stack;

import static dev.goheap.stack.TestFrames.EMPTY;
import static dev.goheap.stack.TestFrames.NODE;
import static dev.goheap.stack.TestFrames.SMALL;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.goheap.GoRuntime;
import dev.goheap.StackOverflowException;
import dev.goheap.heap.Heap;
import dev.goheap.type.FrameType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of stack operations against a simple model: a list of live records with the
 * value of every word, and for pointer slots what they point to. Replay a failure with
 * {@code -Dgoheap.seed=SEED} (see the README).
 */
class StackModelTest {
    static final FrameType BIG = FrameType.of("big", MemoryLayout.structLayout(
            JAVA_LONG.withName("a"), JAVA_LONG.withName("p"), MemoryLayout.paddingLayout(16 * 1024)), "p");
    static final int STEPS = 30_000;

    /** A live frame or stack object in the model. */
    static final class Rec {
        final long handle;
        final FrameType type;
        final boolean frame;
        final Map<Long, Long> longs = new HashMap<>();      // offset -> value of primitive words written
        final Map<Long, Object> pointers = new HashMap<>(); // offset -> Long heap pointer or long[]{rec index, offset}

        Rec(long handle, FrameType type, boolean frame) {
            this.handle = handle;
            this.type = type;
            this.frame = frame;
        }
    }

    record Scratch(MemorySegment segment, long pattern, int frameIndex) {}

    @Test
    void shouldAgreeWithTheModelWhenRandomOperationsRun() {
        long seed = Long.getLong("goheap.seed", System.nanoTime());
        try {
            run(seed);
        } catch (Throwable t) {
            throw new AssertionError("StackModelTest failed with seed " + seed + " (replay: -Dgoheap.seed=" + seed + ")", t);
        }
    }

    private void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (GoRuntime rt = GoRuntime.builder().heapLimitBytes(256L << 20).maxStackBytes(1L << 20).build()) {
            Heap heap = rt.heap();
            Goroutine g = rt.attach();
            Stack stack = g.stack();
            List<Rec> recs = new ArrayList<>();
            List<Scratch> scratches = new ArrayList<>();
            long[] heapObjects = new long[8];
            for (int i = 0; i < heapObjects.length; i++) {
                heapObjects[i] = heap.newObject(NODE);
            }
            long lastCapacity = 0;
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(100);
                int top = topFrame(recs);
                if (op < 24) {
                    FrameType type = random.nextInt(10) == 0 ? BIG : random.nextInt(5) == 0 ? EMPTY : SMALL;
                    try {
                        recs.add(new Rec(stack.push(type), type, true));
                    } catch (StackOverflowException e) {
                        assertEquals(1L << 20, e.limitBytes());
                    }
                } else if (op < 48 && top >= 0) {
                    stack.pop(recs.get(top).handle);
                    while (recs.size() > top) {
                        recs.remove(recs.size() - 1);
                    }
                    scratches.removeIf(s -> s.frameIndex() >= top);
                } else if (op < 52 && top >= 0) {
                    try {
                        recs.add(new Rec(stack.alloca(recs.get(top).handle, NODE), NODE.asFrameType(), false));
                    } catch (StackOverflowException e) {
                        // unchanged
                    }
                } else if (op < 66 && !recs.isEmpty()) {
                    Rec r = recs.get(random.nextInt(recs.size()));
                    long[] words = primitiveWords(r.type);
                    if (words.length > 0) {
                        long offset = words[random.nextInt(words.length)];
                        long value = random.nextLong();
                        stack.setLong(r.handle, offset, value);
                        r.longs.put(offset, value);
                    }
                } else if (op < 85 && !recs.isEmpty()) {
                    int index = random.nextInt(recs.size());
                    Rec r = recs.get(index);
                    long[] slots = r.type.pointerMap().pointerOffsets();
                    if (slots.length > 0) {
                        long offset = slots[random.nextInt(slots.length)];
                        int kind = random.nextInt(3);
                        if (kind == 0) {
                            stack.writePointer(r.handle, offset, 0);
                            r.pointers.remove(offset);
                        } else if (kind == 1) {
                            long h = heapObjects[random.nextInt(heapObjects.length)];
                            stack.writePointer(r.handle, offset, h);
                            r.pointers.put(offset, h);
                        } else {
                            int targetIndex = random.nextInt(index + 1); // older records only: no dangling
                            Rec target = recs.get(targetIndex);
                            long bytes = target.type.bodyBytes();
                            if (bytes > 0) {
                                long targetOffset = random.nextLong(bytes) & -8L;
                                stack.writePointer(r.handle, offset, stack.addressOf(target.handle, targetOffset));
                                r.pointers.put(offset, new long[] {targetIndex, targetOffset});
                            }
                        }
                    }
                } else if (op < 90) {
                    stack.shrink();
                } else if (op < 95 && top >= 0) {
                    long pattern = random.nextLong();
                    MemorySegment s;
                    try {
                        s = stack.allocator().allocate(8 * (1 + random.nextInt(8)), 1L << random.nextInt(7));
                    } catch (StackOverflowException e) {
                        continue;
                    }
                    for (long i = 0; i + 8 <= s.byteSize(); i += 8) {
                        s.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, pattern + i);
                    }
                    scratches.add(new Scratch(s, pattern, top));
                } else if (top > 0) {
                    long notTop = recs.get(random.nextInt(top)).handle;
                    assertThrows(IllegalStateException.class, () -> stack.pop(notTop));
                }
                long capacity = stack.capacityBytes();
                if (capacity != lastCapacity || step % 8 == 0) {
                    verify(stack, heap, recs, scratches); // after every move, and often in between
                    lastCapacity = capacity;
                }
            }
            for (int i = recs.size() - 1; i >= 0; i--) {
                if (recs.get(i).frame) {
                    stack.pop(recs.get(i).handle);
                }
            }
            g.detach();
            for (long h : heapObjects) {
                heap.free(h);
            }
            TestFrames.verifyAllFreed(rt);
        }
    }

    private static int topFrame(List<Rec> recs) {
        for (int i = recs.size() - 1; i >= 0; i--) {
            if (recs.get(i).frame) {
                return i;
            }
        }
        return -1;
    }

    private static long[] primitiveWords(FrameType type) {
        long words = type.bodyBytes() / 8;
        return java.util.stream.LongStream.range(0, Math.min(words, 4))
                .filter(w -> !type.pointerMap().isPointerWord(w)).map(w -> w * 8).toArray();
    }

    private static void verify(Stack stack, Heap heap, List<Rec> recs, List<Scratch> scratches) {
        int frames = 0;
        for (Rec r : recs) {
            frames += r.frame ? 1 : 0;
            for (long w : primitiveWords(r.type)) {
                assertEquals(r.longs.getOrDefault(w, 0L), stack.getLong(r.handle, w));
            }
            for (long offset : r.type.pointerMap().pointerOffsets()) {
                Object target = r.pointers.get(offset);
                long expected = target == null ? 0 : target instanceof Long h ? h
                        : stack.addressOf(recs.get((int) ((long[]) target)[0]).handle, ((long[]) target)[1]);
                assertEquals(expected, stack.readPointer(r.handle, offset));
            }
        }
        assertEquals(frames, stack.depth());
        for (Scratch s : scratches) {
            for (long i = 0; i + 8 <= s.segment().byteSize(); i += 8) {
                assertEquals(s.pattern() + i, s.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i));
            }
        }
    }
}
