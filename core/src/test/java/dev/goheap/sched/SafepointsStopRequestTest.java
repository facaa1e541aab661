package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The stop request's time ({@link Safepoints#lastRequestNanos}) and the deadline counted from
 * it ({@link Safepoints#stopTheWorldAndRunWithin}): an operator delayed on its way to the request
 * neither counts the delay as a pause nor gives its stop up before any goroutine heard of it.
 */
class SafepointsStopRequestTest {
    private static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    @Test
    void shouldCountTheTimeoutFromTheRequestWhenTheOperatorIsDelayedOnItsWayThere() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            Goroutine late = rt.go(() -> { // running and never at a safepoint until released: the stop misses
                in.countDown();
                awaitUnparked(out);
                sp.poll();
            });
            in.await();
            // The delay: the safepoint lock, which the request needs, is held for DELAY_NANOS.
            CountDownLatch locked = new CountDownLatch(1);
            long[] unlockedAt = new long[1];
            Thread holder = Thread.ofPlatform().start(() -> {
                sp.lock.lock();
                try {
                    locked.countDown();
                    long until = System.nanoTime() + DELAY_NANOS;
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                    unlockedAt[0] = System.nanoTime();
                } finally {
                    sp.lock.unlock();
                }
            });
            locked.await();
            AtomicInteger runs = new AtomicInteger();

            StopOutcome outcome;
            try {
                outcome = sp.stopTheWorldAndRunWithin(TIMEOUT_NANOS, () -> runs.incrementAndGet() > 0);
                holder.join();
            } finally {
                out.countDown(); // whatever happened, so that the runtime closes
            }

            assertEquals(StopOutcome.MISSED_DEADLINE, outcome);
            assertEquals(0, runs.get(), "the late goroutine never stopped: the work never ran");
            long request = sp.lastRequestNanos();
            assertTrue(request - unlockedAt[0] >= 0, "the request is made once the lock is free, not at the call");
            long pause = sp.lastReleaseNanos() - request;
            assertTrue(pause >= TIMEOUT_NANOS, "the stop waited its timeout from the request: " + pause + " ns");
            assertEquals(1, sp.stats().stopTimeouts());
            late.join();
            assertTrue(sp.stopTheWorld(farDeadline()), "the operation is over: the operator may stop again");
            sp.startTheWorld();
            rt.heap().verify();
        }
    }

    @Test
    void shouldTimeTheRequestOfEveryKindOfStopBetweenTheCallAndItsReturn() {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            long before = System.nanoTime();
            assertTrue(sp.stopTheWorld(farDeadline()));
            long stopRequest = sp.lastRequestNanos();
            sp.startTheWorld();
            assertTrue(stopRequest - before >= 0 && sp.lastReleaseNanos() - stopRequest >= 0);

            long[] seenInWork = new long[1];
            long beforeRun = System.nanoTime();
            assertEquals(StopOutcome.FINISHED, sp.stopTheWorldAndRunWithin(TIMEOUT_NANOS, () -> {
                seenInWork[0] = sp.lastRequestNanos();
                return true;
            }));
            assertEquals(seenInWork[0], sp.lastRequestNanos(), "the work sees its own stop's request");
            assertTrue(seenInWork[0] - beforeRun >= 0 && sp.lastReleaseNanos() - seenInWork[0] >= 0);
        }
    }

    @Test
    void shouldRefuseANegativeTimeoutAndStayUsable() {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sp.stopTheWorldAndRunWithin(-1, () -> true));
            assertTrue(e.getMessage().contains("timeout -1 ns"), e.getMessage());
            assertThrows(NullPointerException.class, () -> sp.stopTheWorldAndRunWithin(TIMEOUT_NANOS, null));
            assertEquals(StopOutcome.FINISHED, sp.stopTheWorldAndRunWithin(TIMEOUT_NANOS, () -> true));
            assertEquals(1, sp.stats().stops());
        }
    }
}
