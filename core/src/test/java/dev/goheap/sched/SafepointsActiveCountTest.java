package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The count of active (running or stopped) goroutines, by which a stop knows it is complete
 * without visiting the parked ones (package-info "Stop", S2): it must come back to exactly the
 * goroutines that run, whatever parks, unparks, stops, handshakes and ends raced. One too many
 * and every stop misses its deadline; one too few and a stop can complete while a goroutine runs.
 */
class SafepointsActiveCountTest {
    private static final int GOROUTINES = 16;
    /** Stops and handshakes the test makes while the goroutines park and unpark. */
    private static final int OPERATIONS = 400;

    @Test
    void shouldCountExactlyTheRunningGoroutinesAfterParksUnparksStopsAndHandshakesRace() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            assertEquals(0, sp.activeVolatile());
            CountDownLatch allParked = new CountDownLatch(GOROUTINES - GOROUTINES / 4);
            CountDownLatch finish = new CountDownLatch(1);
            AtomicInteger ended = new AtomicInteger();
            AtomicInteger operations = new AtomicInteger();
            List<Goroutine> gs = new ArrayList<>();
            for (int i = 0; i < GOROUTINES; i++) {
                boolean endsEarly = i % 4 == 0; // some end while the stops go on: their count goes too
                gs.add(rt.go(() -> {
                    while (operations.get() < OPERATIONS) {
                        sp.park();
                        Thread.yield(); // virtual threads: spinning ones would keep the lock's waiters off the carriers
                        sp.unpark();
                        sp.poll();
                    }
                    if (endsEarly) {
                        ended.incrementAndGet();
                        return;
                    }
                    sp.parked(() -> {
                        allParked.countDown();
                        SchedTesting.awaitUnparked(finish);
                        return null;
                    });
                }));
            }
            int stops = 0;
            for (int i = 0; i < OPERATIONS; i++) {
                if (sp.stopTheWorld(farDeadline())) {
                    sp.startTheWorld();
                    stops++;
                }
                sp.handshake(g -> { }, farDeadline());
                operations.incrementAndGet();
            }
            allParked.await();
            awaitTrue("the early ones ended", () -> sp.mutatorCount() == GOROUTINES - GOROUTINES / 4);

            assertEquals(0, sp.activeVolatile(), "every goroutine is parked");
            assertTrue(sp.stopTheWorld(System.nanoTime()), "a stop waits for no parked goroutine");
            assertEquals(0, sp.lastStopReport().goroutines(), sp.lastStopReport().toString());
            sp.startTheWorld();
            assertTrue(stops > 0);
            finish.countDown();
            for (Goroutine g : gs) {
                g.join();
            }
            assertEquals(0, sp.activeVolatile(), "ended goroutines are not counted");
        }
    }

    @Test
    void shouldCountARunningGoroutineUntilItParks() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch park = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                running.countDown();
                SchedTesting.awaitUnparked(park); // runs (polls) until told
                sp.parked(() -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                    return null;
                });
            });
            running.await();
            assertEquals(1, sp.activeVolatile());
            park.countDown();
            g.join();
            assertEquals(0, sp.activeVolatile());
        }
    }

    @Test
    void shouldCountEachGoroutineInItsOwnStripeWhenTwoRunAndOneParks() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch running = new CountDownLatch(2);
            CountDownLatch parkFirst = new CountDownLatch(1);
            CountDownLatch firstParked = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            Goroutine first = rt.go(() -> {
                running.countDown();
                SchedTesting.awaitUnparked(parkFirst);
                sp.parked(() -> {
                    firstParked.countDown();
                    SchedTesting.awaitUnparked(finish);
                    return null;
                });
            });
            Goroutine second = rt.go(() -> {
                running.countDown();
                SchedTesting.awaitUnparked(finish);
            });
            running.await();
            int a = first.mutator().activeStripe.index;
            int b = second.mutator().activeStripe.index;
            assertNotEquals(a, b, "consecutive ids " + first.id() + ", " + second.id() + " share no stripe");
            assertEquals(1, sp.activeStripeVolatile(a));
            assertEquals(1, sp.activeStripeVolatile(b));
            assertEquals(2, sp.activeVolatile(), "the sum of the stripes");

            parkFirst.countDown();
            firstParked.await();
            awaitTrue("the park's -1 in its stripe", () -> sp.activeStripeVolatile(a) == 0);
            assertEquals(1, sp.activeStripeVolatile(b), "the other stripe untouched");
            assertEquals(1, sp.activeVolatile());
            assertFalse(sp.stopTheWorld(System.nanoTime()), "the second still runs: counted");

            finish.countDown();
            first.join();
            second.join();
            for (int s = 0; s < sp.activeStripeCount(); s++) {
                assertEquals(0, sp.activeStripeVolatile(s), "stripe " + s + " after both ended");
            }
        }
    }
}
