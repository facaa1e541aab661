package dev.goheap.stack;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.GoRuntime;
import dev.goheap.fixed.FixedSegments;
import dev.goheap.fixed.Symbol;
import dev.goheap.heap.Heap;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.L_Result;

/*
 * Races around goroutines and their stacks: the join edge, stack memory reused across
 * goroutines, stacks growing at once, attach/detach against go.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=StackStress
 *   (one race: -Djcstress.tests=StackStress.GrowAtOnce; a real run: -Djcstress.mode=quick;
 *   CI runs the whole suite in sanity mode, a smoke test)
 *
 * Every actor starts a goroutine (a virtual thread) and joins it, or attaches itself and
 * detaches again, so each state exercises a whole goroutine life: stack allocated by the first
 * push, grown, freed at the end, thread cache flushed. Stacks of 1000 64-byte frames (80 KB) end
 * in a 128 KiB block, a large heap object the heap does not zero for stacks: a fresh frame reads
 * zero only because the stack zeroes what it hands out.
 *
 * Actors report counts or ids (-1 for an exception, whose message is lost: rerun the one test
 * with a debugger); arbiters free what their state allocated. Heap.verify() cannot run here:
 * other states allocate meanwhile.
 */
public final class StackStress {
    static final int SLOTS = 1 << 16;
    static final ObjectType DATA = ObjectType.of("Slots",
            MemoryLayout.structLayout(MemoryLayout.sequenceLayout(SLOTS, JAVA_LONG).withName("slot")));
    static final ObjectType NODE = ObjectType.of("Node",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");
    static final FrameType FRAME64 = FrameType.of("frame64", MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(7, JAVA_LONG).withName("words"), JAVA_LONG.withName("link")), "link");
    static final int FRAMES = 1000;

    /** One runtime for every state of the fork (jcstress makes states millions of times). */
    static final GoRuntime RT = GoRuntime.builder().heapLimitBytes(4L << 30)
            .fixedSegments(FixedSegments.builder().data("slots", DATA)).build();
    static final Heap HEAP = RT.heap();
    static final Symbol SLOTS_SYMBOL = RT.fixedSegments().symbol("slots");
    /** Tickets for data slots: consecutive states use different slots (65536 states live at most). */
    static final AtomicLong TICKETS = new AtomicLong();

    private StackStress() {}

    @JCStressTest
    @Description("A goroutine writes a heap object and a data slot with plain stores and ends; the "
            + "goroutine that started it joins it and reads both: the join is the happens-before edge.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The joiner saw both writes.")
    @Outcome(expect = FORBIDDEN, desc = "A write not visible after the join, or an exception (-1).")
    @State
    public static class JoinSeesWrites {
        private final long stamp = TICKETS.incrementAndGet();
        private final long slot = (stamp % SLOTS) * 8;
        private final long node = HEAP.newObject(NODE);

        @Actor
        public void parent(JJ_Result r) {
            try {
                Goroutine g = RT.go(() -> {
                    HEAP.setLong(node, 0, stamp);
                    RT.fixedSegments().setLong(SLOTS_SYMBOL, slot, stamp);
                });
                g.join();
                r.r1 = HEAP.getLong(node, 0) == stamp ? 1 : 0;
                r.r2 = RT.fixedSegments().getLong(SLOTS_SYMBOL, slot) == stamp ? 1 : 0;
            } catch (Exception e) {
                r.r1 = -1;
            }
        }

        @Arbiter
        public void owner(JJ_Result r) {
            HEAP.free(node);
        }
    }

