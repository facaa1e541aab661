package dev.goheap.heap;

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
 * The thread-cache lookup's racy slot array (ThreadCaches.byThreadId): every thread stores its own
 * cache with a plain store, and trusts an entry only if the entry's final thread field is itself.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=ThreadCachesStress
 *
 * With one slot, both actors' lookups race on the same array element, each overwriting the
 * other's entry. Nothing of the heap is needed for a lookup (a cache's spans are all EMPTY until
 * its first allocation), so each state has its own ThreadCaches over no central lists.
 */
public final class ThreadCachesStress {
    private ThreadCachesStress() {}

    @JCStressTest
    @Description("Two threads look up their thread caches, twice each, through a fast-lookup array of "
            + "one slot: each must get its own cache, the same both times, never the other's.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Each thread got its own cache, twice; two caches registered.")
    @Outcome(expect = FORBIDDEN, desc = "A thread got the other's cache or a different cache the second time "
            + "(r1, r2 = 0), or the registry did not hold exactly two caches (r3 = 0).")
    @State
    public static class SharedSlotLookup {
        final ThreadCaches caches = new ThreadCaches(new CentralList[0], null, new CycleState(), 1);
        ThreadCache first;
        ThreadCache second;

        private int lookUpTwice() {
            ThreadCache a = caches.get();
            ThreadCache b = caches.get();
            return a.thread == Thread.currentThread() && a == b ? 1 : 0;
        }

        @Actor
        public void thread1(III_Result r) {
            first = caches.get();
            r.r1 = lookUpTwice() == 1 && caches.get() == first ? 1 : 0;
        }

        @Actor
        public void thread2(III_Result r) {
            second = caches.get();
            r.r2 = lookUpTwice() == 1 && caches.get() == second ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = first != second && caches.count() == 2 ? 1 : 0;
        }
    }
}
