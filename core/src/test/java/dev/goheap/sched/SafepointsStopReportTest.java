package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.sched.SchedTesting.LateGoroutine;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SafepointsStopReportTest {
    private static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    @Test
    void shouldNameTheLateRunningGoroutineAndWhenItArrivedWhenAStopWaitsForIt() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            assertNull(sp.lastStopReport());
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Goroutine idle = rt.go(() -> sp.parked(() -> {
                parked.countDown();
                awaitUnparked(release);
                return null;
            }));
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean go = new AtomicBoolean();
            Goroutine late = rt.go(() -> {
                started.countDown();
                while (!go.get()) {
                    sp.poll();
                    Thread.onSpinWait();
                }
                long until = System.nanoTime() + LATE_NANOS; // a long stretch without a safepoint
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                sp.poll();
            });
            parked.await();
            started.await();

            go.set(true);
            assertTrue(sp.stopTheWorld(farDeadline()));
            sp.startTheWorld();

            StopReport r = sp.lastStopReport();
            assertTrue(r.stopped(), r.toString());
            assertEquals(1, r.goroutines(), "the running one; the parked one is not waited for: " + r);
            assertEquals(late.id(), r.lastGoroutineId(), r.toString());
            assertEquals(MutatorState.RUNNING, r.lastStateAtRequest(), r.toString());
            // It left the spin before the request, so it arrived at most LATE_NANOS after it; the
            // request came after go was set, so not much earlier than a few ms in either.
            assertTrue(r.arrivedNanos() > 0 && r.arrivedNanos() <= r.seenNanos()
                    && r.seenNanos() <= r.timeToSafepointNanos(), r.toString());
            assertSame(r, sp.worstStopReport());
            release.countDown();
            late.join();
            idle.join();
        }
    }

    @Test
    void shouldReportTheGoroutineItMissedTheDeadlineForWhenAStopFails() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            LateGoroutine busy = new LateGoroutine(rt); // blocks without parking: breaks the contract on purpose

            long called = System.nanoTime();
            assertFalse(sp.stopTheWorld(called + TimeUnit.MILLISECONDS.toNanos(2)));
            long returned = System.nanoTime();

            StopReport r = sp.lastStopReport();
            assertFalse(r.stopped(), r.toString());
            assertEquals(busy.goroutine.id(), r.lastGoroutineId(), r.toString());
            assertEquals(MutatorState.RUNNING, r.lastStateAtRequest(), r.toString());
            // The stop's clock starts inside stopTheWorld, after the deadline was taken: on a loaded
            // machine it can start late, so its count may be a little under 2 ms (1.992 ms seen).
            assertTrue(r.timeToSafepointNanos() >= TimeUnit.MILLISECONDS.toNanos(1)
                    && r.timeToSafepointNanos() <= returned - called, r.toString());
            busy.release();
            busy.goroutine.join();
        }
    }

    /**
     * A stop completed by a goroutine that ends (it parks to leave, without a poll) names that
     * goroutine and when it left, not the last one that stopped: the report said a stop's last
     * goroutine arrived at 0.017 ms and was seen at 4.467 ms, while the one the stop waited for
     * had left at about 4.4 ms.
     */
    @Test
    void shouldNameTheGoroutineWhoseEndCompletedTheStop() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean finish = new AtomicBoolean();
            AtomicBoolean letEnd = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(2);
            Goroutine prompt = rt.go(() -> {
                started.countDown();
                while (!finish.get()) {
                    sp.poll(); // stops at once
                    Thread.onSpinWait();
                }
            });
            Goroutine ending = rt.go(() -> {
                started.countDown();
                while (!letEnd.get()) {
                    Thread.onSpinWait(); // running, no safepoint: the stop waits for it to end
                }
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));
            CompletableFuture<StopReport> stop = CompletableFuture.supplyAsync(() -> {
                assertTrue(sp.stopTheWorld(farDeadline()));
                StopReport report = sp.lastStopReport();
                sp.startTheWorld();
                return report;
            }, r -> Thread.ofPlatform().name("operator").start(r));
            SchedTesting.awaitState(prompt, MutatorState.STOPPED);
            long request = sp.lastRequestNanos();
            while (System.nanoTime() - request < LATE_NANOS) {
                Thread.sleep(1);
            }
            letEnd.set(true);
            StopReport r = stop.get(30, TimeUnit.SECONDS);
            finish.set(true);
            prompt.join();
            ending.join();

            assertTrue(r.stopped(), r.toString());
            assertEquals(ending.id(), r.lastGoroutineId(), "the goroutine whose end completed the stop: " + r);
            assertEquals(MutatorState.RUNNING, r.lastStateAtRequest(), r.toString());
            assertTrue(r.arrivedNanos() >= LATE_NANOS && r.arrivedNanos() <= r.timeToSafepointNanos(),
                    "it left after the test let it, before the operator saw the world stopped: " + r);
        }
    }
}
