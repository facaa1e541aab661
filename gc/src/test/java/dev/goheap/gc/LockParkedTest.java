package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.sched.MutatorState;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link GcHooks#lockParked} ({@link MutatorHooks}): a goroutine that waits for a contended heap
 * lock at an allocation's safepoint waits parked, so that a stop completes without it, and it
 * never holds the lock while the world is stopped.
 */
class LockParkedTest {
    private static final long HANG_GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void shouldWaitForALockParkedAndNotHoldItWhileTheWorldIsStopped() throws Exception {
        try (GoRuntime rt = CollectorTest.runtime(64L << 20); Collector gc = Collector.start(rt, GcConfig.defaults())) {
            GcHooks hooks = gc.hooks();
            Safepoints sp = rt.safepoints();
            ReentrantLock lock = new ReentrantLock();
            AtomicReference<Boolean> waited = new AtomicReference<>();
            AtomicBoolean heldRunning = new AtomicBoolean();
            Goroutine g;
            lock.lock();
            try {
                g = rt.go(() -> {
                    boolean w = hooks.lockParked(lock);
                    try {
                        heldRunning.set(lock.isHeldByCurrentThread() && !sp.isParked());
                    } finally {
                        lock.unlock();
                    }
                    waited.set(w);
                });
                awaitTrue("parked in the lock's queue", () -> g.mutator().state() == MutatorState.PARKED && lock.hasQueuedThreads());
                assertTrue(sp.stopTheWorld(System.nanoTime() + HANG_GUARD_NANOS), "no stop waits for it");
            } finally {
                lock.unlock(); // while the world is stopped: the goroutine takes it, and must let it go
            }
            try {
                awaitTrue("the lock let go while stopped", () -> !lock.isLocked() && !lock.hasQueuedThreads());
                assertEquals(MutatorState.PARKED, g.mutator().state(), "it waits for the release parked");
                assertTrue(lock.tryLock(), "the lock is free while the world is stopped");
                lock.unlock();
            } finally {
                sp.startTheWorld();
            }
            g.join();
            assertTrue(waited.get(), "it says it waited: what it read before may be stale");
            assertTrue(heldRunning.get(), "it returns running, with the lock held");
            assertFalse(hooks.lockParked(lock), "not a goroutine: it takes the lock as it is");
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + HANG_GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            Thread.yield();
        }
    }
}
