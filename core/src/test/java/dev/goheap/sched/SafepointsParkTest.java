package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.FRAME;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SafepointsParkTest {
    @Test
    void shouldParkAroundTheCallAndReturnItsValueWhenRunParked() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            List<String> seen = new ArrayList<>();
            rt.go(() -> {
                Goroutine me = Goroutine.current();
                seen.add(me.mutator().state() + " " + sp.isParked());
                String v = sp.parked(() -> {
                    seen.add(me.mutator().state() + " " + sp.isParked());
                    return sp.parked(() -> "nested"); // already parked: just runs
                });
                seen.add(v + " " + me.mutator().state());
            }).join();
            assertEquals(List.of("RUNNING false", "PARKED true", "nested RUNNING"), seen);
        }
    }

    @Test
    void shouldUnparkAndRethrowWhenTheParkedCallThrows() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicReference<String> seen = new AtomicReference<>();
            rt.go(() -> {
                try {
                    sp.parked(() -> {
                        throw new IOException("disk");
                    });
                } catch (IOException e) {
                    seen.set(e.getMessage() + " " + Goroutine.current().mutator().state());
                }
            }).join();
            assertEquals("disk RUNNING", seen.get());
        }
    }

    @Test
    void shouldRefuseUnpairedParkAndUnparkWhenCalledTwiceOrAlone() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            List<Throwable> thrown = new ArrayList<>();
            rt.go(() -> {
                thrown.add(catchThrowable(sp::unpark));
                sp.park();
                thrown.add(catchThrowable(sp::park));
                sp.unpark();
            }).join();
            assertEquals(2, thrown.size());
            for (Throwable t : thrown) {
                assertTrue(t instanceof IllegalStateException, String.valueOf(t));
            }
        }
    }

    @Test
    void shouldRefuseAPushWhenTheGoroutineIsParkedAndAStopIsPending() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch tried = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Goroutine g = rt.go(() -> {
                sp.park();
                parked.countDown();
                awaitUnparked(go);
                thrown.set(catchThrowable(() -> Goroutine.current().stack().push(FRAME))); // a bug: parked
                tried.countDown();
                sp.unpark();
            });
            parked.await();
            assertTrue(sp.stopTheWorld(farDeadline()));
            go.countDown();
            tried.await();
            assertEquals(0, rt.stats().goroutines().stackBlocks(), "the push changed nothing");
            sp.startTheWorld();
            g.join();
            assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
            assertTrue(thrown.get().getMessage().contains("PARKED"), thrown.get().getMessage());
        }
    }

    @Test
    void shouldParkAGoroutineWhileItJoinsAnother() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            Goroutine worker = rt.go(() -> {
                try {
                    sp.parked(() -> {
                        waiting.countDown();
                        release.await();
                        return null;
                    });
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            waiting.await();
            Goroutine joiner = rt.go(() -> {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            SchedTesting.awaitState(joiner, MutatorState.PARKED);
            // P writes PARKED before its -1 to the count: a stop that looks once, in between,
            // finds it running. Wait for the -1 too (seen failing on the loaded 2-CPU machine).
            SchedTesting.awaitTrue("the joiner's park counted", () -> sp.activeVolatile() == 0);
            assertTrue(sp.stopTheWorld(System.nanoTime()), "nobody runs: the joiner is parked");
            assertEquals(MutatorState.PARKED, joiner.mutator().state(), "a stop does not hold parked goroutines");
            sp.startTheWorld();
            release.countDown();
            joiner.join();
            assertEquals(MutatorState.DEREGISTERED, joiner.mutator().state());
        }
    }

    @Test
    void shouldAllowAParkOnlyWhenRunningOutsideAnActionAndNotTheOperator() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            List<String> seen = new ArrayList<>();
            assertFalse(sp.mayPark(), "no goroutine");
            rt.go(() -> {
                seen.add("running " + sp.mayPark());
                sp.parked(() -> seen.add("parked " + sp.mayPark()));
                Goroutine me = Goroutine.current();
                sp.handshake(g -> {
                    if (g == me) {
                        seen.add("in its action " + sp.mayPark()); // park() would throw here
                    }
                }, farDeadline());
                seen.add("after the handshake " + sp.mayPark());
                assertTrue(sp.stopTheWorld(farDeadline()));
                seen.add("operator of a stop " + sp.mayPark()); // its stop would wait for itself
                sp.startTheWorld();
                seen.add("after the stop " + sp.mayPark());
            }).join();
            assertEquals(List.of("running true", "parked false", "in its action false", "after the handshake true",
                    "operator of a stop false", "after the stop true"), seen);
        }
    }

    @Test
    void shouldDoNothingWhenTheThreadIsNoGoroutine() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            sp.park();
            sp.unpark();
            sp.unpark();
            assertFalse(sp.isParked());
            assertEquals("x", sp.parked(() -> "x"));
            assertTrue(sp.stopTheWorld(farDeadline()));
            rt.poll(); // not a goroutine: returns although a stop is in effect
            sp.startTheWorld();
        }
    }

    @Test
    void shouldRegisterGoroutinesWhileTheyRunAndDeregisterThemWhenTheyEndOrDetach() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            AtomicReference<String> inside = new AtomicReference<>();
            Goroutine g = rt.go(() -> inside.set(Goroutine.current().mutator().state() + " " + sp.mutatorCount()));
            g.join();
            assertEquals("RUNNING 1", inside.get());
            assertEquals(MutatorState.DEREGISTERED, g.mutator().state());
            assertSame(g, g.mutator().goroutine());

            Goroutine self = rt.attach();
            assertEquals(MutatorState.RUNNING, self.mutator().state());
            assertEquals(1, sp.mutatorCount());
            assertThrows(IllegalStateException.class, () -> sp.register(self.mutator()));
            self.detach();
            assertEquals(MutatorState.DEREGISTERED, self.mutator().state());
            assertEquals(0, sp.mutatorCount());
            sp.deregister(self.mutator()); // idempotent
        }
    }

    @Test
    void shouldRefuseMutatorsOfAnotherRuntimeAndRegistrationFromAnotherThread() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime(); GoRuntime other = SchedTesting.runtime()) {
            Goroutine self = rt.attach();
            assertThrows(IllegalArgumentException.class, () -> other.safepoints().deregister(self.mutator()));
            assertThrows(IllegalArgumentException.class,
                    () -> other.safepoints().handshakeReport(List.of(self), g -> {}, farDeadline()));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> thrown.set(catchThrowable(() -> rt.safepoints().deregister(self.mutator()))));
            t.join();
            assertTrue(thrown.get() instanceof WrongThreadException, String.valueOf(thrown.get()));
            assertThrows(IllegalStateException.class, () -> rt.safepoints().deregisterDead(self.mutator()));
            self.detach();
        }
    }

    @Test
    void shouldDeregisterAnAttachedThreadThatDiedWhenTheRuntimeCloses() throws Exception {
        GoRuntime rt = SchedTesting.runtime();
        Safepoints sp = rt.safepoints();
        AtomicReference<Goroutine> attached = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> attached.set(rt.attach())); // dies attached, RUNNING
        t.join();
        assertEquals(1, sp.mutatorCount());
        assertTrue(sp.stopTheWorld(farDeadline()), "a dead thread is not waited for");
        sp.startTheWorld();
        rt.close();
        assertEquals(0, sp.mutatorCount());
        assertEquals(MutatorState.DEREGISTERED, attached.get().mutator().state());
        assertNull(Goroutine.currentOrNull());
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
