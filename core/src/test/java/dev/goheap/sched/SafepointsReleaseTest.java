package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitBlocked;
import static dev.goheap.sched.SchedTesting.awaitState;
import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Goroutines wait for a stop's release without the safepoints' lock (package-info "Stop", M3,
 * U2, R and D): stopped ones and ones that unpark during the stop wait parked, not on a
 * condition of the lock, so that none has to take the lock again to leave; goroutines that
 * start or end during a stop wait for its release before they queue for the lock. Without the
 * change: the waiters are the lock's condition's, and the starting and ending ones queue for the
 * lock that the test holds.
 */
class SafepointsReleaseTest {

    @Test
    void shouldWaitForTheReleaseParkedAndNotOnTheLocksCondition() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean finish = new AtomicBoolean();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch unparkNow = new CountDownLatch(1);
            Goroutine poller = rt.go(() -> {
                while (!finish.get()) {
                    sp.poll();
                    Thread.yield();
                }
            });
            Goroutine unparker = rt.go(() -> {
                sp.park();
                parked.countDown();
                awaitUnparked(unparkNow); // parked: it may block
                sp.unpark(); // during the stop: waits for the release (U2)
                while (!finish.get()) {
                    sp.poll();
                    Thread.yield();
                }
            });
            parked.await();
            assertTrue(sp.stopTheWorld(farDeadline()));
            try {
                unparkNow.countDown();
                awaitState(poller, MutatorState.STOPPED);
                awaitTrue("the unpark waits", () -> !sp.unparkWaiters.isEmpty());
                awaitBlocked(poller.mutator().thread);
                awaitBlocked(unparker.mutator().thread);
                assertEquals(MutatorState.PARKED, unparker.mutator().state());
                sp.lock.lock();
                try {
                    assertFalse(sp.lock.hasWaiters(sp.released), "no one waits on the lock's condition");
                } finally {
                    sp.lock.unlock();
                }
            } finally {
                sp.startTheWorld();
            }
            awaitState(poller, MutatorState.RUNNING);
            awaitState(unparker, MutatorState.RUNNING);
            assertEquals(2, sp.activeVolatile());
            finish.set(true);
            poller.join();
            unparker.join();
            assertEquals(0, sp.activeVolatile());
        }
    }

    @Test
    void shouldWaitForTheReleaseBeforeQueueingForTheLockToStartOrEnd() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean end = new AtomicBoolean();
            Goroutine ending = rt.go(() -> {
                while (!end.get()) {
                    Thread.yield(); // running without a safepoint: the stop waits until it ends
                }
            });
            awaitTrue("the goroutine runs", () -> sp.activeVolatile() == 1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread operator = Thread.ofPlatform().name("operator").start(() -> {
                if (sp.stopTheWorld(farDeadline())) {
                    stopped.countDown();
                    awaitUnparked(release);
                    sp.startTheWorld();
                }
            });
            awaitTrue("the stop requested", () -> (sp.pendingVolatile() & Safepoints.STOP) != 0);
            end.set(true); // it ends: parks to deregister, and the stop need not wait for it
            stopped.await();
            AtomicBoolean ran = new AtomicBoolean();
            Goroutine starting;
            sp.lock.lock();
            try {
                starting = rt.go(() -> ran.set(true));
                awaitBlocked(ending.mutator().thread);
                awaitBlocked(starting.mutator().thread);
                assertEquals(0, sp.lock.getQueueLength(), "neither queues for the lock during the stop");
                assertEquals(1, sp.mutatorCount(), "the ending one is still registered, the starting one not yet");
            } finally {
                sp.lock.unlock();
            }
            release.countDown();
            operator.join();
            ending.join();
            starting.join();
            assertTrue(ran.get());
            assertEquals(0, sp.mutatorCount());
            assertEquals(0, sp.activeVolatile());
        }
    }
}
