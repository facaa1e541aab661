package dev.goheap.sched;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Goroutines;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * The stop listener's two calls (StopListener) against the stop's handoff: the operator is told
 * before the request, holding no lock; the release may come on the goroutine that ran the work,
 * or after an abandon at the deadline. Each stop must tell exactly one beforeStop and one
 * afterRelease, in that order, and afterRelease must see what beforeStop wrote in plain fields
 * (the order that RealtimeStops' list of raised threads relies on).
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=StopListenerStress
 *
 * Each state has its own Safepoints with its own listener (SafepointStress says why).
 */
public final class StopListenerStress {
    private StopListenerStress() {}

    /** Plain fields on purpose: the calls' order must come from the stop protocol, not from here. */
    static final class Listener implements StopListener {
        int befores;
        int afters;
        int token;
        int seenAtAfter = -1;
        boolean afterBeforeBefore;

        @Override
        public void beforeStop() {
            befores++;
            token = 42;
        }

        @Override
        public void afterRelease() {
            afters++;
            seenAtAfter = token;
            afterBeforeBefore |= befores < afters;
        }

        /** The arbiter's result: the calls' counts, then the stopper's failure, the order's, or the write seen. */
        void report(int stopperOutcome, III_Result r) {
            r.r1 = befores;
            r.r2 = afters;
            r.r3 = stopperOutcome != 0 ? stopperOutcome : afterBeforeBefore ? -3 : seenAtAfter;
        }
    }

    static Goroutines goroutines(Listener listener) {
        return Goroutines.open(SafepointStress.HEAP, Safepoints.create(listener), 1L << 20, Duration.ZERO);
    }

    @JCStressTest
    @Description("A goroutine polls and detaches while another thread stops the world with work posted: "
            + "whoever runs the work and releases (the goroutine, stopping last, or the stopper), the listener "
            + "is told once before and once after, and the after sees the before's plain write.")
    @Outcome(id = "1, 1, 42", expect = ACCEPTABLE, desc = "Once each, in order, the write seen.")
    @Outcome(expect = FORBIDDEN, desc = "A call missing or twice, an after before its before (r3 = -3), the "
            + "before's write not seen at the after, a missed deadline (r3 = -1) or an exception (r3 = -2).")
    @State
    public static class HandoffAtPoll {
        final Listener listener = new Listener();
        final Goroutines goroutines = goroutines(listener);
        final Safepoints sp = goroutines.safepoints();
        volatile int outcome;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            sp.poll();
            g.detach();
        }

        @Actor
        public void stopper() {
            try {
                StopOutcome o = sp.stopTheWorldAndRun(System.nanoTime() + SafepointStress.DEADLINE_NANOS, () -> true);
                outcome = o == StopOutcome.FINISHED ? 0 : -1;
            } catch (RuntimeException e) {
                outcome = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            listener.report(outcome, r);
        }
    }

    @JCStressTest
    @Description("As HandoffAtPoll with a deadline of a few microseconds: the stop is claimed or abandoned at "
            + "its deadline (by the stopper or by the stopped goroutine); either way the listener is told once "
            + "before and once after, and the after sees the before's plain write.")
    @Outcome(id = "1, 1, 42", expect = ACCEPTABLE, desc = "Once each, in order, the write seen.")
    @Outcome(expect = FORBIDDEN, desc = "A call missing or twice, an after before its before (r3 = -3), the "
            + "before's write not seen at the after, or an exception (r3 = -2).")
    @State
    public static class HandoffVsDeadline {
        final Listener listener = new Listener();
        final Goroutines goroutines = goroutines(listener);
        final Safepoints sp = goroutines.safepoints();
        volatile int outcome;

        @Actor
        public void mutator() {
            Goroutine g = goroutines.attach();
            sp.poll();
            SafepointStress.linger();
            sp.poll();
            g.detach();
        }

        @Actor
        public void stopper() {
            try {
                sp.stopTheWorldAndRun(System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(5), () -> true);
            } catch (RuntimeException e) {
                outcome = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            listener.report(outcome, r);
        }
    }
}
