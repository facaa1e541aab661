package dev.goheap.stack;

import dev.goheap.sched.BlockingCall;
import dev.goheap.sched.Mutator;
import dev.goheap.sched.MutatorAction;
import dev.goheap.sched.MutatorState;
import dev.goheap.sched.Safepoints;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A goroutine: a virtual thread started by {@code GoRuntime.go(task)}, or a thread attached with
 * {@code GoRuntime.attach()}, with its own {@link Stack} (DESIGN decision 4).
 *
 * <pre>{@code
 * Goroutine g = rt.go(() -> {
 *     Stack stack = Goroutine.current().stack();
 *     long f = stack.push(FRAME);
 *     ...
 *     stack.pop(f);
 * });
 * g.join();                          // everything g wrote is visible here
 * }</pre>
 *
 * <p><b>Thread safety:</b> {@link #join}, {@link #id}, {@link #isAlive}, {@link #thread} and
 * {@link #mutator} from any thread; {@link #stack} and {@link #detach} from the goroutine's own
 * thread only; {@link #forEachStackPointerSlot} also from the thread that holds it at a stop or
 * handshake.
 * <p><b>Safepoints:</b> the goroutine is registered with its runtime's {@link Safepoints} before
 * its task runs (or when the thread attaches), and deregistered when it ends or detaches, before
 * its stack is freed. It reaches a safepoint at every push, pop and heap allocation; around a
 * call that blocks outside goheap it parks ({@code rt.safepoints().parked(queue::take)}), see
 * {@link dev.goheap.sched}.
 * <p><b>Ownership:</b> the goroutine owns its stack. When its task returns (or throws), or when an
 * attached thread detaches, it frees the stack, flushes its thread's heap cache and only then
 * counts as ended: {@link #join} returning, like {@code close()} of the runtime, happens after
 * all of that and after everything the goroutine did.
 */
public final class Goroutine {
    private final Goroutines runtime;
    private final long id;
    private final Thread thread;
    private final boolean attached;
    private final Stack stack;
    private final Mutator mutator;
    private final CountDownLatch done = new CountDownLatch(1);
    private Throwable failure; // written by the goroutine before done.countDown(), read after await

    Goroutine(Goroutines runtime, long id, Thread thread, boolean attached) {
        this.runtime = runtime;
        this.id = id;
        this.thread = thread;
        this.attached = attached;
        this.stack = new Stack(runtime, id, thread);
        this.mutator = runtime.safepoints().newMutator(this); // keeps the reference only
    }

    /**
     * Returns the goroutine running on the calling thread.
     *
     * @throws IllegalStateException if the calling thread is no goroutine (not started by
     *     {@code go}, not attached)
     */
    public static Goroutine current() {
        Goroutine g = Goroutines.CURRENT.get();
        if (g == null) {
            throw Errors.noGoroutine();
        }
        return g;
    }

    /** Returns the goroutine running on the calling thread, or null if it is no goroutine. */
    public static Goroutine currentOrNull() {
        return Goroutines.CURRENT.get();
    }

    /** Returns the goroutine's id, unique in its runtime, from 1. */
    public long id() {
        return id;
    }

    /** Returns the goroutine's thread: a virtual thread, or the attached thread. */
    public Thread thread() {
        return thread;
    }

    /** Returns whether this goroutine is an attached thread rather than one started by {@code go}. */
    public boolean isAttached() {
        return attached;
    }

    /** Returns whether the goroutine has not ended (or detached) yet. */
    public boolean isAlive() {
        return done.getCount() != 0;
    }

    /**
     * Returns the goroutine's stack.
     *
     * @throws WrongThreadException if called from another thread
     * @throws IllegalStateException if the goroutine has ended or detached
     */
    public Stack stack() {
        stack.checkOwner();
        return stack;
    }

    /** Returns the goroutine's safepoint record: its state (running, parked, stopped ...). */
    public Mutator mutator() {
        return mutator;
    }

    /**
     * Calls {@code visitor} for every pointer slot of every live frame and stack object of this
     * goroutine's stack, bottom up (the collector's stack roots; {@link Stack#forEachPointerSlot}).
     * Callable from the goroutine's own thread, as in a {@link MutatorAction} run at its
     * safepoint, or from the thread that holds it parked or stopped ({@link
     * Mutator#isHeldByCurrentThread()}: the stop's or handshake's caller), while it cannot run.
     * Allocates nothing.
     *
     * @throws WrongThreadException if called from any other thread
     * @throws IllegalStateException if the goroutine has ended or detached
     */
    public void forEachStackPointerSlot(PointerSlotVisitor visitor) {
        if (Thread.currentThread() == thread) {
            stack.forEachPointerSlot(visitor);
        } else if (mutator.isHeldByCurrentThread()) {
            stack.forEachPointerSlotHeld(visitor);
        } else if (mutator.state() == MutatorState.DEREGISTERED) {
            throw Errors.notOwner(stack, null); // ended or detached: its stack is gone
        } else {
            throw Errors.notHolder(this);
        }
    }

    /**
     * Shrinks the stack ({@link Stack#shrink}) if called on the goroutine's own thread, as the
     * collector's handshake action does at the goroutine's safepoint; returns whether it moved.
     * On another thread (a holder of a parked or stopped goroutine) it does nothing and returns
     * false: a parked goroutine's stack never moves, as its owner may keep stack addresses in
     * Java locals across the park. Also false inside a grow (a safepoint reached by the grow's
     * own allocation).
     *
     * @throws IllegalStateException if the goroutine has ended or detached
     */
    public boolean shrinkStackIfOwner() {
        if (Thread.currentThread() != thread) {
            return false;
        }
        return stack.shrinkAtSafepoint();
    }

    /**
     * Waits until the goroutine has ended (or detached). Everything it did happens-before the return.
     * A goroutine that joins is parked while it waits ({@link Safepoints#parked}): it holds up
     * no stop or handshake.
     *
     * @throws CompletionException if its task threw; the cause is what it threw
     * @throws IllegalStateException if a goroutine tries to join itself
     */
    public void join() throws InterruptedException {
        checkNotSelf();
        awaitParked(0);
        rethrowFailure();
    }

    /**
     * Waits at most {@code timeout} for the goroutine to end; returns whether it did. A goroutine
     * that joins is parked while it waits.
     *
     * @throws CompletionException if it ended and its task threw
     */
    public boolean join(Duration timeout) throws InterruptedException {
        checkNotSelf();
        if (!awaitParked(Math.max(1, timeout.toNanos()))) {
            return false;
        }
        rethrowFailure();
        return true;
    }

    /** Awaits {@code done} (for ever if {@code nanos == 0}), parking the calling goroutine if it is one. */
    private boolean awaitParked(long nanos) throws InterruptedException {
        BlockingCall<Boolean, InterruptedException> await = () -> {
            if (nanos == 0) {
                done.await();
                return true;
            }
            return done.await(nanos, TimeUnit.NANOSECONDS);
        };
        Goroutine self = Goroutines.CURRENT.get();
        return self == null ? await.call() : self.runtime.safepoints().parked(await);
    }

    /**
     * Detaches the calling thread, which was attached with {@code GoRuntime.attach()}: frees its
     * stack, flushes its heap cache and ends the goroutine. The thread may attach again later.
     *
     * @throws IllegalStateException if this goroutine was started by {@code go}, or has detached
     * @throws WrongThreadException if called from another thread
     */
    public void detach() {
        if (!attached) {
            throw Errors.notAttached(this);
        }
        stack.checkOwner();
        end();
    }

    @Override
    public String toString() {
        return "goroutine " + id + (attached ? " (attached " + thread.getName() + ")" : "")
                + (isAlive() ? "" : " ended");
    }

    // --- lifecycle, package-private for Goroutines ---

    Goroutines runtime() {
        return runtime;
    }

    /** The body of a goroutine started by {@code go}, on its own virtual thread. */
    void run(Runnable task) {
        Goroutines.CURRENT.set(this);
        try {
            runtime.safepoints().register(mutator); // waits here while the world is stopped
            task.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            end();
        }
    }

    /**
     * Deregisters the goroutine from its safepoints, frees the stack, flushes the heap cache, and
     * counts the goroutine as ended, in that order.
     */
    private void end() {
        try {
            runtime.safepoints().deregister(mutator); // waits while a stop or handshake holds it
            stack.release();
        } catch (RuntimeException | Error e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        } finally {
            try {
                runtime.heap().releaseThreadCache();
            } catch (IllegalStateException heapClosed) {
                // only if someone closed the heap directly, bypassing the runtime's close
            } finally {
                Goroutines.CURRENT.remove();
                runtime.ended(this);
                done.countDown();
            }
        }
    }

    /**
     * Ends an attached goroutine whose thread died without detaching, from another thread (the
     * runtime's close): its stack blocks go back, its heap cache is left to the heap's reaper.
     * {@code thread.isAlive() == false} orders everything the thread did before this.
     */
    void reapDeadAttached() {
        assert attached && !thread.isAlive();
        try {
            runtime.safepoints().deregisterDead(mutator);
            stack.release();
        } finally {
            runtime.ended(this);
            done.countDown();
        }
    }

    private void checkNotSelf() {
        if (Thread.currentThread() == thread && isAlive()) {
            throw new IllegalStateException("join: goroutine " + id + " joins itself (expected: another goroutine)");
        }
    }

    private void rethrowFailure() {
        Throwable f = failure;
        if (f != null) {
            throw new CompletionException("goroutine " + id + " failed: " + f, f);
        }
    }
}
