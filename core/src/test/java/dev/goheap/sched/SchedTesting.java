package dev.goheap.sched;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.goheap.GoRuntime;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Stack;
import dev.goheap.type.FrameType;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Types and waits shared by the sched tests. Waits are for conditions (latches, states), never
 * for time; each gives up after {@link #HANG_GUARD_NANOS} so that a bug fails the test instead
 * of hanging the build.
 */
final class SchedTesting {
    /** A frame: a long and two pointer slots. */
    static final FrameType FRAME = FrameType.of("schedFrame", MemoryLayout.structLayout(
            JAVA_LONG.withName("value"), JAVA_LONG.withName("ref"), JAVA_LONG.withName("link")), "ref", "link");
    static final long VALUE = FRAME.offsetOf("value");
    static final long REF = FRAME.offsetOf("ref");
    static final long LINK = FRAME.offsetOf("link");
    static final ObjectType NODE = ObjectType.of("SchedNode",
            MemoryLayout.structLayout(JAVA_LONG.withName("value"), JAVA_LONG.withName("next")), "next");

    /** A wait that takes this long means a hang: 30 s. */
    static final long HANG_GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    private SchedTesting() {}

    static GoRuntime runtime() {
        return GoRuntime.builder().heapLimitBytes(256L << 20).scavengeRetainBytes(0).build();
    }

    /** A deadline that is never reached unless something hangs. */
    static long farDeadline() {
        return System.nanoTime() + HANG_GUARD_NANOS;
    }

    static void awaitTrue(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + HANG_GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static void awaitState(Goroutine g, MutatorState state) {
        awaitTrue(g + " " + state + " (is " + g.mutator().state() + ")", () -> g.mutator().state() == state);
    }

    /** Waits until {@code t} is blocked (parked in a wait of any kind). */
    static void awaitBlocked(Thread t) {
        awaitTrue(t + " blocked", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** Awaits {@code latch} without parking (the goroutine stays RUNNING: it stops no stop's wait). */
    static void awaitUnparked(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A goroutine that blocks without parking (it breaks the contract on purpose) until {@link
     * #release}, then polls once: the last to stop, it runs the work there.
     */
    static final class LateGoroutine {
        final CountDownLatch out = new CountDownLatch(1);
        final AtomicInteger after = new AtomicInteger();
        final Goroutine goroutine;

        LateGoroutine(GoRuntime rt) throws InterruptedException {
            CountDownLatch in = new CountDownLatch(1);
            goroutine = rt.go(() -> {
                in.countDown();
                awaitUnparked(out);
                rt.safepoints().poll();
                after.incrementAndGet();
            });
            in.await();
        }

        void release() {
            out.countDown();
        }
    }

    /**
     * Goroutines that spin on safepoints: attached platform threads, which the OS preempts (a
     * virtual thread that spins would keep its carrier from the other virtual threads). Each
     * runs {@code setup} on its stack, then loops: progress, then a safepoint (a poll; or, with
     * {@code pushPop}, a push and pop on even indexes and a poll on odd ones), until {@link #finish()}.
     */
    static final class Spinners {
        final List<Goroutine> goroutines = new CopyOnWriteArrayList<>();
        final AtomicLongArray progress;
        private final AtomicBoolean quit = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();

        Spinners(GoRuntime rt, int count, Consumer<Stack> setup) throws InterruptedException {
            this(rt, count, setup, false);
        }

        Spinners(GoRuntime rt, int count, Consumer<Stack> setup, boolean pushPop) throws InterruptedException {
            progress = new AtomicLongArray(count);
            CountDownLatch ready = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                int k = i;
                threads.add(Thread.ofPlatform().name("spinner-" + k).start(() -> {
                    Goroutine g = rt.attach();
                    try {
                        Stack s = g.stack();
                        setup.accept(s);
                        goroutines.add(g);
                        ready.countDown();
                        while (!quit.get()) {
                            progress.incrementAndGet(k);
                            if (pushPop && k % 2 == 0) {
                                s.pop(s.push(FRAME));
                            } else {
                                rt.poll();
                            }
                            Thread.onSpinWait();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                        ready.countDown();
                    } finally {
                        g.detach();
                    }
                }));
            }
            ready.await();
            check();
        }

        long total() {
            long sum = 0;
            for (int i = 0; i < progress.length(); i++) {
                sum += progress.get(i);
            }
            return sum;
        }

        /** Waits until every spinner has made progress past {@code before} (its values by index). */
        void awaitProgressPast(long[] before) {
            for (int i = 0; i < before.length; i++) {
                int k = i;
                awaitTrue("progress of spinner " + k, () -> progress.get(k) > before[k]);
            }
        }

        long[] snapshot() {
            long[] copy = new long[progress.length()];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = progress.get(i);
            }
            return copy;
        }

        void finish() throws InterruptedException {
            quit.set(true);
            for (Thread t : threads) {
                t.join();
            }
            check();
        }

        private void check() {
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("a spinner failed: " + failures.get(0), failures.get(0));
                throw e;
            }
        }
    }
}
