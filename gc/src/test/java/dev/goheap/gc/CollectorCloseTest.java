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
            CountDownLatch scannedItself = new CountDownLatch(1);
            Goroutine stubborn = rt.go(() -> {
                // Polls until it has scanned its own stack at a cycle's stack-scan handshake (the
                // only handshake of a cycle, inside its marking phase; counted before the poll
                // returns), then never polls again: that cycle cannot reach mark termination. A
                // cycle may scan this goroutine's stack itself while the goroutine is still held
                // from the mark-start stop (on a loaded machine) and then finish: the forcer
                // below starts cycles until one meets the goroutine at its poll.
                long ownScans = rt.safepoints().stats().actionsByOwner();
                while (rt.safepoints().stats().actionsByOwner() == ownScans) {
                    rt.poll();
                }
                scannedItself.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
            });
            AtomicReference<Throwable> forced = new AtomicReference<>();
            Thread forcer = forceInBackground(gc, forced, () -> scannedItself.getCount() == 0);
            try {
                assertTrue(scannedItself.await(30, TimeUnit.SECONDS), "the goroutine never scanned its own stack");

                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> gc.close(Duration.ofMillis(200)));

                assertTrue(e.getMessage().contains("mark termination") && e.getMessage().contains("marking phase"),
                        e.getMessage());
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
