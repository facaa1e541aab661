package dev.goheap.sched;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/*
 * The safepoint lock's spinning acquire (SpinThenParkLock.lock: tryLock a few times, then queue):
 * two threads that increment a plain field under it never lose an update, whichever path each
 * takes (a spin's tryLock or the queue).
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=SpinThenParkLockStress
 */
public final class SpinThenParkLockStress {
    private SpinThenParkLockStress() {}

    @JCStressTest
    @Description("Two read-modify-writes of a plain field under SpinThenParkLock: none is lost")
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "both increments, one after the other")
    @Outcome(id = "1", expect = FORBIDDEN, desc = "lost update: both threads held the lock at once")
    @State
    public static class MutualExclusion {
        final SpinThenParkLock lock = new SpinThenParkLock();
        int x;

        void increment() {
            lock.lock();
            try {
                int v = x;
                for (int i = 0; i < 16; i++) {
                    Thread.onSpinWait(); // widen the window a second holder would hit
                }
                x = v + 1;
            } finally {
                lock.unlock();
            }
        }

        @Actor
        public void first() {
            increment();
        }

        @Actor
        public void second() {
            increment();
        }

        @Arbiter
        public void arbiter(I_Result r) {
            r.r1 = x;
        }
    }
}
