package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitBlocked;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link StopListener}: told once before each stop's request and once after its release, in order. */
class SafepointsStopListenerTest {
    /** Records each call: what, on which thread, and what the goroutines were at that moment. */
    private static final class Recorder implements StopListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        volatile Safepoints safepoints;
        volatile List<Goroutine> watched = List.of();
        volatile RuntimeException throwOnRequest;
        volatile long spinOnRequestNanos;

        @Override
        public void beforeStop() {
            Safepoints sp = safepoints;
            calls.add("before " + states() + (sp != null && sp.lock.isHeldByCurrentThread() ? " under the lock" : ""));
            threads.add(Thread.currentThread());
            long end = System.nanoTime() + spinOnRequestNanos;
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
            RuntimeException e = throwOnRequest;
            if (e != null) {
                throw e;
            }
        }

        @Override
        public void afterRelease() {
            Safepoints sp = safepoints;
            boolean unlocked = sp != null && !sp.lock.isHeldByCurrentThread();
            calls.add("after " + states() + (unlocked ? " without the lock" : ""));
            threads.add(Thread.currentThread());
        }

        /** How many watched goroutines are STOPPED (RUNNING or, waiting for the lock, PARKED otherwise). */
        private String states() {
            int stopped = 0;
            for (Goroutine g : watched) {
                stopped += g.mutator().state() == MutatorState.STOPPED ? 1 : 0;
            }
            return stopped + " of " + watched.size() + " stopped";
        }
    }

    private static GoRuntime runtime(StopListener listener) {
        return GoRuntime.builder().heapLimitBytes(256L << 20).scavengeRetainBytes(0).stopListener(listener).build();
    }

    @Test
    void shouldTellTheListenerBeforeAnyGoroutineStopsAndAfterEveryOneIsReleased() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            recorder.safepoints = sp; // before: no lock held; after: under the lock
            assertEquals(List.of(), recorder.calls, "the warm-up stops of create are not told");
            Spinners spinners = new Spinners(rt, 2, s -> {});
            recorder.watched = spinners.goroutines;

            for (int i = 0; i < 3; i++) {
                assertTrue(sp.stopTheWorld(farDeadline()));
                assertEquals(2 * i + 1, recorder.calls.size(), "before, not yet after");
                sp.startTheWorld();
            }

            assertEquals(List.of("before 0 of 2 stopped", "after 0 of 2 stopped",
                    "before 0 of 2 stopped", "after 0 of 2 stopped",
                    "before 0 of 2 stopped", "after 0 of 2 stopped"), recorder.calls);
            for (Thread t : recorder.threads) {
                assertSame(Thread.currentThread(), t, "the operator is told both for a plain stop");
            }
            spinners.finish();
            assertTrue(sp.stopListenerFailure().isEmpty());
        }
    }

    @Test
    void shouldNotCountTheListenersTimeBeforeTheRequestInThePause() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            recorder.spinOnRequestNanos = TimeUnit.MILLISECONDS.toNanos(200); // the world runs meanwhile
            long before = System.nanoTime();
            assertTrue(sp.stopTheWorld(farDeadline()));
            sp.startTheWorld();
            assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(200));
            assertTrue(sp.stats().lastPauseNanos() < TimeUnit.MILLISECONDS.toNanos(200), sp.stats().toString());
        }
    }

    @Test
    void shouldReleaseOnTheGoroutineThatRanTheWorkWhenTheStopIsHandedOff() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            LateGoroutine lateOne = new LateGoroutine(rt); // the last to stop
            Goroutine late = lateOne.goroutine;
            AtomicReference<StopOutcome> outcome = new AtomicReference<>();
            Thread operator = Thread.ofPlatform().start(
                    () -> outcome.set(sp.stopTheWorldAndRun(farDeadline(), () -> true)));
            awaitBlocked(operator);
            lateOne.release();
            operator.join();
            late.join();

            assertEquals(StopOutcome.FINISHED, outcome.get());
            assertEquals(1, sp.stats().stopsRunByGoroutine());
            assertEquals(2, recorder.calls.size(), recorder.calls.toString());
            assertSame(operator, recorder.threads.get(0), "before: the operator");
            assertSame(late.thread(), recorder.threads.get(1), "after: the goroutine that ran the work and released");
        }
    }

    @Test
    void shouldTellTheReleaseOnceWhenAStopMissesItsDeadline() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            LateGoroutine busyOne = new LateGoroutine(rt); // not released until after the stops
            Goroutine busy = busyOne.goroutine;
            Spinners spinner = new Spinners(rt, 1, s -> {});
            recorder.watched = List.of(busy, spinner.goroutines.get(0));

            assertFalse(sp.stopTheWorld(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20)));
            assertEquals(StopOutcome.MISSED_DEADLINE, sp.stopTheWorldAndRun(
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), () -> true));

            assertEquals(List.of("before 0 of 2 stopped", "after 0 of 2 stopped",
                    "before 0 of 2 stopped", "after 0 of 2 stopped"), recorder.calls);
            assertEquals(2, sp.stats().stopTimeouts());
            busyOne.release();
            busy.join();
            spinner.finish();
        }
    }

    @Test
    void shouldGoOnWithTheStopAndKeepTheFirstFailureWhenTheListenerThrows() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            Spinners spinner = new Spinners(rt, 1, s -> {});
            IllegalStateException first = new IllegalStateException("first");
            recorder.throwOnRequest = first;
            assertTrue(sp.stopTheWorld(farDeadline()));
            assertTrue(sp.isWorldStopped());
            sp.startTheWorld();
            recorder.throwOnRequest = new IllegalStateException("second");
            assertTrue(sp.stopTheWorld(farDeadline()));
            sp.startTheWorld();
            recorder.throwOnRequest = null;
            assertTrue(sp.stopTheWorld(farDeadline()));
            sp.startTheWorld();

            assertSame(first, sp.stopListenerFailure().orElseThrow());
            assertEquals(6, recorder.calls.size(), "an after follows each before, even one that threw");
            spinner.awaitProgressPast(spinner.snapshot());
            spinner.finish();
            rt.heap().verify();
        }
    }

    @Test
    void shouldNotTellTheListenerOfAHandshake() throws Exception {
        Recorder recorder = new Recorder();
        try (GoRuntime rt = runtime(recorder)) {
            Safepoints sp = rt.safepoints();
            Spinners spinner = new Spinners(rt, 1, s -> {});
            assertTrue(sp.handshake(g -> {}, farDeadline()));
            spinner.finish();
            assertEquals(List.of(), recorder.calls);
        }
    }

    @Test
    void shouldRefuseANullListener() {
        assertThrows(NullPointerException.class, () -> GoRuntime.builder().stopListener(null));
        assertThrows(NullPointerException.class, () -> Safepoints.create(null));
    }
}
