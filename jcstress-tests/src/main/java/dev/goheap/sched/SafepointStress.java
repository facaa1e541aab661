package dev.goheap.sched;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.heap.Heap;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Goroutines;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import java.lang.foreign.MemoryLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.openjdk.jcstress.infra.results.LL_Result;

/*
 * Races between goroutines reaching safepoints (poll, park, unpark, register, deregister) and a
 * stopper or handshaker, the protocol of dev.goheap.sched (package-info "Races").
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=SafepointStress
 *   (one race: -Djcstress.tests=SafepointStress.UnparkRacesStop; a real run: -Djcstress.mode=quick)
 *   (the stripes of the active count: -Djcstress.tests='SafepointStress.*(UnparkRacesStop|UnparkOnTwoStripes)')
 *
 * Every state has its own Safepoints and Goroutines (sharing one heap), so the stop of one state
 * never waits for the mutators of another. The mutator actor attaches its thread as a goroutine
 * and detaches at the end: each state is a whole mutator life (register, run, deregister), and
 * the stop or handshake may land anywhere in it. A stopper waits for the mutator of its state,
 * which jcstress runs on the other thread; the deadline (10 s) is never reached unless a wakeup
 * is lost, and a timeout is FORBIDDEN.
 */
public final class SafepointStress {
    static final Heap HEAP = Heap.open(1L << 30, 0);
    static final FrameType FRAME = FrameType.of("stressFrame",
            MemoryLayout.structLayout(JAVA_LONG.withName("ref"), JAVA_LONG.withName("value")), "ref");
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private SafepointStress() {}

    static Goroutines goroutines() {
        return Goroutines.open(HEAP, Safepoints.create(), 1L << 20, Duration.ZERO);
    }

    /** A short pause while the world is stopped, so that a goroutine that wrongly runs shows it. */
    static void linger() {
        for (int i = 0; i < 64; i++) {
            Thread.onSpinWait();
        }
    }

    static String stateOf(Goroutine g) {
        return g == null ? "NONE" : g.mutator().state().name();
    }

    @JCStressTest
    @Description("A goroutine writes progress 1, polls, writes progress 2 and detaches, while another thread "
            + "stops the world and reads the progress twice while it is stopped: the poll is either where it "
            + "stops, or already behind it.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Stopped before the mutator registered (its attach "
            + "waits for the release) or while it was registering (parked): no progress.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "The mutator stopped at its poll: progress before it, "
            + "none while stopped.")
    @Outcome(id = "2, 2, 0", expect = ACCEPTABLE, desc = "The mutator passed its poll and deregistered before "
            + "the world stopped.")
    @Outcome(expect = FORBIDDEN, desc = "Progress while stopped, the mutator seen RUNNING while stopped (r3 = 1),"
            + " a stop timeout (-1) or an exception (-2).")
    @State
    public static class PollAtStopRequest {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        volatile Goroutine mutator;
        volatile int progress;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            mutator = g;
            progress = 1;
            sp.poll();
            progress = 2;
            g.detach();
        }

        @Actor
        public void stopper(III_Result r) {
            try {
                if (!sp.stopTheWorld(System.nanoTime() + DEADLINE_NANOS)) {
                    r.r1 = -1;
                    return;
                }
                int before = progress;
                Goroutine g = mutator;
                boolean running = g != null && g.mutator().state() == MutatorState.RUNNING;
                linger();
                running |= g != null && g.mutator().state() == MutatorState.RUNNING;
                int after = progress;
                sp.startTheWorld();
                r.r1 = before;
                r.r2 = after;
                r.r3 = running ? 1 : 0;
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }
    }

    @JCStressTest
    @Description("A goroutine parks and at once unparks, then writes progress 1 and detaches, while another "
            + "thread stops the world and looks at its state and progress while it is stopped: the stop does not "
            + "wait for a parked goroutine, and an unpark racing the stop request either waits for the release "
            + "or was counted by the stop, which waits for it to stop (Dekker: the unpark's count, then its read "
            + "of STOP).")
    @Outcome(id = "NONE 0, same", expect = ACCEPTABLE, desc = "Stopped before the goroutine was attached "
            + "(its attach waits for the release).")
    @Outcome(id = "PARKED 0, same", expect = ACCEPTABLE, desc = "Parked (or registering): its unpark waits for "
            + "the release.")
    @Outcome(id = "STOPPED 0, same", expect = ACCEPTABLE, desc = "Stopped at the safepoint in park, or right "
            + "after its unpark.")
    @Outcome(id = "DEREGISTERED 1, same", expect = ACCEPTABLE, desc = "It unparked, progressed and detached "
            + "before the world stopped.")
    @Outcome(id = "PARKED 1, (same|DEREGISTERED 1)", expect = ACCEPTABLE, desc = "It progressed, then parked to "
            + "detach (D parks first); deregistering does not wait for a stop.")
    @Outcome(expect = FORBIDDEN, desc = "RUNNING while the stopper believes the world is stopped, a state or "
            + "progress change while stopped, a timeout or an exception.")
    @State
    public static class UnparkRacesStop {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        volatile Goroutine mutator;
        volatile int progress;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            mutator = g;
            sp.park();
            sp.unpark();
            progress = 1;
            g.detach();
        }