    @JCStressTest
    @Description("Two goroutines at once push 1000 frames each, check that every fresh frame reads zero, "
            + "fill it with ones and end, freeing their stacks: each state's goroutines get blocks the "
            + "ended goroutines of other states filled.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "No goroutine saw a non-zero word in a fresh frame.")
    @Outcome(expect = FORBIDDEN, desc = "Old contents showed through (count of non-zero words), or an exception (-1).")
    @State
    public static class ReusedStackIsZeroed {
        @Actor
        public void first(JJ_Result r) {
            r.r1 = runDirtying();
        }

        @Actor
        public void second(JJ_Result r) {
            r.r2 = runDirtying();
        }
    }

    @JCStressTest
    @Description("Two goroutines grow their stacks at the same time (2 KiB to 128 KiB, 6 moves each), "
            + "stamping every word of every frame, then check all their frames: blocks handed to both, or "
            + "freed under one, would mix the stamps.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Every frame of both stacks kept its stamps.")
    @Outcome(expect = FORBIDDEN, desc = "Stamps lost (count of wrong words), or an exception (-1).")
    @State
    public static class GrowAtOnce {
        @Actor
        public void first(JJ_Result r) {
            r.r1 = runStamping();
        }

        @Actor
        public void second(JJ_Result r) {
            r.r2 = runStamping();
        }
    }

    @JCStressTest
    @Description("One thread attaches itself, uses its stack and detaches, while another starts a goroutine "
            + "and joins it: registration, ids, current() and stack ownership race.")
    @Outcome(id = "distinct", expect = ACCEPTABLE, desc = "Two different ids; each side saw itself as "
            + "current and used its own stack.")
    @Outcome(expect = FORBIDDEN, desc = "One id twice, a wrong current goroutine or stack value, or an exception.")
    @State
    public static class AttachRacesGo {
        private long attachedId;
        private final long[] startedId = new long[1];

        @Actor
        public void attacher() {
            attachedId = -1;
            Goroutine g = RT.attach();
            try {
                attachedId = useOwnStack(g) ? g.id() : -2;
            } finally {
                g.detach();
            }
        }

        @Actor
        public void starter() {
            startedId[0] = -1;
            try {
                RT.go(() -> {
                    Goroutine g = Goroutine.current();
                    startedId[0] = useOwnStack(g) ? g.id() : -2;
                }).join();
            } catch (Exception e) {
                startedId[0] = -3;
            }
        }

        @Arbiter
        public void arbiter(L_Result r) {
            long a = attachedId;
            long s = startedId[0];
            r.r1 = a > 0 && s > 0 && a != s ? "distinct" : "attached " + (a > 0 ? "ok" : a) + ", started "
                    + (s > 0 ? "ok" : s) + (a == s ? ", same id" : "");
        }
    }

    /** Pushes, checks and pops one frame: true if the goroutine is current and its stack kept the value. */
    static boolean useOwnStack(Goroutine g) {
        if (Goroutine.current() != g) {
            return false;
        }
        Stack s = g.stack();
        long f = s.push(FRAME64);
        s.setLong(f, 0, g.id());
        boolean ok = s.getLong(f, 0) == g.id() && s.goroutineId() == g.id();
        s.pop(f);
        return ok;
    }

    /** In a new goroutine: 1000 frames, each checked for zeroes, then filled. Returns non-zero words seen. */
    static long runDirtying() {
        long[] seen = {-1};
        try {
            RT.go(() -> {
                Stack s = Goroutine.current().stack();
                long nonZero = 0;
                for (int i = 0; i < FRAMES; i++) {
                    long f = s.push(FRAME64);
                    for (long offset = 0; offset < 64; offset += 8) {
                        nonZero += s.getLong(f, offset) != 0 ? 1 : 0;
                    }
                    for (long offset = 0; offset < 56; offset += 8) {
                        s.setLong(f, offset, -1L);
                    }
                }
                seen[0] = nonZero; // the goroutine ends with its frames pushed: its end frees them
            }).join();
        } catch (Exception e) {
            return -1;
        }
        return seen[0];
    }

    /** In a new goroutine: 1000 stamped frames, then checked. Returns the wrong words found. */
    static long runStamping() {
        long[] wrong = {-1};
        try {
            RT.go(() -> {
                Goroutine g = Goroutine.current();
                Stack s = g.stack();
                long[] frames = new long[FRAMES];
                for (int i = 0; i < FRAMES; i++) {
                    frames[i] = s.push(FRAME64);
                    for (long offset = 0; offset < 56; offset += 8) {
                        s.setLong(frames[i], offset, g.id() << 20 ^ i << 3 ^ offset);
                    }
                }
                long bad = 0;
                for (int i = FRAMES - 1; i >= 0; i--) {
                    for (long offset = 0; offset < 56; offset += 8) {
                        bad += s.getLong(frames[i], offset) != (g.id() << 20 ^ i << 3 ^ offset) ? 1 : 0;
                    }
                    s.pop(frames[i]);
                }
                wrong[0] = bad;
            }).join();
        } catch (Exception e) {
            return -1;
        }
        return wrong[0];
    }
}
