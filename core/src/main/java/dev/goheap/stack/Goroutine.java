package dev.goheap.stack;

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
 * <p><b>Thread safety:</b> {@link #join}, {@link #id}, {@link #isAlive} and {@link #thread} from
 * any thread; {@link #stack} and {@link #detach} from the goroutine's own thread only.
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
    private final CountDownLatch done = new CountDownLatch(1);
    private Throwable failure; // written by the goroutine before done.countDown(), read after await

    Goroutine(Goroutines runtime, long id, Thread thread, boolean attached) {
        this.runtime = runtime;
        this.id = id;
        this.thread = thread;
        this.attached = attached;
        this.stack = new Stack(runtime, id, thread);
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

    /**
     * Waits until the goroutine has ended (or detached). Everything it did happens-before the return.
     *
     * @throws CompletionException if its task threw; the cause is what it threw
     * @throws IllegalStateException if a goroutine tries to join itself
     */
    public void join() throws InterruptedException {
        checkNotSelf();
        done.await();
        rethrowFailure();
    }

    /**
     * Waits at most {@code timeout} for the goroutine to end; returns whether it did.
     *
     * @throws CompletionException if it ended and its task threw
     */
    public boolean join(Duration timeout) throws InterruptedException {
        checkNotSelf();
        if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        rethrowFailure();
        return true;
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
            task.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            end();
        }
    }

    /** Frees the stack, flushes the heap cache, and counts the goroutine as ended, in that order. */
    private void end() {
        try {
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
