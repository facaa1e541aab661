package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.sched.SafepointStats;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.CountDownLatch;

/**
 * What a collector's start runs so that its first pauses do not run cold code (the core warms up
 * the stops that succeed in {@code Safepoints.create}): the classes the pauses load, and one stop
 * that misses its deadline. Measured at start-up, with the JIT busy on both CPUs: a class loaded
 * inside a pause took milliseconds, and the first missed stop of a process recorded 4.6-8.5 ms
 * (docs/measurements.md "Session 8" and "Session 9").
 *
 * <p><b>Thread safety:</b> the thread starting the collector, once.
 */
final class PauseWarmUp {
    /** The warm-up stop's deadline: long enough to park the operator, short enough not to matter. */
    private static final long MISSED_STOP_NANOS = 50_000;

    private PauseWarmUp() {}

    static void run(GoRuntime runtime) {
        preloadPauseClasses();
        missedStop(runtime);
    }

    /** Loads and initialises the classes the first cycle's pauses would load. */
    private static void preloadPauseClasses() {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (Class<?> c : new Class<?>[] {PauseKind.class, GcEvents.Pause.class, GcEvents.Phase.class,
                    GcEvents.Cycle.class, CycleTrace.class, CycleAbandonedException.class}) {
                lookup.ensureInitialized(c);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("gc: preloading " + e.getMessage(), e);
        }
    }

    /**
     * Runs one stop that misses its deadline, against a goroutine of its own that does not poll,
     * then forgets its figures; only on a fresh runtime, with no goroutine registered (it would be
     * stopped too, outside the pause record) and no stop or handshake counted yet (whose figures
     * would be forgotten with the warm-up's). A goroutine started but not yet running is not
     * registered yet: it waits in its registration until the warm-up's release. Cold against
     * warm on an idle machine: the first missed stop released at 1.3 ms, later ones at 0.6-0.8
     * ms (a 0.5 ms deadline).
     */
    private static void missedStop(GoRuntime runtime) {
        Safepoints sp = runtime.safepoints();
        SafepointStats before = sp.stats();
        if (before.mutators() != 0 || before.stops() != 0 || before.stopTimeouts() != 0 || before.handshakes() != 0) {
            return;
        }
        // Latches, not spins: on one carrier a spinning goroutine would starve its caller.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch over = new CountDownLatch(1);
        Goroutine late = runtime.go(() -> {
            inside.countDown(); // registered with the safepoints: its task runs
            awaitUninterruptibly(over); // blocked, not parked: the stop waits for it and misses
        });
        try {
            awaitUninterruptibly(inside);
            sp.stopTheWorldAndRun(System.nanoTime() + MISSED_STOP_NANOS, () -> true);
        } finally {
            over.countDown();
        }
        uninterruptibly(late::join); // it ends at once
        sp.forgetFigures();
    }

    /** A wait that may be interrupted. */
    @FunctionalInterface
    private interface Wait {
        void run() throws InterruptedException;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        uninterruptibly(latch::await);
    }

    /** Runs {@code wait} to its end through interrupts, and keeps the interrupt for the caller. */
    private static void uninterruptibly(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.run();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
