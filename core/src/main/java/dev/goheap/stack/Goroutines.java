package dev.goheap.stack;

import dev.goheap.heap.Heap;
import dev.goheap.sched.Safepoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A runtime's goroutines: starts them on virtual threads, attaches threads, counts them, and
 * makes the runtime's {@code close()} wait for them. {@code GoRuntime} is the usual way to get
 * one: its {@code go}, {@code attach}, {@code stats} and {@code close} delegate here.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. The counts and the state
 * (open, closing, closed) are guarded by {@link #lock}; the stack figures are atomic counters.
 * <p><b>Close:</b> {@link #close} refuses new goroutines, detaches the calling thread if it is
 * attached, ends attached goroutines whose threads died without detaching (their stacks go
 * back), and waits up to the close timeout for the rest to end. If some are still running
 * then, it throws {@link IllegalStateException}, frees nothing and reopens: memory is never freed
 * under a running goroutine (see package-info "Close").
 */
public final class Goroutines {
    static final ThreadLocal<Goroutine> CURRENT = new ThreadLocal<>();

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    /** While close waits, it looks for attached threads that died this often. */
    private static final long REAP_INTERVAL_NANOS = 50_000_000;

    private final Heap heap;
    private final Safepoints safepoints;
    private final long maxStackBytes;
    private final Duration closeTimeout;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allEnded = lock.newCondition();
    private int state = OPEN;  // guarded by lock
    private long nextId = 1;   // guarded by lock
    private long started;      // guarded by lock
    private long running;      // guarded by lock
    private long attached;     // guarded by lock
    private final Set<Goroutine> attachedSet = new HashSet<>(); // guarded by lock

    private final AtomicLong stackBlocks = new AtomicLong();
    private final AtomicLong stackBytes = new AtomicLong();
    private final LongAdder grows = new LongAdder();
    private final LongAdder shrinks = new LongAdder();
    private final LongAdder copiedBytes = new LongAdder();

    private Goroutines(Heap heap, Safepoints safepoints, long maxStackBytes, Duration closeTimeout) {
        this.heap = heap;
        this.safepoints = safepoints;
        this.maxStackBytes = maxStackBytes;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Returns the goroutines of a runtime whose stacks come from {@code heap}, with safepoints of
     * their own ({@link Safepoints#create()}).
     *
     * @throws IllegalArgumentException if {@code maxStackBytes} is not in {@code 2 KiB..2 GiB} or
     *     {@code closeTimeout} is negative
     */
    public static Goroutines open(Heap heap, long maxStackBytes, Duration closeTimeout) {
        return open(heap, Safepoints.create(), maxStackBytes, closeTimeout);
    }

    /**
     * Returns the goroutines of a runtime whose stacks come from {@code heap}, registered with
     * {@code safepoints} (the runtime's).
     *
     * @throws IllegalArgumentException if {@code maxStackBytes} is not in {@code 2 KiB..2 GiB} or
     *     {@code closeTimeout} is negative
     */
    public static Goroutines open(Heap heap, Safepoints safepoints, long maxStackBytes, Duration closeTimeout) {
        Objects.requireNonNull(heap, "heap");
        Objects.requireNonNull(safepoints, "safepoints");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (maxStackBytes < Stack.INITIAL_BYTES || maxStackBytes > Stack.MAX_MAX_BYTES) {
            throw Errors.badSetting("maxStackBytes", maxStackBytes,
                    Stack.INITIAL_BYTES + ".." + Stack.MAX_MAX_BYTES);
        }
        if (closeTimeout.isNegative()) {
            throw Errors.badSetting("closeTimeout", closeTimeout, ">= 0");
        }
        return new Goroutines(heap, safepoints, maxStackBytes, closeTimeout);
    }

    /**
     * Starts {@code task} as a new goroutine on a virtual thread and returns it. Its stack is
     * allocated, 2 KiB, by its first push, on its own thread.
     *
     * <p>Called by a running goroutine, this is a safepoint, as the call to Go's {@code newproc}
     * is (its caller's prologue checks for preemption): a goroutine that starts thousands of
     * others in a loop holds up no stop of the world or handshake (it held one up for 4-12 ms
     * while it started 10 000 before). Like every safepoint but a park, it may shrink the
     * caller's stack at a handshake, so stack addresses held in Java locals are read again after
     * it. Called while parked, or by a thread that is no goroutine, it is none.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public Goroutine go(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!safepoints.isParked()) {
            safepoints.poll(); // the caller, if it is a running goroutine (a volatile read if nothing is pending)
        }
        long id = register("go", false);
        try {
            Body body = new Body(task);
            Thread thread = Thread.ofVirtual().name("goroutine-" + id).unstarted(body);
            Goroutine g = new Goroutine(this, id, thread, false);
            body.goroutine = g; // published to the thread by Thread.start's happens-before edge
            thread.start();
            return g;
        } catch (RuntimeException | Error e) {
            deregister(false);
            throw e;
        }
    }

    /**
     * Makes the calling thread a goroutine, with its own stack, until it calls {@link Goroutine#detach}.
     *
     * @throws IllegalStateException if the thread is already a goroutine (of any runtime), or the
     *     runtime is closing or closed
     */
    public Goroutine attach() {
        Goroutine current = CURRENT.get();
        if (current != null) {
            throw Errors.alreadyGoroutine(current);
        }
        long id = register("attach", true);
        Goroutine g;
        try {
            g = new Goroutine(this, id, Thread.currentThread(), true);
        } catch (RuntimeException | Error e) {
            deregister(true);
            throw e;
        }
        lock.lock();
        try {
            attachedSet.add(g);
        } finally {
            lock.unlock();
        }
        CURRENT.set(g);
        safepoints.register(g.mutator()); // waits here while the world is stopped
        return g;
    }

    /** Returns a snapshot of the goroutine counts and stack figures. */
    public GoroutineStats stats() {
        long s;
        long r;
        long a;
        lock.lock();
        try {
            s = started;
            r = running;
            a = attached;
        } finally {
            lock.unlock();
        }
        return new GoroutineStats(s, r, a, stackBlocks.get(), stackBytes.get(), grows.sum(), shrinks.sum(),
                copiedBytes.sum());
    }

    /**
     * Refuses new goroutines, detaches the calling thread if attached, and waits up to the close
     * timeout for every other goroutine to end. Idempotent once it succeeded.
     *
     * @throws IllegalStateException if goroutines are still running after the timeout (nothing is
     *     freed and the runtime stays open), or if called from a goroutine started by {@code go}
     */
    public void close() {
        Goroutine self = CURRENT.get();
        if (self != null && self.runtime() == this) {
            if (!self.isAttached()) {
                throw Errors.closeFromGoroutine(self);
            }
            self.detach();
        }
        lock.lock();
        try {
            if (state == CLOSED) {
                return;
            }
            state = CLOSING;
            long deadline = System.nanoTime() + closeTimeout.toNanos();
            boolean interrupted = false;
            reapDeadAttachedLocked();
            while (running > 0 && !interrupted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    allEnded.awaitNanos(Math.min(left, REAP_INTERVAL_NANOS));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                reapDeadAttachedLocked();
            }
            if (running > 0) {
                state = OPEN;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw Errors.stillRunning(running, attached, closeTimeout);
            }
            state = CLOSED;
        } finally {
            lock.unlock();
        }
    }

    // --- for goroutines and stacks in this package ---

    Heap heap() {
        return heap;
    }

    /** Returns the safepoints its goroutines register with. */
    public Safepoints safepoints() {
        return safepoints;
    }

    long maxStackBytes() {
        return maxStackBytes;
    }

    /** Ends attached goroutines whose threads died without detaching: they run no more. */
    private void reapDeadAttachedLocked() {
        assert lock.isHeldByCurrentThread() && lock.getHoldCount() == 1;
        List<Goroutine> dead = new ArrayList<>();
        for (Goroutine g : attachedSet) {
            if (!g.thread().isAlive()) {
                dead.add(g);
            }
        }
        if (dead.isEmpty()) {
            return;
        }
        attachedSet.removeAll(dead); // ours to reap: a concurrent close() does not see them
        // Reaped without the lock: deregistering waits while a stop or handshake holds the
        // goroutine, and that operation's action may need this lock (to start a goroutine, say).
        lock.unlock();
        try {
            for (Goroutine g : dead) {
                g.reapDeadAttached(); // ended() takes the lock
            }
            heap.reapThreadCaches();
        } finally {
            lock.lock();
        }
    }

    private long register(String operation, boolean attach) {
        lock.lock();
        try {
            if (state != OPEN) {
                throw Errors.runtimeClosing(operation);
            }
            started++;
            running++;
            if (attach) {
                attached++;
            }
            return nextId++;
        } finally {
            lock.unlock();
        }
    }

    private void deregister(boolean attach) {
        lock.lock();
        try {
            running--;
            if (attach) {
                attached--;
            }
            if (running == 0) {
                allEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void ended(Goroutine g) {
        if (g.isAttached()) {
            lock.lock();
            try {
                attachedSet.remove(g);
            } finally {
                lock.unlock();
            }
        }
        deregister(g.isAttached());
    }

    void stackAllocated(long bytes) {
        stackBlocks.incrementAndGet();
        stackBytes.addAndGet(bytes);
    }

    void stackFreed(long bytes) {
        stackBlocks.decrementAndGet();
        stackBytes.addAndGet(-bytes);
    }

    void stackGrew() {
        grows.increment();
    }

    void stackShrank() {
        shrinks.increment();
    }

    void stackCopied(long bytes) {
        copiedBytes.add(bytes);
    }

    /** A goroutine's runnable: set up before its thread starts. */
    private static final class Body implements Runnable {
        private final Runnable task;
        private Goroutine goroutine; // written before Thread.start

        Body(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            goroutine.run(task);
        }
    }

    @Override
    public String toString() {
        return "goroutines[" + stats() + "]";
    }
}
