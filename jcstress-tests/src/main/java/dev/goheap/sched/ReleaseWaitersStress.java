package dev.goheap.sched;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/*
 * The wait for a release without the lock (ReleaseWaiters, package-info "Stop" M3, U2, R, D):
 * a waiter pushes itself and then looks at the state it waits on; the release changes the state
 * and then wakes every pushed waiter. Either the release's wake-up takes the waiter's entry, or
 * the waiter's look sees the release: a waiter is never left parked after the release (a lost
 * wake-up), which here would show as a park that lasted until its timeout.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=ReleaseWaitersStress
 */
public final class ReleaseWaitersStress {
    /** A park this long means the wake-up was lost: the release runs at the same time. */
    static final long LOST_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private ReleaseWaitersStress() {}

    @JCStressTest
    @Description("A waiter waits for a release flag (push, look, park; a permit left by an earlier wake-up "
            + "only makes it look again) while a releaser sets the flag and wakes the waiters.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "The waiter saw the release, or was woken for it.")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "Lost wake-up: the waiter stayed parked after the release, "
            + "until its timeout.")
    @State
    public static class WaitVsRelease {
        final ReleaseWaiters waiters = new ReleaseWaiters();
        volatile boolean released;

        @Actor
        public void waiter(I_Result r) {
            long longest = 0;
            while (!released) {
                waiters.push();
                if (!released) {
                    long t0 = System.nanoTime();
                    LockSupport.parkNanos(this, 2 * LOST_NANOS);
                    longest = Math.max(longest, System.nanoTime() - t0);
                }
            }
            r.r1 = longest < LOST_NANOS ? 1 : 0;
        }

        @Actor
        public void releaser() {
            released = true;
            waiters.wakeAll();
        }
    }
}
