package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitState;
import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A goroutine that would join a queue for the safepoints' lock while running waits parked
 * instead (package-info "Stop", M0, and "Mutator paths", D), so that no stop waits for the
 * queue; and {@link Safepoints#tryUnpark}, with which a goroutine waits for a heap lock parked.
 * Each test holds the lock itself (and queues threads behind it for M0): without the change, the
 * goroutine stays RUNNING, blocked in the lock, and the wait for PARKED gives up.
 */
class SafepointsLockQueueTest {

    @Test
    void shouldStopByParkingWhenTheLockIsTaken() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean poll = new AtomicBoolean();
            AtomicBoolean finish = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                started.countDown();
                while (!poll.get()) {
                    Thread.yield(); // running, no safepoint: the stop waits for us
                }
                while (!finish.get()) {
                    sp.poll();
                    Thread.yield();
                }
            });
            started.await();
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> stop = new CompletableFuture<>();
            Thread operator = new Thread(() -> {
                boolean stopped = sp.stopTheWorld(farDeadline());
                stop.complete(stopped);
                if (stopped) {
                    SchedTesting.awaitUnparked(release);
                    sp.startTheWorld();
                }
            }, "operator");
            operator.start();
            awaitTrue("the stop requested", () -> (sp.pendingVolatile() & Safepoints.STOP) != 0);
            sp.lock.lock();
            List<Thread> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // a queue for the lock
                    queued.add(Thread.ofPlatform().start(() -> {
                        sp.lock.lock();
                        sp.lock.unlock();
                    }));
                }
                awaitTrue("the queue", () -> sp.lock.getQueueLength() >= 2);
                poll.set(true);
                awaitState(g, MutatorState.PARKED); // not RUNNING, queued behind them
                assertEquals(0, sp.activeVolatile(), "a goroutine that stopped by parking is not counted");
            } finally {
                sp.lock.unlock();
            }
            for (Thread t : queued) {
                t.join();
            }
            assertTrue(stop.get(), "the stop completes without the goroutine stopping");
            assertEquals(0, sp.lastStopReport().goroutines(), sp.lastStopReport().toString());
            assertEquals(MutatorState.PARKED, g.mutator().state(), "it waits for the release parked");
            release.countDown();
            operator.join();
            awaitState(g, MutatorState.RUNNING);
            assertEquals(1, sp.activeVolatile());
            finish.set(true);
            g.join();
            assertEquals(0, sp.activeVolatile());
        }
    }

    @Test
    void shouldParkBeforeDeregisteringSoThatNoStopWaitsForTheLock() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicBoolean end = new AtomicBoolean();
            Goroutine g = rt.go(() -> {
                while (!end.get()) {
                    sp.poll();
                    Thread.yield();
                }
            });
            awaitTrue("the goroutine runs", () -> sp.activeVolatile() == 1);
            sp.lock.lock();
            try {
                end.set(true);
                awaitState(g, MutatorState.PARKED); // ending: parked while it waits for the lock
                assertEquals(0, sp.activeVolatile());
            } finally {
                sp.lock.unlock();
            }
            g.join();
            assertEquals(0, sp.mutatorCount());
            assertEquals(0, sp.activeVolatile());
        }
    }

    @Test
    void shouldUnparkAtOnceWhenNothingIsPendingAndStayParkedWhenAStopIs() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicReference<Boolean> first = new AtomicReference<>();
            AtomicReference<Boolean> second = new AtomicReference<>();
            AtomicReference<MutatorState> afterSecond = new AtomicReference<>();
            AtomicReference<Throwable> whileRunning = new AtomicReference<>();
            CountDownLatch parkedAgain = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                sp.park();
                first.set(sp.tryUnpark());
                whileRunning.set(assertThrows(IllegalStateException.class, sp::tryUnpark));
                sp.park();
                parkedAgain.countDown();
                SchedTesting.awaitUnparked(stopped);
                second.set(sp.tryUnpark());
                afterSecond.set(Goroutine.current().mutator().state());
                sp.unpark(); // waits for the release
            });
            parkedAgain.await();
            assertTrue(sp.stopTheWorld(farDeadline()), "the goroutine is parked");
            try {
                stopped.countDown();
                awaitTrue("the second try and its state", () -> afterSecond.get() != null); // set after second
                assertFalse(second.get(), "no unpark while the world is stopped");
                assertEquals(MutatorState.PARKED, afterSecond.get());
                assertEquals(0, sp.activeVolatile(), "a failed try leaves the count as it was");
            } finally {
                sp.startTheWorld();
            }
            g.join();
            assertTrue(first.get(), "nothing pending: unparked at once");
            assertTrue(whileRunning.get().getMessage().contains("is RUNNING"), whileRunning.get().getMessage());
            assertEquals(0, sp.activeVolatile());
        }
    }
}
