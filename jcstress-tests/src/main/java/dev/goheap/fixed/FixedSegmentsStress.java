package dev.goheap.fixed;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * Races on the data segment's pointer slots: publishing a heap object to another thread.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=FixedSegmentsStress
 *   (a real run: -Djcstress.mode=quick, about 80 s per test on 2 cores; CI runs sanity mode)
 *
 * The data segment is laid out once and never grows, but jcstress makes states millions of
 * times, ~10,000 of them alive at once (256 x 40 per epoch, a little more while it sizes its
 * strides). So the segment holds SLOT_COUNT pointer slots (64 symbols of 512 slots, 256 KiB)
 * and each state borrows one from SlotPool in its constructor and returns it, nil again, in
 * its arbiter: no two live states share a slot.
 */
public final class FixedSegmentsStress {
    static final int SLOTS_PER_SYMBOL = 512;
    static final int SYMBOL_COUNT = 64;
    static final int SLOT_COUNT = SLOTS_PER_SYMBOL * SYMBOL_COUNT;

    /** The type of each data symbol: SLOTS_PER_SYMBOL pointer fields s0, s1, ... */
    static final ObjectType SLOTS = slotsType();

    /** The published object: two plain fields the writer fills before publishing. */
    static final ObjectType BOX = ObjectType.of("Box",
            MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_LONG.withName("b")));
    static final long A = BOX.offsetOf("a");
    static final long B = BOX.offsetOf("b");

    /** One runtime for every state in the fork, its data segment made of the slot symbols. */
    static final GoRuntime RT = GoRuntime.builder()
            .heapLimitBytes(1L << 30)
            .fixedSegments(slotSymbols())
            .build();
    static final Heap HEAP = RT.heap();
    static final FixedSegments FIXED = RT.fixedSegments();
    static final Symbol[] SYMBOLS = resolveSymbols();

    private static final AtomicLong IDS = new AtomicLong();

    private FixedSegmentsStress() {}

    @JCStressTest
    @Description("A writer allocates an object, fills its fields and stores its pointer into a data "
            + "slot with writePointerRelease; a reader loads the slot with readPointerAcquire and, if "
            + "it sees the pointer, reads the fields.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The reader ran before the store: nil.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The reader saw the pointer and both fields.")
    @Outcome(expect = FORBIDDEN, desc = "The reader saw the pointer but not the contents written before "
            + "it (0 = zero, 2 = stale bytes), or something threw (-1 reader, -2 writer, -3 cleanup).")
    @State
    public static class PublishViaDataSlot {
        private final Publication publication = new Publication();

        @Actor
        public void writer() {
            publication.write(true);
        }

        @Actor
        public void reader(III_Result r) {
            publication.read(true, r);
        }

        @Arbiter
        public void owner(III_Result r) {
            publication.finish(r);
        }
    }

    @JCStressTest
    @Description("As PublishViaDataSlot, but with the plain writePointer and readPointer: nothing orders "
            + "the field stores before the pointer store, so a reader may see the pointer and old "
            + "contents (it will not on x86, whose stores are not reordered with each other).")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The reader ran before the store: nil.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The reader saw the pointer and both fields.")
    @Outcome(id = {"1, [02], [0-2]", "1, 1, [02]"}, expect = ACCEPTABLE_INTERESTING, desc = "The reader "
            + "saw the pointer before the contents (0 = zero, 2 = stale bytes): allowed for plain accesses.")
    @Outcome(id = "-1, [0-2], [0-2]", expect = ACCEPTABLE_INTERESTING, desc = "The reader saw the pointer "
            + "before the heap's record of the allocation and the heap refused the access: a pointer handed "
            + "over without a happens-before edge is outside the heap's contract; a clean exception is allowed.")
    @Outcome(expect = FORBIDDEN, desc = "The writer or the clean-up threw (-2 writer, -3 cleanup).")
    @State
    public static class PublishViaDataSlotPlain {
        private final Publication publication = new Publication();

        @Actor
        public void writer() {
            publication.write(false);
        }

        @Actor
        public void reader(III_Result r) {
            publication.read(false, r);
        }

        @Arbiter
        public void owner(III_Result r) {
            publication.finish(r);
        }
    }

    /**
     * One handover of one object through one borrowed slot: the writer's and reader's steps and
     * the arbiter's clean-up, shared by both memory modes.
     */
    static final class Publication {
        private final long id = IDS.getAndAdd(2) + 1;
        private final int slot = SlotPool.take();
        private final Symbol symbol = SYMBOLS[slot / SLOTS_PER_SYMBOL];
        private final long offset = (long) (slot % SLOTS_PER_SYMBOL) * 8;
        private long p;                  // writer, then arbiter
        private RuntimeException thrown; // writer, then arbiter

        void write(boolean release) {
            try {
                long q = HEAP.newObject(BOX);
                p = q;
                HEAP.setLong(q, A, id);
                HEAP.setLong(q, B, id + 1);
                if (release) {
                    FIXED.writePointerRelease(symbol, offset, q);
                } else {
                    FIXED.writePointer(symbol, offset, q);
                }
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        void read(boolean acquire, III_Result r) {
            try {
                long q = acquire
                        ? FIXED.readPointerAcquire(symbol, offset)
                        : FIXED.readPointer(symbol, offset);
                if (q != 0) {
                    r.r1 = 1;
                    r.r2 = field(HEAP.getLong(q, A), id);
                    r.r3 = field(HEAP.getLong(q, B), id + 1);
                }
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        /** Arbiter: nils the slot, frees the object, returns the slot to the pool. */
        void finish(III_Result r) {
            if (thrown != null) {
                r.r1 = -2;
            }
            try {
                FIXED.writePointer(symbol, offset, 0);
                if (p != 0) {
                    HEAP.free(p);
                }
            } catch (RuntimeException e) {
                r.r1 = -3;
            }
            SlotPool.give(slot);
        }
    }

    /** Codes a field the reader saw: 1 what the writer wrote, 0 zero, 2 anything else (stale). */
    static int field(long seen, long written) {
        return seen == written ? 1 : seen == 0 ? 0 : 2;
    }

    /**
     * The free slot numbers: a stack taken from in state constructors and given back to in
     * arbiters, never on the actors' paths, so its lock orders nothing in the race itself.
     *
     * <p><b>Thread safety:</b> every method synchronizes on the class.
     */
    static final class SlotPool {
        private static final int[] FREE = new int[SLOT_COUNT]; // guarded by SlotPool.class
        private static int freeCount;                           // guarded by SlotPool.class

        static {
            for (int i = 0; i < SLOT_COUNT; i++) {
                FREE[i] = SLOT_COUNT - 1 - i;
            }
            freeCount = SLOT_COUNT;
        }

        private SlotPool() {}

        static synchronized int take() {
            if (freeCount == 0) {
                throw new IllegalStateException("free slots: 0 (expected: fewer than " + SLOT_COUNT
                        + " states alive at once)");
            }
            return FREE[--freeCount];
        }

        static synchronized void give(int slot) {
            FREE[freeCount++] = slot;
        }
    }

    private static ObjectType slotsType() {
        MemoryLayout[] fields = new MemoryLayout[SLOTS_PER_SYMBOL];
        String[] names = new String[SLOTS_PER_SYMBOL];
        for (int i = 0; i < SLOTS_PER_SYMBOL; i++) {
            names[i] = "s" + i;
            fields[i] = JAVA_LONG.withName(names[i]);
        }
        return ObjectType.of("Slots", MemoryLayout.structLayout(fields), names);
    }

    private static FixedSegments.Builder slotSymbols() {
        FixedSegments.Builder builder = FixedSegments.builder();
        for (int i = 0; i < SYMBOL_COUNT; i++) {
            builder.data(symbolName(i), SLOTS);
        }
        return builder;
    }

    private static Symbol[] resolveSymbols() {
        Symbol[] symbols = new Symbol[SYMBOL_COUNT];
        for (int i = 0; i < SYMBOL_COUNT; i++) {
            symbols[i] = FIXED.symbol(symbolName(i));
        }
        return symbols;
    }

    private static String symbolName(int i) {
        return "stress.slots" + i;
    }
}
