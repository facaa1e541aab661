package dev.goheap.gc;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.goheap.gc.pause.PauseSnapshot;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * The assists' busy periods (AssistLog): goroutines assisting at once share one period, from the
 * first one's start to the last one's end; the log (a PauseLog) takes periods in order and
 * without overlap. Two goroutines assist once each.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=AssistLogStress
 */
public final class AssistLogStress {
    private AssistLogStress() {}

    @JCStressTest
    @Description("Two goroutines each begin and end one assist: the log holds one busy period spanning "
            + "both if they overlapped, else one period for each, and every period is exactly the times "
            + "the assists were told they began and ended.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "The assists overlapped: one busy period, first begin to last end.")
    @Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "One assist ended before the other began: two periods.")
    @Outcome(expect = FORBIDDEN, desc = "No period, a period that is not the assists' times (r2 = 0), or an "
            + "exception (r3 = -1: an end without a begin, or periods out of order).")
    @State
    public static class TwoAssists {
        final AssistLog log = new AssistLog();
        long begin1;
        long end1;
        long begin2;
        long end2;
        volatile boolean failed;

        @Actor
        public void assist1() {
            try {
                begin1 = log.begin();
                end1 = log.end();
            } catch (RuntimeException | Error e) {
                failed = true;
            }
        }

        @Actor
        public void assist2() {
            try {
                begin2 = log.begin();
                end2 = log.end();
            } catch (RuntimeException | Error e) {
                failed = true;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            PauseSnapshot periods = log.log().snapshot();
            r.r1 = periods.size();
            r.r2 = periods.size() == 1 ? covers(periods, 0, Math.min(begin1, begin2), Math.max(end1, end2))
                    : periods.size() == 2 ? twoPeriods(periods) : 0;
            r.r3 = failed ? -1 : 0;
        }

        /** 1 if the two periods are the two assists' own times, in either order. */
        private int twoPeriods(PauseSnapshot periods) {
            return covers(periods, 0, begin1, end1) & covers(periods, 1, begin2, end2)
                    | covers(periods, 0, begin2, end2) & covers(periods, 1, begin1, end1);
        }

        private static int covers(PauseSnapshot periods, int i, long begin, long end) {
            return periods.startNanos(i) == begin && periods.startNanos(i) + periods.lengthNanos(i) == end ? 1 : 0;
        }
    }
}
