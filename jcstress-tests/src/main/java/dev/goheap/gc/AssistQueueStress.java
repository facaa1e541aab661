package dev.goheap.gc;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * Lost wake-ups of a parked assist (AssistQueue's class note, "No lost wake-up"): a dry assist
 * past the goal waits in the queue until the collector's credit covers it or the cycle ends,
 * and each of those may come just as it decides to wait.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=AssistQueueStress
 *   (one race: -Djcstress.tests=AssistQueueStress.ParkVsCycleEnd; a real run: -Djcstress.mode=quick)
 *
 * The assist actor really waits (AssistQueue.await, as Assists.parkIfOwed does, without the
 * goroutine's Safepoints park around it, which changes nothing here: the queue is all the two
 * sides share). Its deadline (10 s) is never reached unless a wake-up is lost, and a timeout is
 * FORBIDDEN.
 */
public final class AssistQueueStress {
    static final long CYCLE = 1;
    static final long NEED_WORK = 100;
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** r1 when the assist's wait ran out: nobody woke it. */
    static final int TIMED_OUT = 2;

    private AssistQueueStress() {}

    /** Step W1 to W3, as Assists.parkIfOwed: returns 0 if it did not wait, 1 if woken, TIMED_OUT. */
    static int park(AssistQueue queue, MarkWork work, AssistQueue.Waiter w) {
        if (!queue.enqueue(w, CYCLE, NEED_WORK, work)) {
            return 0;
        }
        AssistQueue.await(w, System.nanoTime() + DEADLINE_NANOS);
        boolean woken = w.done;
        queue.leave(w);
        return woken ? 1 : TIMED_OUT;
    }

    @JCStressTest
    @Description("Mark termination ends the cycle and wakes the queue while a dry assist enqueues to "
            + "wait for that cycle: if the wake comes first, the assist must be refused, else woken.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The cycle ended first: the assist was refused and did not wait.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "The assist enqueued first and the cycle's end woke it.")
    @Outcome(expect = FORBIDDEN, desc = "A lost wake-up (r1 = 2: it waited for a cycle that was over), credit "
            + "taken from nothing (r2), the queue left non-empty (r3), or an exception (-1).")
    @State
    public static class ParkVsCycleEnd {
        final AssistQueue queue = new AssistQueue();
        final MarkWork work = new MarkWork();
        AssistQueue.Waiter waiter; // assist, then arbiter

        public ParkVsCycleEnd() {
            queue.beginCycle(CYCLE);
        }

        @Actor
        public void assist(III_Result r) {
            try {
                waiter = new AssistQueue.Waiter(Thread.currentThread());
                r.r1 = park(queue, work, waiter);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void collector(III_Result r) {
            try {
                queue.endCycle(CYCLE);
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = (int) waiter.gotWork;
            if (r.r3 == 0) {
                r.r3 = queue.size();
            }
        }
    }

    @JCStressTest
    @Description("The collector adds credit and flushes it to the queue while a dry assist that found too "
            + "little credit enqueues to wait for it: either the assist's recheck after enqueueing takes "
            + "the credit, or the flush sees the assist and hands it over; never both miss.")
    @Outcome(id = "0, 100, 0", expect = ACCEPTABLE, desc = "The assist's recheck took the credit: it did not wait.")
    @Outcome(id = "1, 100, 0", expect = ACCEPTABLE, desc = "The flush gave the assist its credit and woke it.")
    @Outcome(expect = FORBIDDEN, desc = "A lost wake-up (r1 = 2: the credit sat unclaimed while it waited), "
            + "credit lost or doubled (r2), credit left over (r3), or an exception (-1).")
    @State
    public static class ParkVsCreditFlush {
        final AssistQueue queue = new AssistQueue();
        final MarkWork work = new MarkWork();
        AssistQueue.Waiter waiter; // assist, then arbiter

        public ParkVsCreditFlush() {
            queue.beginCycle(CYCLE);
        }

        @Actor
        public void assist(III_Result r) {
            try {
                waiter = new AssistQueue.Waiter(Thread.currentThread());
                r.r1 = park(queue, work, waiter);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void collector(III_Result r) {
            try {
                work.addBackground(NEED_WORK); // as Marker.drainUntil after a batch...
                queue.flush(work);             // ...then the parked assists first
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = (int) waiter.gotWork;
            if (r.r3 == 0) {
                r.r3 = (int) work.backgroundCreditBytes() + 1000 * queue.size();
            }
        }
    }
}
