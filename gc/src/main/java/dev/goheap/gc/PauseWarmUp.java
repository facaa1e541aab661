package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.sched.SafepointStats;
import dev.goheap.sched.Safepoints;
import dev.goheap.sched.StopOutcome;
import dev.goheap.stack.Goroutine;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a collector's start runs so that its first pauses do not run cold code (the core warms up
 * the stops that succeed in {@code Safepoints.create}): the classes the pauses load, one stop
 * that misses its deadline, and {@value #STOPS} handed-off stops. Measured at start-up, with the
 * JIT busy on both CPUs: a class loaded inside a pause took milliseconds, and the first missed
 * stop of a process recorded 4.6-8.5 ms (docs/measurements.md "Session 8" and "Session 9").
 *
 * <p>Why the stops: each method of a stop's path runs once or twice per stop, about 150 times in
 * a whole depth-21 demo run, so without them the path stays interpreted for most of a run, and
 * both goroutines of a stop run it in turn (session 22, alternating pairs: median mark-start
 * pause 69-78 µs, p50 of all pauses 83-116 µs; with the warm-up 54-58 and 58-75 µs; the longest
 * pause within 1 ms in 8 of 12 runs against 2 of 12). The cost: about 86 ms at a JVM's first
 * collector start, 24-33 ms later.
 *
 * <p><b>Thread safety:</b> the thread starting the collector, once.
 */
final class PauseWarmUp {
    /** The warm-up stop's deadline: long enough to park the operator, short enough not to matter. */
    private static final long MISSED_STOP_NANOS = 50_000;
    /**
     * Handed-off stops of the warm-up: past C1's thresholds for the stop path's methods (a few
     * hundred calls), short of C2's (thousands), so the run starts with their profiled C1 code,
     * which compiles every branch and so never falls back for a path the warm-up did not take.
     */
    static final int STOPS = 1000;
    /** Each warm-up stop's deadline: generous, since a stop that misses it only ends the warm-up early. */
    private static final long STOP_NANOS = 50_000_000;

    private PauseWarmUp() {}

    static void run(GoRuntime runtime) {
        preloadPauseClasses();
        if (missedStop(runtime)) {
            handedOffStops(runtime);
        }
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
     * ms (a 0.5 ms deadline). Returns whether it ran (the runtime was fresh).
     */
    private static boolean missedStop(GoRuntime runtime) {
        Safepoints sp = runtime.safepoints();
        SafepointStats before = sp.stats();
        if (before.mutators() != 0 || before.stops() != 0 || before.stopTimeouts() != 0 || before.handshakes() != 0) {
            return false;
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
        return true;
    }

    /**
     * Runs {@value #STOPS} stops with posted work against a goroutine of its own that polls (each
     * stop's work handed off to it, as in a cycle's pauses, both sides of the path run), then
     * forgets their figures; after {@link #missedStop}, on the fresh runtime it checked. The
     * goroutine yields between polls, so that a caller on a virtual thread of the same single
     * carrier still runs. A stop that misses its generous deadline ends the warm-up: the machine
     * is too loaded for it to help.
     */
    private static void handedOffStops(GoRuntime runtime) {
        Safepoints sp = runtime.safepoints();
        AtomicBoolean done = new AtomicBoolean();
        Goroutine poller = runtime.go(() -> {
            while (!done.get()) {
                sp.poll();
                Thread.yield();
            }
        });
        try {
            for (int i = 0; i < STOPS; i++) {
                if (sp.stopTheWorldAndRun(System.nanoTime() + STOP_NANOS, () -> true) == StopOutcome.MISSED_DEADLINE) {
                    break;
                }
            }
        } finally {
            done.set(true);
        }
        uninterruptibly(poller::join);
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
