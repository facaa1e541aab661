package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitBlocked;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.sched.SchedTesting.LateGoroutine;
import dev.goheap.sched.SchedTesting.Spinners;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link Safepoints#stopTheWorldAndRun}: who runs the work, and the world around it. */
class SafepointsStopHandoffTest {
    @Test
    void shouldRunTheWorkOnTheLastGoroutineToStopAndReleaseTheWorldWithoutTheOperator() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 2, s -> {}, true);
            LateGoroutine lateOne = new LateGoroutine(rt);
            Goroutine late = lateOne.goroutine;
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            AtomicInteger runs = new AtomicInteger();
            AtomicReference<String> seen = new AtomicReference<>("");
            AtomicReference<StopOutcome> outcome = new AtomicReference<>();
            Thread operator = Thread.ofPlatform().start(() -> outcome.set(sp.stopTheWorldAndRun(farDeadline(), () -> {
                ranOn.set(Thread.currentThread());
                runs.incrementAndGet();
                long before = spinners.total();
                StringBuilder states = new StringBuilder();
                for (Goroutine g : spinners.goroutines) {
                    states.append(g.mutator().state()).append(' ');
                }
                states.append(late.mutator().state());
                for (int i = 0; i < 10_000; i++) { // gives a goroutine that wrongly runs time to show it
                    Thread.onSpinWait();
                }
                seen.set(states + (spinners.total() == before ? "" : " progressed"));
                return true;
            })));
            for (Goroutine g : spinners.goroutines) {
                SchedTesting.awaitState(g, MutatorState.STOPPED);
            }
            awaitBlocked(operator); // it waits for the late one
            lateOne.release();
            operator.join();

            assertEquals(StopOutcome.FINISHED, outcome.get());
            assertEquals(1, runs.get());
            assertSame(late.thread(), ranOn.get(), "the last goroutine to stop runs the work");
            assertEquals("STOPPED STOPPED STOPPED", seen.get(), "everyone stopped, nobody progressed, during the work");
            late.join();
            assertEquals(1, lateOne.after.get(), "the goroutine that ran the work goes on");
            spinners.awaitProgressPast(spinners.snapshot()); // released
            assertFalse(sp.isWorldStopped());
            SafepointStats stats = sp.stats();
            assertEquals(1, stats.stops());
            assertEquals(1, stats.stopsRunByGoroutine());
            assertEquals(0, stats.stopTimeouts());
            assertTrue(stats.lastPauseNanos() >= stats.lastTimeToSafepointNanos(), stats.toString());
            assertTrue(sp.lastStopReport().stopped());
            assertEquals(late.id(), sp.lastStopReport().lastGoroutineId());
            assertTrue(sp.stopTheWorld(farDeadline()), "the operation is over: the operator may stop again");
            sp.startTheWorld();
            spinners.finish();
            rt.heap().verify();
        }
    }

    @Test
    void shouldRunTheWorkOnTheCallerWhileGoroutinesAreParkedAndReturnWhatItReturned() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Goroutine g = rt.go(() -> sp.parked(() -> {
                parked.countDown();
                awaitUnparked(release);
                return null;
            }));
            parked.await();
            AtomicReference<String> during = new AtomicReference<>();
            StopOutcome outcome = sp.stopTheWorldAndRun(farDeadline(), () -> {
                during.set(Thread.currentThread().getName() + " " + g.mutator().state() + " " + sp.isWorldStopped());
                return false;
            });

            assertEquals(StopOutcome.UNFINISHED, outcome);
            assertEquals(Thread.currentThread().getName() + " PARKED true", during.get());
            assertEquals(MutatorState.PARKED, g.mutator().state());
            assertFalse(sp.isWorldStopped());
            assertEquals(0, sp.stats().stopsRunByGoroutine());
            release.countDown();
            g.join();
        }
    }

    @Test
    void shouldRethrowWhatTheWorkThrewOnTheGoroutineAfterTheWorldIsReleased() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            LateGoroutine lateOne = new LateGoroutine(rt);
            Goroutine late = lateOne.goroutine;
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread operator = Thread.ofPlatform().start(() -> {
                try {
                    sp.stopTheWorldAndRun(farDeadline(), () -> {
                        throw new IllegalArgumentException("work failed on " + Thread.currentThread().getName());
                    });
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            awaitBlocked(operator);
            lateOne.release();
            operator.join();
            late.join();

            assertTrue(thrown.get() instanceof IllegalArgumentException, String.valueOf(thrown.get()));
            assertEquals("work failed on " + late.thread().getName(), thrown.get().getMessage());
            assertEquals(1, lateOne.after.get(), "the goroutine is released and goes on");
            assertFalse(sp.isWorldStopped());
            assertTrue(sp.stopTheWorld(farDeadline()));
            sp.startTheWorld();
        }
    }

    @Test
    void shouldNotRunTheWorkAndReleaseTheStoppedGoroutinesWhenTheDeadlinePasses() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            LateGoroutine lateOne = new LateGoroutine(rt);
            Goroutine late = lateOne.goroutine;
            Spinners spinner = new Spinners(rt, 1, s -> {}, true);
            AtomicInteger runs = new AtomicInteger();

            StopOutcome outcome = sp.stopTheWorldAndRun(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), () -> {
                runs.incrementAndGet();
                return true;
            });

            assertEquals(StopOutcome.MISSED_DEADLINE, outcome);
            assertEquals(0, runs.get());
            assertFalse(sp.isWorldStopped());
            spinner.awaitProgressPast(spinner.snapshot()); // the one that had stopped runs again
            assertEquals(1, sp.stats().stopTimeouts());
            assertFalse(sp.lastStopReport().stopped());
            assertEquals(late.id(), sp.lastStopReport().lastGoroutineId(), "the report names the one that did not stop");
            lateOne.release();
            late.join();
            assertEquals(1, lateOne.after.get(), "its late poll finds nothing pending");
            assertThrows(IllegalStateException.class, sp::startTheWorld);
            spinner.finish();
        }
    }

    @Test
    void shouldRunTheWorkOnTheOperatorWhenTheLastRunningGoroutineEndsInsteadOfStopping() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            Goroutine ending = rt.go(() -> {
                in.countDown();
                awaitUnparked(out); // no safepoint from here to its end
            });
            in.await();
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            AtomicReference<StopOutcome> outcome = new AtomicReference<>();
            Thread operator = Thread.ofPlatform().start(() -> outcome.set(sp.stopTheWorldAndRun(farDeadline(), () -> {
                ranOn.set(Thread.currentThread());
                return true;
            })));
            awaitBlocked(operator); // parked, waiting for the goroutine
            out.countDown();        // it deregisters, which must wake the operator: no goroutine is left to claim
            ending.join();
            operator.join(TimeUnit.SECONDS.toMillis(5)); // far less than the deadline, unless the wake-up was lost

            assertFalse(operator.isAlive(), "the operator was not woken by the end of the last goroutine");
            assertEquals(StopOutcome.FINISHED, outcome.get());
            assertSame(operator, ranOn.get());
            assertEquals(0, sp.stats().stopsRunByGoroutine());
        }
    }
}
