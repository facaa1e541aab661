package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitState;
import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A stop with posted work abandoned at its deadline releases the world without the safepoints'
 * lock (package-info "Abandon"): the stopped goroutines run on, a goroutine waiting to unpark
 * runs, and the stop's release time is the abandon's (its report's wait too), while another
 * thread holds the lock the operator's cleanup needs. Without the change: the stopped goroutine and the operator both wait
 * for the lock to release the world, and nothing runs until the test lets it go.
 */
class SafepointsAbandonTest {
    private static final long DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long HELD_PAST_DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    @Test
    void shouldReleaseTheWorldAtTheDeadlineWhileTheLockIsHeld() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean finish = new AtomicBoolean();
            AtomicBoolean letGo = new AtomicBoolean();
            AtomicLong laps = new AtomicLong();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch unparkNow = new CountDownLatch(1);
            AtomicBoolean unparked = new AtomicBoolean();
            Goroutine stubborn = rt.go(() -> {
                while (!letGo.get()) {
                    Thread.onSpinWait(); // running, and no poll: the stop misses its deadline
                }
            });
            Goroutine poller = rt.go(() -> {
                while (!finish.get()) {
                    sp.poll();
                    laps.incrementAndGet();
                    // A nap, not Thread.yield(): with the stubborn goroutine holding one of two
                    // carriers, a yielding loop kept the other, and the goroutines it woke (the
                    // unparker, submitted from other threads) never ran (a hang at parked.await).
                    LockSupport.parkNanos(NAP_NANOS);
                }
            });
            Goroutine unparker = rt.go(() -> {
                sp.park();
                parked.countDown();
                awaitUnparked(unparkNow);
                sp.unpark(); // during the stop: waits (U2) until the release or the abandon
                unparked.set(true);
                // It ends here (its deregistration waits for the lock): a goroutine that polled
                // and yielded in a loop here kept the second carrier, and the poller's timed
                // wake-up at the deadline waited behind it in the scheduler's queue.
            });
            assertTrue(parked.await(SchedTesting.HANG_GUARD_NANOS, TimeUnit.NANOSECONDS), "the unparker parks");
            awaitState(stubborn, MutatorState.RUNNING);
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<StopOutcome> outcome = CompletableFuture.supplyAsync(
                    () -> sp.stopTheWorldAndRunWithin(DEADLINE_NANOS, () -> ran.getAndSet(true) || true),
                    r -> Thread.ofPlatform().name("operator").start(r));
            awaitState(poller, MutatorState.STOPPED);
            unparkNow.countDown();
            awaitTrue("the unpark waits", () -> !sp.unparkWaiters.isEmpty());
            long request = sp.lastRequestNanos();
            long heldUntil;
            sp.lock.lock(); // the operator's cleanup waits for it; the world must not
            try {
                long lapsBefore = laps.get();

                awaitTrue("the stopped goroutine runs on after the deadline", () -> laps.get() > lapsBefore + 10);
                awaitTrue("the waiting unpark goes through", unparked::get);
                assertEquals(MutatorState.RUNNING, poller.mutator().state());
                while (System.nanoTime() - request < DEADLINE_NANOS + HELD_PAST_DEADLINE_NANOS) {
                    Thread.sleep(5);
                }
                heldUntil = System.nanoTime();
            } finally {
                sp.lock.unlock();
            }
            assertEquals(StopOutcome.MISSED_DEADLINE, outcome.get(30, TimeUnit.SECONDS));
            assertTrue(!ran.get(), "the work of a missed stop never runs");
            long released = sp.lastReleaseNanos() - request;
            assertTrue(released >= DEADLINE_NANOS, "released at " + released + " ns: not before the deadline");
            assertTrue(released < heldUntil - request - HELD_PAST_DEADLINE_NANOS / 2,
                    "released at the abandon (" + released + " ns), not when the lock came free ("
                            + (heldUntil - request) + " ns)");
            StopReport report = sp.lastStopReport();
            letGo.set(true);
            finish.set(true);
            stubborn.join();
            poller.join();
            unparker.join();
            assertEquals(0, sp.activeVolatile());
            assertEquals(0, sp.pendingVolatile(), "the cleanup cleared the stop");
            assertTrue(!report.stopped(), "reported as missed: " + report);
            assertEquals(released, report.timeToSafepointNanos(), "the report's wait is the pause's, to the abandon");
        }
    }
}
