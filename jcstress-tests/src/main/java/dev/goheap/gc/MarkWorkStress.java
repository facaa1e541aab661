package dev.goheap.gc;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * The cycle's mark-work ledger (MarkWork) under its concurrent users: assists on any goroutine
 * claim the collector's unclaimed work (MarkWork.steal, Go's bgScanCredit) while the collector
 * thread and the goroutines' barrier shades add to it. A claim must never take more than is
 * there, and no credit may be lost or counted twice: an over-claim lets an assist skip work
 * nobody did, and marking then ends past the heap goal.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=MarkWorkStress
 */
public final class MarkWorkStress {
    private MarkWorkStress() {}

    @JCStressTest
    @Description("Two assists claim 70 bytes each from 100 bytes of the collector's credit: one gets its "
            + "70, the other the 30 left, and nothing is left over.")
    @Outcome(id = "70, 30, 0", expect = ACCEPTABLE, desc = "The first assist claimed first.")
    @Outcome(id = "30, 70, 0", expect = ACCEPTABLE, desc = "The second assist claimed first.")
    @Outcome(expect = FORBIDDEN, desc = "An over-claim (both 70), credit lost or left (r3), or an exception (-1).")
    @State
    public static class TwoSteals {
        final MarkWork work = new MarkWork();

        public TwoSteals() {
            work.addBackground(100);
        }

        @Actor
        public void assist1(III_Result r) {
            try {
                r.r1 = (int) work.steal(70);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void assist2(III_Result r) {
            try {
                r.r2 = (int) work.steal(70);
            } catch (RuntimeException e) {
                r.r2 = -1;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = (int) work.backgroundCreditBytes();
        }
    }

    @JCStressTest
    @Description("An assist claims up to 100 bytes from 40 bytes of credit while the collector adds 60 "
            + "more: it gets 40 or 100, the rest stays claimable, and the work done counts both additions "
            + "once.")
    @Outcome(id = "40, 60, 100", expect = ACCEPTABLE, desc = "The claim came before the addition.")
    @Outcome(id = "100, 0, 100", expect = ACCEPTABLE, desc = "The claim came after the addition.")
    @Outcome(expect = FORBIDDEN, desc = "A lost update (claimed and still there, or neither), work miscounted "
            + "(r3), or an exception (-1).")
    @State
    public static class StealVsBackground {
        final MarkWork work = new MarkWork();

        public StealVsBackground() {
            work.addBackground(40);
        }

        @Actor
        public void assist(III_Result r) {
            try {
                r.r1 = (int) work.steal(100);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void collector(III_Result r) {
            try {
                work.addBackground(60);
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = (int) work.backgroundCreditBytes();
            if (r.r3 == 0) {
                r.r3 = (int) work.doneBytes();
            }
        }
    }

    @JCStressTest
    @Description("An assist's own work (MarkWork.addAssist) while another assist claims the collector's "
            + "credit: the assist's work counts as done but is never claimable.")
    @Outcome(id = "50, 0, 130", expect = ACCEPTABLE, desc = "The claim took the collector's 50; the assist's 80 "
            + "counted as done, not as credit.")
    @Outcome(expect = FORBIDDEN, desc = "The assist's work became credit (r1 above 50, or r2 not 0), work "
            + "miscounted (r3), or an exception (-1).")
    @State
    public static class StealVsAssistWork {
        final MarkWork work = new MarkWork();

        public StealVsAssistWork() {
            work.addBackground(50);
        }

        @Actor
        public void stealer(III_Result r) {
            try {
                r.r1 = (int) work.steal(1000);
            } catch (RuntimeException e) {
                r.r1 = -1;
            }
        }

        @Actor
        public void assist(III_Result r) {
            try {
                work.addAssist(80);
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = (int) work.backgroundCreditBytes();
            if (r.r3 == 0) {
                r.r3 = (int) work.doneBytes();
            }
        }
    }
}
