package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.FRAME;
import static dev.goheap.sched.SchedTesting.LINK;
import static dev.goheap.sched.SchedTesting.NODE;
import static dev.goheap.sched.SchedTesting.REF;
import static dev.goheap.sched.SchedTesting.awaitTrue;
import static dev.goheap.sched.SchedTesting.awaitUnparked;
import static dev.goheap.sched.SchedTesting.farDeadline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.sched.SchedTesting.Spinners;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SafepointsHandshakeTest {
    @Test
    void shouldRunTheActionOnTheOwnerWhenRunningAndOnTheCallerWhenParked() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 2, s -> {});
            Parker parker = new Parker(rt, s -> {});
            Map<Goroutine, Thread> ranOn = new ConcurrentHashMap<>();
            AtomicInteger twice = new AtomicInteger();

            HandshakeResult r = sp.handshakeReport(g -> {
                if (ranOn.putIfAbsent(g, Thread.currentThread()) != null) {
                    twice.incrementAndGet();
                }
            }, farDeadline());

            assertTrue(r.isComplete());
            assertEquals(2, r.byOwner());
            assertEquals(1, r.byCaller());
            assertEquals(0, r.ended());
            assertEquals(0, twice.get());
            for (Goroutine g : spinners.goroutines) {
                assertSame(g.thread(), ranOn.get(g));
            }
            assertSame(Thread.currentThread(), ranOn.get(parker.goroutine));
            assertEquals(MutatorState.PARKED, parker.goroutine.mutator().state()); // released again
            SafepointStats stats = sp.stats();
            assertEquals(1, stats.handshakes());
            assertEquals(2, stats.actionsByOwner());
            assertEquals(1, stats.actionsByCaller());
            parker.finish();
            spinners.finish();
        }
    }

    /**
     * A handshake of every goroutine copies the registry into the operator's array, kept from
     * one handshake to the next, and leaves nothing in it: a kept reference to an ended
     * goroutine would hold its stack's Java objects until the next handshake.
     */
    @Test
    void shouldReuseTheTargetsArrayAndKeepNoGoroutineInIt() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 2, s -> {});
            Parker parker = new Parker(rt, s -> {});
            AtomicInteger runs = new AtomicInteger();

            HandshakeResult first = sp.handshakeReport(g -> runs.incrementAndGet(), farDeadline());
            Mutator[] kept = sp.handshakeTargets;
            HandshakeResult second = sp.handshakeReport(g -> runs.incrementAndGet(), farDeadline());

            assertTrue(first.isComplete() && second.isComplete());
            assertEquals(3, first.byOwner() + first.byCaller());
            assertEquals(3, second.byOwner() + second.byCaller());
            assertEquals(6, runs.get());
            assertTrue(kept.length >= 3, "the operator keeps the array after a handshake: length " + kept.length);
            assertSame(kept, sp.handshakeTargets, "the second handshake copied into the first one's array");
            for (Mutator m : kept) {
                assertNull(m, "no goroutine kept after the handshake");
            }
            parker.finish();
            spinners.finish();
        }
    }

    @Test
    void shouldSeeEveryPointerSlotOfTheFramesWhenTheHandshakeScansStacks() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Map<Goroutine, List<Long>> expected = new ConcurrentHashMap<>();
            Consumer<Stack> frames = s -> expected.put(Goroutine.current(), pushFrames(rt, s));
            Spinners spinner = new Spinners(rt, 1, frames); // scanned on its own thread
            Parker parker = new Parker(rt, frames);          // scanned on the caller's thread
            Map<Goroutine, List<Long>> seen = new ConcurrentHashMap<>();

            HandshakeResult r = sp.handshakeReport(g -> {
                List<Long> values = Collections.synchronizedList(new ArrayList<>());
                g.forEachStackPointerSlot((handle, offset, value) -> values.add(value));
                seen.put(g, values);
            }, farDeadline());

            assertTrue(r.isComplete());
            assertEquals(1, r.byOwner());
            assertEquals(1, r.byCaller());
            for (Goroutine g : List.of(spinner.goroutines.get(0), parker.goroutine)) {
                assertEquals(expected.get(g), seen.get(g), g.toString());
                assertEquals(6, seen.get(g).size()); // 3 frames, 2 pointer slots each
            }
            parker.finish();
            spinner.finish();
            rt.heap().verify();
        }
    }

    @Test
    void shouldCancelTheActionsNotStartedAndReportThemWhenTheDeadlinePasses() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinner = new Spinners(rt, 1, s -> {});
            CountDownLatch busyIn = new CountDownLatch(1);
            CountDownLatch busyOut = new CountDownLatch(1);
            AtomicBoolean quit = new AtomicBoolean();
            AtomicLong pollsAfter = new AtomicLong();
            Goroutine busy = rt.go(() -> {
                busyIn.countDown();
                awaitUnparked(busyOut); // running, and no safepoint until released
                while (!quit.get()) {
                    rt.poll();
                    pollsAfter.incrementAndGet();
                    Thread.yield();
                }
            });
            busyIn.await();
            Map<Goroutine, AtomicInteger> runs = new ConcurrentHashMap<>();
            MutatorAction count = g -> runs.computeIfAbsent(g, k -> new AtomicInteger()).incrementAndGet();

            HandshakeResult first = sp.handshakeReport(count, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));

            assertFalse(first.isComplete());
            assertEquals(List.of(busy), first.notDone());
            assertEquals(1, first.byOwner());
            assertEquals(1, sp.stats().actionsCancelled());
            busyOut.countDown();
            awaitTrue("busy polls", () -> pollsAfter.get() > 2);
            assertEquals(null, runs.get(busy), "a cancelled action never runs");

            HandshakeResult retry = sp.handshakeReport(first.notDone(), count, farDeadline());

            assertTrue(retry.isComplete());
            assertEquals(1, retry.byOwner());
            assertEquals(1, runs.get(busy).get());
            assertEquals(1, runs.get(spinner.goroutines.get(0)).get());
            quit.set(true);
            busy.join();
            HandshakeResult ended = sp.handshakeReport(List.of(busy), count, farDeadline());
            assertEquals(1, ended.ended());
            assertEquals(0, ended.doneCount());
            spinner.finish();
        }
    }

    @Test
    void shouldReturnFalseFromHandshakeWhenAGoroutineMissesTheDeadline() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            Goroutine busy = rt.go(() -> {
                in.countDown();
                awaitUnparked(out);
            });
            in.await();
            assertFalse(sp.handshake(g -> {}, System.nanoTime()));
            out.countDown();
            busy.join();
            assertTrue(sp.handshake(g -> {}, System.nanoTime())); // nobody left to wait for
        }
    }

    @Test
    void shouldRefuseToScanAStackFromAThreadThatDoesNotHoldTheGoroutine() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Parker parker = new Parker(rt, s -> s.push(FRAME));
            Goroutine g = parker.goroutine;
            assertThrows(WrongThreadException.class, () -> g.forEachStackPointerSlot((h, o, v) -> {}));
            assertFalse(g.mutator().isHeldByCurrentThread());
            AtomicInteger slots = new AtomicInteger();
            assertTrue(rt.safepoints().handshake(x -> x.forEachStackPointerSlot((h, o, v) -> slots.incrementAndGet()),
                    farDeadline()));
            assertEquals(2, slots.get());
            parker.finish();
            assertThrows(IllegalStateException.class, () -> g.forEachStackPointerSlot((h, o, v) -> {}));
        }
    }

    @Test
    void shouldLeaveOutGoroutinesThatRegisterDuringTheHandshake() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Parker parker = new Parker(rt, s -> {});
            Map<Goroutine, AtomicInteger> runs = new ConcurrentHashMap<>();
            AtomicReference<Goroutine> late = new AtomicReference<>();
            CountDownLatch lateRunning = new CountDownLatch(1);
            CountDownLatch lateEnd = new CountDownLatch(1);

            HandshakeResult r = sp.handshakeReport(g -> {
                runs.computeIfAbsent(g, k -> new AtomicInteger()).incrementAndGet();
                if (late.get() == null) { // on the caller, for the parked goroutine: start another
                    late.set(rt.go(() -> {
                        lateRunning.countDown();
                        awaitUnparked(lateEnd);
                        rt.poll();
                    }));
                    awaitUnparked(lateRunning); // registered, running, polling: not in this handshake
                }
            }, farDeadline());

            assertEquals(1, r.doneCount());
            assertEquals(1, runs.get(parker.goroutine).get());
            lateEnd.countDown();
            late.get().join();
            assertEquals(null, runs.get(late.get()));
            parker.finish();
        }
    }

    @Test
    void shouldRethrowWhatAnActionThrewWhenTheHandshakeEndsAndKeepTheGoroutinesRunning() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinner = new Spinners(rt, 1, s -> {});
            Parker parker = new Parker(rt, s -> {});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sp.handshake(g -> {
                        throw new IllegalArgumentException("boom in " + g.id());
                    }, farDeadline()));
            assertEquals(1, e.getSuppressed().length, "the other action's failure is suppressed into the first");
            spinner.awaitProgressPast(spinner.snapshot());
            assertTrue(sp.handshake(g -> {}, farDeadline())); // the operator was released
            parker.finish();
            spinner.finish();
        }
    }

    @Test
    void shouldShrinkTheStackOnlyOnItsOwnerWhenAHandshakeAsks() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Consumer<Stack> growThenPop = s -> {
                long[] f = new long[1000]; // 1000 frames of 40 bytes: 64 KiB
                for (int i = 0; i < f.length; i++) {
                    f[i] = s.push(FRAME);
                }
                for (int i = f.length - 1; i > 0; i--) {
                    s.pop(f[i]);
                }
            };
            Spinners spinner = new Spinners(rt, 1, growThenPop);
            Parker parker = new Parker(rt, growThenPop);
            Map<Goroutine, String> shrunk = new ConcurrentHashMap<>();

            assertTrue(sp.handshake(g -> {
                boolean moved = g.shrinkStackIfOwner();
                shrunk.put(g, moved + (moved ? " " + g.stack().capacityBytes() : ""));
            }, farDeadline()));

            assertEquals("true 32768", shrunk.get(spinner.goroutines.get(0)));
            assertEquals("false", shrunk.get(parker.goroutine)); // a parked goroutine's stack never moves
            assertEquals(1, rt.stats().goroutines().stackShrinkCount());
            parker.finish();
            spinner.finish();
            rt.heap().verify();
        }
    }

    @Test
    void shouldRunEveryActionOnTheCallerWhenTheCallerHasStoppedTheWorld() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Spinners spinners = new Spinners(rt, 2, s -> s.push(FRAME));
            Parker parker = new Parker(rt, s -> s.push(FRAME));
            assertTrue(sp.stopTheWorld(farDeadline()));
            AtomicInteger slots = new AtomicInteger();
            Thread me = Thread.currentThread();
            AtomicInteger elsewhere = new AtomicInteger();
            HandshakeResult r = sp.handshakeReport(g -> {
                if (Thread.currentThread() != me) {
                    elsewhere.incrementAndGet();
                }
                g.forEachStackPointerSlot((h, o, v) -> slots.incrementAndGet());
            }, System.nanoTime());
            assertEquals(3, r.byCaller());
            assertEquals(0, r.byOwner());
            assertEquals(0, elsewhere.get());
            assertEquals(6, slots.get());
            assertTrue(sp.isWorldStopped());
            sp.startTheWorld();
            parker.finish();
            spinners.finish();
        }
    }

    @Test
    void shouldRunTheCallersOwnActionAtOnceWhenAGoroutineHandshakes() throws Exception {
        try (GoRuntime rt = SchedTesting.runtime()) {
            Safepoints sp = rt.safepoints();
            Parker parker = new Parker(rt, s -> {});
            AtomicReference<HandshakeResult> result = new AtomicReference<>();
            AtomicReference<Thread> selfRanOn = new AtomicReference<>();
            Goroutine caller = rt.go(() -> {
                Goroutine me = Goroutine.current();
                result.set(sp.handshakeReport(g -> {
                    if (g == me) {
                        selfRanOn.set(Thread.currentThread());
                    }
                }, farDeadline()));
            });
            caller.join();
            assertEquals(1, result.get().byOwner());
            assertEquals(1, result.get().byCaller());
            assertSame(caller.thread(), selfRanOn.get());
            parker.finish();
        }
    }

    /** Pushes 3 frames whose pointer slots hold heap objects, nil and a pointer into the stack. */
    private static List<Long> pushFrames(GoRuntime rt, Stack s) {
        List<Long> values = new ArrayList<>();
        long below = 0;
        for (int i = 0; i < 3; i++) {
            long f = s.push(FRAME);
            long node = rt.heap().newObject(NODE);
            s.writePointer(f, REF, node);
            long link = i == 0 ? 0 : s.addressOf(below, 0);
            s.writePointer(f, LINK, link);
            values.add(node);
            values.add(link);
            below = f;
        }
        return values;
    }

    /** A goroutine that runs {@code setup} on its stack, then parks until finished. */
    private static final class Parker {
        final Goroutine goroutine;
        private final CountDownLatch release = new CountDownLatch(1);

        Parker(GoRuntime rt, Consumer<Stack> setup) throws InterruptedException {
            CountDownLatch parked = new CountDownLatch(1);
            Safepoints sp = rt.safepoints();
            goroutine = rt.go(() -> {
                setup.accept(Goroutine.current().stack());
                sp.park();
                parked.countDown();
                awaitUnparked(release);
                sp.unpark();
            });
            parked.await();
        }

        void finish() throws InterruptedException {
            release.countDown();
            goroutine.join();
        }
    }
}