        @Actor
        public void stopper(LL_Result r) {
            try {
                if (!sp.stopTheWorld(System.nanoTime() + DEADLINE_NANOS)) {
                    r.r1 = "timeout";
                    return;
                }
                Goroutine g = mutator;
                String state = stateOf(g);
                int before = progress;
                linger();
                String stateAfter = stateOf(g);
                int after = progress;
                sp.startTheWorld();
                r.r1 = state + " " + before;
                r.r2 = state.equals(stateAfter) && before == after ? "same" : stateAfter + " " + after;
            } catch (RuntimeException e) {
                r.r1 = e.getClass().getSimpleName();
            }
        }
    }

    /*
     * Two goroutines on two stripes of the active count, the second of them the stopper. Why not a
     * third actor for the stop: jcstress schedules no 3-actor test on a 2-CPU machine ("No
     * scheduling is possible"), and the build machine has 2. The stopper's own goroutine is
     * counted by the stop (operatorActive) in its stripe, so the stop's test only holds if the sum
     * takes both stripes right while the other goroutine's unparks and parks race it.
     */
    @JCStressTest
    @Description("Goroutine A parks, unparks, writes progress 1, parks, unparks, writes progress 2 and detaches. "
            + "Goroutine B (the next id: another stripe of the active count) parks and unparks at the same "
            + "time, then stops the world, running, and looks at A's state and progress while it is stopped. "
            + "The stop counts B itself and sums the stripes after the stopped count: each of A's unparks either "
            + "was counted in A's stripe (the stop waits for A) or sees STOP and waits for the release "
            + "(Dekker per stripe). The arbiter checks that the stripes differ and that the count is 0 after "
            + "both ended.")
    @Outcome(id = "NONE 0, same, ok", expect = ACCEPTABLE, desc = "A was not attached yet: its attach waits for "
            + "the release.")
    @Outcome(id = "PARKED [01], same, ok", expect = ACCEPTABLE, desc = "A was parked (or registering): its unpark "
            + "waits for the release.")
    @Outcome(id = "STOPPED [01], same, ok", expect = ACCEPTABLE, desc = "A was counted in its stripe and stopped, "
            + "at a park's safepoint or right after an unpark.")
    @Outcome(id = "DEREGISTERED 2, same, ok", expect = ACCEPTABLE, desc = "A ran to its end before the stop.")
    @Outcome(id = "PARKED 2, (same|DEREGISTERED 2), ok", expect = ACCEPTABLE, desc = "A had done its work and "
            + "parked to deregister (D parks first); deregistering does not wait for a stop.")
    @Outcome(expect = FORBIDDEN, desc = "A RUNNING while the stopper believes the world is stopped, a progress "
            + "change or another state change while stopped, both goroutines on one stripe, a count not back "
            + "to 0, a timeout or an exception.")
    @State
    public static class UnparkOnTwoStripes {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        volatile Goroutine a;
        volatile Goroutine b;
        volatile int progress;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            a = g;
            sp.park();
            sp.unpark();
            progress = 1;
            sp.park();
            sp.unpark();
            progress = 2;
            g.detach();
        }

        @Actor
        public void stoppingMutator(LLL_Result r) {
            Goroutine g = goroutines.attach();
            b = g;
            try {
                sp.park();
                sp.unpark();
                if (!sp.stopTheWorld(System.nanoTime() + DEADLINE_NANOS)) {
                    r.r1 = "timeout";
                    return;
                }
                Goroutine other = a;
                String state = stateOf(other) + " " + progress;
                linger();
                String stateAfter = stateOf(other) + " " + progress;
                sp.startTheWorld();
                r.r1 = state;
                r.r2 = state.equals(stateAfter) ? "same" : stateAfter;
            } catch (RuntimeException e) {
                r.r1 = e.getClass().getSimpleName();
            } finally {
                g.detach();
            }
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            int stripeA = a.mutator().activeStripe.index;
            int stripeB = b.mutator().activeStripe.index;
            int active = sp.activeVolatile();
            r.r3 = stripeA == stripeB ? "one stripe " + stripeA : active != 0 ? "active " + active : "ok";
        }
    }

    @JCStressTest
    @Description("A goroutine with a frame parks and soon unparks, while another thread runs a handshake "
            + "whose action scans its stack: the action runs exactly once, on the goroutine's thread at a "
            + "safepoint or on the handshaker's while it is held parked, or not at all if the goroutine was not "
            + "registered when the handshake started or ended before it reached the goroutine.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Once, by the goroutine at a safepoint (push, park or unpark).")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Once, by the handshaker while the goroutine was held parked.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not at all: the goroutine registered after the handshake "
            + "started, or ended before it was reached.")
    @Outcome(expect = FORBIDDEN, desc = "Twice, a scan from a thread that did not hold the goroutine, an "
            + "incomplete handshake (-1) or an exception (-2).")
    @State
    public static class HandshakeVsPark {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        final AtomicInteger runs = new AtomicInteger();
        volatile boolean pushed;
        volatile int where;
        volatile int failure;

        @Actor
        public void mutator() {
            try {
                Goroutine g = goroutines.attach();
                Stack s = g.stack();
                long f = s.push(FRAME);
                pushed = true;
                sp.park();
                linger(); // parked a little while: the handshaker may hold it and run the action itself
                sp.unpark();
                s.pop(f);
                g.detach();
            } catch (RuntimeException e) {
                failure = -2;
            }
        }

        @Actor
        public void handshaker() {
            try {
                // The mutator's attach and first push take much longer than a handshake: start when
                // it is about to park (bounded, so a late mutator only makes the outcome "0, 0").
                for (int i = 0; i < 100_000 && !pushed; i++) {
                    Thread.onSpinWait();
                }
                HandshakeResult result = sp.handshakeReport(g -> {
                    runs.incrementAndGet();
                    where = Thread.currentThread() == g.thread() ? 1 : 2;
                    g.forEachStackPointerSlot((handle, offset, value) -> {});
                }, System.nanoTime() + DEADLINE_NANOS);
                if (!result.isComplete()) {
                    failure = -1;
                }
            } catch (RuntimeException e) {
                failure = -2;
            }
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = failure != 0 ? failure : runs.get();
            r.r2 = where;
        }
    }

    @JCStressTest
    @Description("A goroutine writes progress 1, polls, writes progress 2 and detaches, while another thread "
            + "stops the world with work posted (stopTheWorldAndRun): the work runs once, on the goroutine if it "
            + "stops last, else on the stopper, and sees no progress and no goroutine RUNNING while it runs.")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "Stopped before the mutator registered (or while it "
            + "registered): the stopper ran the work.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The mutator stopped at its poll; it or the stopper ran "
            + "the work.")
    @Outcome(id = "2, 2, 1", expect = ACCEPTABLE, desc = "The mutator passed its poll and deregistered first.")
    @Outcome(expect = FORBIDDEN, desc = "Progress during the work, a goroutine RUNNING during it (r3 = 10+), the "
            + "work run twice or never (r3 != 1), a missed deadline (-1) or an exception (-2).")
    @State
    public static class HandoffAtPoll {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        final AtomicInteger runs = new AtomicInteger();
        volatile Goroutine mutator;
        volatile int progress;
        volatile int before = -1;
        volatile int after = -1;
        volatile boolean running;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            mutator = g;
            progress = 1;
            sp.poll();
            progress = 2;
            g.detach();
        }

        @Actor
        public void stopper(III_Result r) {
            try {
                StopOutcome o = sp.stopTheWorldAndRun(System.nanoTime() + DEADLINE_NANOS, () -> {
                    runs.incrementAndGet();
                    before = progress;
                    Goroutine g = mutator;
                    boolean run = g != null && g.mutator().state() == MutatorState.RUNNING;
                    linger();
                    running = run || g != null && g.mutator().state() == MutatorState.RUNNING;
                    after = progress;
                    return true;
                });
                r.r1 = o == StopOutcome.FINISHED ? before : -1;
                r.r2 = after;
                r.r3 = runs.get() + (running ? 10 : 0);
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }
    }

    @JCStressTest
    @Description("A goroutine polls twice while a stopper stops the world with work posted and a deadline of a "
            + "few microseconds: the stop is either claimed (by the goroutine, last to stop, or by the stopper) or "
            + "abandoned at the deadline, never both (one CAS decides), the work runs only if it was claimed, and "
            + "the world runs again when the stopper returns.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Claimed: the work ran once, the outcome is FINISHED.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Abandoned at the deadline: the work never ran.")
    @Outcome(expect = FORBIDDEN, desc = "The work ran though the outcome says missed, or twice, or not though "
            + "FINISHED, or the world still stopped after the return (r2 = 10+), or an exception (-2).")
    @State
    public static class HandoffVsDeadline {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        final AtomicInteger runs = new AtomicInteger();

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            sp.poll();
            linger();
            sp.poll();
            g.detach();
        }

        @Actor
        public void stopper(II_Result r) {
            try {
                StopOutcome o = sp.stopTheWorldAndRun(System.nanoTime() + 5_000, () -> {
                    runs.incrementAndGet();
                    linger();
                    return true;
                });
                r.r1 = o == StopOutcome.FINISHED ? 1 : o == StopOutcome.MISSED_DEADLINE ? 0 : -1;
                r.r2 = runs.get() + (sp.isWorldStopped() ? 10 : 0);
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }
    }

    @JCStressTest
    @Description("A goroutine polls, parks and lingers while a stopper stops the world with work posted and a "
            + "deadline of a few microseconds. If the stop is abandoned at the deadline, the goroutine releases "
            + "itself (or does not stop) and may park before the operator's cleanup under the lock, which must "
            + "leave it parked: a CAS from STOPPED, not a write of RUNNING (package-info \"Abandon\").")
    @Outcome(id = "PARKED, 1", expect = ACCEPTABLE, desc = "Claimed: the work ran; the goroutine parked after.")
    @Outcome(id = "PARKED, 0", expect = ACCEPTABLE, desc = "Abandoned at the deadline; the goroutine parked, and "
            + "stayed parked through the cleanup.")
    @Outcome(expect = FORBIDDEN, desc = "The cleanup made a parked goroutine RUNNING (its unpark then threw), or "
            + "an exception, or another outcome.")
    @State
    public static class AbandonThenPark {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();

        @Actor
        public void mutator(LL_Result r) {
            try {
                Goroutine g = goroutines.attach();
                sp.poll();
                sp.park();
                linger(); // the operator's cleanup may come now
                r.r1 = g.mutator().state().name();
                sp.unpark();
                g.detach();
            } catch (RuntimeException e) {
                r.r1 = "threw " + e.getClass().getSimpleName();
            }
        }

        @Actor
        public void stopper(LL_Result r) {
            try {
                StopOutcome o = sp.stopTheWorldAndRun(System.nanoTime() + 5_000, () -> true);
                r.r2 = o == StopOutcome.FINISHED ? 1 : o == StopOutcome.MISSED_DEADLINE ? 0 : -1;
            } catch (RuntimeException e) {
                r.r2 = -2;
            }
        }
    }

    @JCStressTest
    @Description("A goroutine polls while a stopper stops the world with empty work: the stopper may claim the "
            + "work the moment the goroutine's state reads STOPPED, while the goroutine, under the lock, still tries "
            + "its own claim. The work runs once, and the goroutine's claim attempt never sees the handoff cleared "
            + "under it (StopBenchmark found a NullPointerException there when the operator cleared it unlocked).")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The work ran once; the goroutine went on.")
    @Outcome(expect = FORBIDDEN, desc = "The work ran twice or never (r1), or the goroutine threw (r2 = 1), or the "
            + "stopper threw (r1 = -2).")
    @State
    public static class HandoffClaimRace {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        final AtomicInteger runs = new AtomicInteger();
        volatile int threw;

        @Actor
        public void mutator() {
            try {
                Goroutine g = goroutines.attach();
                sp.poll();
                sp.poll();
                g.detach();
            } catch (RuntimeException e) {
                threw = 1;
            }
        }

        @Actor
        public void stopper() {
            try {
                sp.stopTheWorldAndRun(System.nanoTime() + DEADLINE_NANOS, () -> {
                    runs.incrementAndGet();
                    return true;
                });
            } catch (RuntimeException e) {
                runs.set(-2);
            }
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = runs.get();
            r.r2 = threw;
        }
    }

    @JCStressTest
    @Description("A goroutine polls and detaches while a stopper stops the world with work posted and a timeout "
            + "counted from the request (stopTheWorldAndRunWithin): the work, on whichever thread runs it, sees "
            + "the request time that the stopper reads after the stop, taken after the stopper's call began.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The work ran once and saw its own stop's request time.")
    @Outcome(expect = FORBIDDEN, desc = "The work saw another request time, or one from before the call (r1 = 0), "
            + "ran twice or never, or the stop missed its 10 s timeout (r1 = -1), or threw (-2).")
    @State
    public static class HandoffSeesItsRequest {
        final Goroutines goroutines = goroutines();
        final Safepoints sp = goroutines.safepoints();
        final AtomicInteger runs = new AtomicInteger();
        volatile long seen;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            sp.poll();
            g.detach();
        }

        @Actor
        public void stopper(II_Result r) {
            try {
                long before = System.nanoTime();
                StopOutcome o = sp.stopTheWorldAndRunWithin(DEADLINE_NANOS, () -> {
                    runs.incrementAndGet();
                    seen = sp.lastRequestNanos();
                    return true;
                });
                long request = sp.lastRequestNanos();
                r.r1 = o != StopOutcome.FINISHED ? -1 : seen == request && request - before >= 0 ? 1 : 0;
                r.r2 = runs.get();
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }
    }
}
