package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.FRAME;
import static dev.goheap.sched.SchedTesting.VALUE;
import static dev.goheap.sched.SchedTesting.awaitBlocked;
import static dev.goheap.sched.SchedTesting.awaitState;
import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.sched.SchedTesting.LateGoroutine;
import dev.goheap.sched.SchedTesting.Spinners;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SafepointsStopTest {
    @Test
    void shouldStopEveryGoroutineAtItsNextSafepointAndHoldThemUntilStartedWhenTheWorldIsStopped() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 4, s -> {}, true); // safepoints: push and pop, or poll

            assertTrue(sp.stopTheWorld(farDeadline()));
            assertTrue(sp.isWorldStopped());
            for (Goroutine g : spinners.goroutines) {
                // STOPPED (M2), or PARKED (M0: the safepoints' lock was held with threads queued
                // for it, as when four spinners arrive at once on two CPUs), waiting for the release
                MutatorState state = g.mutator().state();
                assertTrue(state == MutatorState.STOPPED || state == MutatorState.PARKED, g + ": " + state);
                assertEquals(state == MutatorState.STOPPED, g.mutator().isHeldByCurrentThread(), g.toString());
            }
            long before = spinners.total();
            Thread.sleep(20); // not for correctness: gives a goroutine that wrongly runs time to show it
            assertEquals(before, spinners.total(), "no goroutine progresses while stopped");
            sp.startTheWorld();

            assertFalse(sp.isWorldStopped());
            assertFalse(spinners.goroutines.get(0).mutator().isHeldByCurrentThread());
            spinners.awaitProgressPast(spinners.snapshot());
            spinners.finish();
            for (Goroutine g : spinners.goroutines) {
                assertEquals(MutatorState.DEREGISTERED, g.mutator().state());
            }
            SafepointStats stats = sp.stats();
            assertEquals(1, stats.stops());
            assertEquals(0, stats.stopTimeouts());
            assertEquals(0, stats.mutators());
            assertTrue(stats.lastTimeToSafepointNanos() > 0 && stats.lastPauseNanos() >= stats.lastTimeToSafepointNanos(),
                    stats.toString());
            rt.heap().verify();
        }
    }

    @Test
    void shouldNotWaitForParkedGoroutinesWhenStopping() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                try {
                    sp.parked(() -> {
                        parked.countDown();
                        release.await();
                        return null;
                    });
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            parked.await();

            // A deadline in the past: the goroutines are looked at once, and a parked one is enough.
            assertTrue(sp.stopTheWorld(System.nanoTime()));
            assertEquals(MutatorState.PARKED, g.mutator().state(), "not held: its unpark would stop first");
            sp.startTheWorld();
            assertEquals(MutatorState.PARKED, g.mutator().state());

            release.countDown();
            g.join();
        }
    }

    @Test
    void shouldMakeUnparkWaitUntilTheWorldIsStartedWhenTheGoroutineUnparksDuringAStop() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicBoolean unparking = new AtomicBoolean();
            AtomicBoolean unparked = new AtomicBoolean();
            Goroutine g = rt.go(() -> {
                sp.park();
                parked.countDown();
                awaitUnparked(wake);
                unparking.set(true);
                sp.unpark();
                unparked.set(true);
            });
            parked.await();
            assertTrue(sp.stopTheWorld(farDeadline()));
            wake.countDown();
            awaitTrue("unparking", unparking::get);
            awaitBlocked(g.thread()); // inside unpark, waiting for the release

            assertFalse(unparked.get(), "unpark returned while the world was stopped");
            assertEquals(MutatorState.PARKED, g.mutator().state());
            sp.startTheWorld();
            g.join();
            assertTrue(unparked.get());
        }
    }

    @Test
    void shouldReleaseTheWorldAndReturnFalseWhenAGoroutineDoesNotReachASafepointByTheDeadline() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            LateGoroutine busy = new LateGoroutine(rt); // blocks without parking: breaks the contract on purpose
            Spinners spinner = new Spinners(rt, 1, st -> {});

            assertFalse(sp.stopTheWorld(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50)));
            assertFalse(sp.isWorldStopped());
            assertEquals(MutatorState.RUNNING, spinner.goroutines.get(0).mutator().state()); // released before the return
            spinner.awaitProgressPast(spinner.snapshot());
            assertThrows(IllegalStateException.class, sp::startTheWorld);
            assertEquals(1, sp.stats().stopTimeouts());

            busy.release();
            busy.goroutine.join();
            assertTrue(sp.stopTheWorld(farDeadline())); // the operator was released too
            sp.startTheWorld();
            spinner.finish();
        }
    }

    @Test
    void shouldRefuseASecondStopperAndAStartFromAnotherThreadWhenTheWorldIsStopped() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            assertThrows(IllegalStateException.class, sp::startTheWorld);
            assertTrue(sp.stopTheWorld(farDeadline()));
            assertThrows(IllegalStateException.class, () -> sp.stopTheWorld(farDeadline()));
            AtomicReference<List<Throwable>> thrown = new AtomicReference<>(new ArrayList<>());
            Thread other = Thread.ofPlatform().start(() -> {
                List<Throwable> t = thrown.get();
                t.add(catchThrowable(() -> sp.stopTheWorld(farDeadline())));
                t.add(catchThrowable(sp::startTheWorld));
                t.add(catchThrowable(() -> sp.handshake(g -> {}, farDeadline())));
            });
            other.join();
            for (Throwable t : thrown.get()) {
                assertTrue(t instanceof IllegalStateException, String.valueOf(t));
            }
            assertTrue(sp.isWorldStopped());
            sp.startTheWorld();
            assertThrows(IllegalStateException.class, sp::startTheWorld);
        }
    }

    @Test
    void shouldCompleteTheStopWhenARunningGoroutineEndsInsteadOfReachingASafepoint() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                Stack s = Goroutine.current().stack();
                s.push(FRAME); // ends with it pushed: its end frees the block
                in.countDown();
                awaitUnparked(out); // no safepoint from here to its end
            });
            in.await();
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicReference<MutatorState> atStop = new AtomicReference<>();
            Thread stopper = Thread.ofPlatform().start(() -> {
                stopped.set(sp.stopTheWorld(farDeadline()));
                if (stopped.get()) {
                    atStop.set(g.mutator().state());
                    sp.startTheWorld();
                }
            });
            awaitBlocked(stopper); // it waits for g
            out.countDown();       // g ends: it parks (D), then deregisters, counted as parked forever
            g.join();
            stopper.join();
            assertTrue(stopped.get());
            assertTrue(atStop.get() == MutatorState.PARKED || atStop.get() == MutatorState.DEREGISTERED,
                    "parked to deregister, or gone: " + atStop.get());
            assertEquals(MutatorState.DEREGISTERED, g.mutator().state());
            assertEquals(0, rt.stats().goroutines().stackBlocks());
            rt.heap().verify();
        }
    }

    @Test
    void shouldNeverSeeARunningGoroutineWhenThreadsAttachAndDetachDuringStops() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            int threads = 3;
            AtomicBoolean quit = new AtomicBoolean();
            AtomicInteger lives = new AtomicInteger();
            List<Thread> attachers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                attachers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; !quit.get() || i < 50; i++) {
                        Goroutine g = rt.attach(); // registers: waits while the world is stopped
                        Stack s = g.stack();
                        long f = s.push(FRAME);
                        s.setLong(f, VALUE, i);
                        if (i % 3 == 0) {
                            sp.parked(() -> {
                                Thread.yield();
                                return null;
                            });
                        }
                        s.pop(f);
                        lives.incrementAndGet(); // while registered: never while the world is stopped
                        g.detach();
                    }
                }));
            }
            AtomicInteger seenNotHeld = new AtomicInteger();
            for (int stop = 0; stop < 200; stop++) {
                assertTrue(sp.stopTheWorld(farDeadline()), "stop " + stop);
                int livesBefore = lives.get();
                HandshakeResult r = sp.handshakeReport(g -> {
                    if (!g.mutator().isHeldByCurrentThread()) {
                        seenNotHeld.incrementAndGet();
                    }
                    g.forEachStackPointerSlot((handle, offset, value) -> {});
                }, farDeadline());
                assertEquals(0, r.byOwner());
                assertEquals(livesBefore, lives.get(), "a goroutine ended a life while the world was stopped");
                sp.startTheWorld();
                Thread.yield();
            }
            quit.set(true);
            for (Thread t : attachers) {
                t.join();
            }
            assertEquals(0, seenNotHeld.get());
            assertEquals(0, sp.mutatorCount());
            assertEquals(0, rt.stats().goroutines().running());
            rt.heap().verify();
        }
    }

    @Test
    void shouldKeepTheStopperRunningWhenAGoroutineStopsTheWorld() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 1, st -> {});
            Goroutine spinner = spinners.goroutines.get(0);
            AtomicReference<String> report = new AtomicReference<>();
            rt.go(() -> {
                Goroutine me = Goroutine.current();
                boolean stopped = sp.stopTheWorld(farDeadline());
                Stack s = me.stack();
                long f = s.push(FRAME); // the stopper's own safepoints do not stop it
                s.pop(f);
                rt.poll();
                report.set(stopped + " " + me.mutator().state() + " " + spinner.mutator().state());
                sp.startTheWorld();
            }).join();
            assertEquals("true RUNNING STOPPED", report.get());
            spinners.finish();
        }
    }

    @Test
    void shouldReturnFalseAtOnceWhenTheDeadlineHasPassedAndAGoroutineRuns() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            Goroutine g = rt.go(() -> {
                in.countDown();
                awaitUnparked(out);
            });
            in.await();
            assertFalse(sp.stopTheWorld(System.nanoTime() - 1));
            assertEquals(MutatorState.RUNNING, g.mutator().state());
            out.countDown();
            g.join();
            awaitState(g, MutatorState.DEREGISTERED);
        }
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
