package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseSnapshot;
import dev.goheap.stack.Goroutine;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Collector#close(Duration)} is bounded even when a goroutine breaks the safepoint
 * contract: before marking starts it gives the cycle up with a warning, after it throws.
 */
class CollectorCloseTest {
    private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void shouldGiveUpACycleThatCannotStartWhenAGoroutineNeverPollsAndCloseTimesOut() throws Exception {
        try (GoRuntime rt = CollectorTest.runtime(64L << 20)) {
            Collector gc = Collector.start(rt, GcConfig.builder().build());
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(1);
            Goroutine stubborn = rt.go(() -> { // neither polls nor parks: breaks the contract on purpose
                started.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
            });
            started.await();
            AtomicReference<Throwable> forced = new AtomicReference<>();
            Thread forcer = forceInBackground(gc, forced, () -> true);
            awaitTrue("an aborted mark-start stop", () -> has(gc.pauses().snapshot(), PauseKind.ABORTED_STOP));

            long t0 = System.nanoTime();
            gc.close(Duration.ofMillis(200)); // not marking yet: said in a warning, no exception
            long took = System.nanoTime() - t0;

            assertTrue(took < TimeUnit.SECONDS.toNanos(5), "close took " + took / 1e6 + " ms");
            forcer.join();
            assertInstanceOf(IllegalStateException.class, forced.get(), String.valueOf(forced.get()));
            assertFalse(has(gc.pauses().snapshot(), PauseKind.MARK_START), "the cycle never started");
            assertThrows(IllegalStateException.class, gc::gc);
            release.set(true);
            stubborn.join();
            rt.heap().verify();
        }
    }

    @Test
    void shouldThrowWhenACycleIsGivenUpInItsMarkingPhase() throws Exception {
        try (GoRuntime rt = CollectorTest.runtime(64L << 20)) {
            Collector gc = Collector.start(rt, GcConfig.builder().build());
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch stuckInMarking = new CountDownLatch(1);
            Goroutine stubborn = rt.go(() -> {
                // Polls until it sees, between two polls, that a cycle is marking; then never
                // polls again: that cycle cannot reach mark termination (its stack-scan
                // handshake or its termination stop waits for this goroutine). A cycle may run
                // whole while the goroutine is held in one poll (a stop, the handshake, the next
                // stop): the forcer below starts cycles until one is seen marking.
                do {
                    rt.poll();
                } while (!gc.isMarking());
                stuckInMarking.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
            });
            AtomicReference<Throwable> forced = new AtomicReference<>();
            Thread forcer = forceInBackground(gc, forced, () -> stuckInMarking.getCount() == 0);
            try {
                assertTrue(stuckInMarking.await(30, TimeUnit.SECONDS), "the goroutine never saw a cycle marking");

                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> gc.close(Duration.ofMillis(200)));

                assertTrue(e.getMessage().contains("marking phase"), e.getMessage());
                forcer.join();
                assertInstanceOf(IllegalStateException.class, forced.get(), String.valueOf(forced.get()));
                gc.close(); // idempotent: said once
            } finally {
                release.set(true);
                stubborn.join();
            }
        }
    }

    /**
     * Runs {@code gc.gc()} on a platform thread of its own, again and again until {@code done};
     * what it throws ends it and goes to {@code thrown}.
     */
    private static Thread forceInBackground(Collector gc, AtomicReference<Throwable> thrown, BooleanSupplier done) {
        return Thread.ofPlatform().start(() -> {
            try {
                do {
                    gc.gc();
                } while (!done.getAsBoolean());
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
    }

    private static boolean has(PauseSnapshot pauses, PauseKind kind) {
        for (int i = 0; i < pauses.size(); i++) {
            if (pauses.kind(i) == kind) {
                return true;
            }
        }
        return false;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            Thread.sleep(1);
        }
    }
}
