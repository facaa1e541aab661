package dev.goheap;

import dev.goheap.fixed.FixedSegments;
import dev.goheap.heap.Heap;
import dev.goheap.sched.Safepoints;
import dev.goheap.sched.StopListener;
import dev.goheap.stack.Goroutine;
import dev.goheap.stack.Goroutines;
import dev.goheap.stack.Stack;
import java.time.Duration;
import java.util.Objects;

/**
 * The root of a goheap runtime: it owns all off-heap memory and hands out the {@link Heap}, the
 * {@link FixedSegments}, goroutines with their stacks ({@link #go}, {@link #attach}) and their
 * {@link Safepoints} (stops of the world and handshakes, for the collector). {@link #close()}
 * waits for the goroutines, then releases every byte.
 *
 * <pre>{@code
 * try (GoRuntime rt = GoRuntime.builder()
 *         .heapLimitBytes(1L << 30)
 *         .fixedSegments(FixedSegments.builder()
 *                 .rodata("greeting", "hello".getBytes(UTF_8))
 *                 .data("roots", ROOTS))
 *         .build()) {
 *     long p = rt.heap().allocate(64);
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> the runtime and what it hands out may be used from any thread (a
 * stack only from its goroutine); {@link #close()} waits for goroutines, and requires that no
 * other thread that is not a goroutine still uses the runtime.
 * <p><b>Ownership:</b> the runtime owns the heap's chunks and the fixed segments' memory; nothing
 * it handed out is usable after {@link #close()} ({@link IllegalStateException}).
 */
public final class GoRuntime implements AutoCloseable {
    /** Default heap limit: 16 GiB of address space mapped at most. */
    public static final long DEFAULT_HEAP_LIMIT_BYTES = 16L << 30;
    /** Default idle bytes kept mapped before fully free chunks go back to the OS: 16 MiB. */
    public static final long DEFAULT_SCAVENGE_RETAIN_BYTES = 16L << 20;
    /** Default maximum size of a goroutine stack: 1 GiB, as in Go. */
    public static final long DEFAULT_MAX_STACK_BYTES = Stack.DEFAULT_MAX_BYTES;
    /** Default time {@link #close()} waits for running goroutines: 10 s. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Safepoints safepoints;
    private final Heap heap;
    private final FixedSegments fixedSegments;
    private final Goroutines goroutines;
    private volatile boolean closed;

    private GoRuntime(Builder builder) {
        this.safepoints = builder.stopListener != null ? Safepoints.create(builder.stopListener) : Safepoints.create();
        this.heap = Heap.open(builder.heapLimitBytes, builder.scavengeRetainBytes);
        FixedSegments fixed;
        try {
            fixed = builder.fixedSegments.link(heap);
        } catch (RuntimeException | Error e) {
            heap.close();
            throw e;
        }
        this.fixedSegments = fixed;
        this.goroutines = Goroutines.open(heap, safepoints, builder.maxStackBytes, builder.closeTimeout);
    }

    /** Returns a builder with the defaults: a 16 GiB heap limit and no fixed symbols. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the heap.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public Heap heap() {
        checkOpen();
        return heap;
    }

    /**
     * Returns the fixed segments laid out when the runtime was built (empty if none were given).
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public FixedSegments fixedSegments() {
        checkOpen();
        return fixedSegments;
    }

    /**
     * Returns the runtime's safepoints: the goroutines' {@link Safepoints#poll() poll}, {@link
     * Safepoints#parked parking} around blocking calls, and the collector's {@link
     * Safepoints#stopTheWorld stops} and {@link Safepoints#handshake handshakes}. Every goroutine
     * of this runtime is registered there while it runs.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public Safepoints safepoints() {
        checkOpen();
        return safepoints;
    }

    /**
     * An explicit safepoint for the calling goroutine ({@link Safepoints#poll()}): for loops that
     * run long without allocating, pushing or popping. One volatile read when nothing is
     * pending; nothing at all happens on a thread that is no goroutine of this runtime (nor
     * after {@link #close()}, when none is left).
     */
    public void poll() {
        safepoints.poll();
    }

    /**
     * Starts {@code task} as a goroutine on a new virtual thread, with its own stack
     * ({@link Goroutine#current()} inside), and returns it for {@link Goroutine#join}.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public Goroutine go(Runnable task) {
        checkOpen();
        return goroutines.go(task);
    }

    /**
     * Makes the calling thread a goroutine with its own stack until {@link Goroutine#detach}.
     *
     * @throws IllegalStateException if the thread already is a goroutine, or the runtime is
     *     closing or closed
     */
    public Goroutine attach() {
        checkOpen();
        return goroutines.attach();
    }

    /**
     * Returns a snapshot of the runtime's figures: the heap's, the goroutines' and their stacks',
     * and the count of refused pointer escapes.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public RuntimeStats stats() {
        checkOpen();
        return new RuntimeStats(heap.stats(), goroutines.stats(), heap.pointerEscapeCount());
    }

    /** Returns whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Waits for the goroutines, then releases every byte: the fixed segments, then the heap's
     * chunks. New goroutines are refused from the start; a calling thread that is attached is
     * detached first; the others get up to the close timeout to end (and attached threads to
     * detach). Idempotent; requires that no thread other than goroutines still uses the runtime.
     *
     * @throws IllegalStateException if goroutines are still running after the close timeout, or
     *     if called from a goroutine started by {@link #go}: nothing is freed then, and the
     *     runtime stays open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        goroutines.close();
        closed = true;
        try {
            fixedSegments.close();
        } finally {
            heap.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("runtime: closed (expected: a runtime that is open)");
        }
    }

    /** Collects a runtime's settings; {@link #build()} maps nothing until it is called. */
    public static final class Builder {
        private long heapLimitBytes = DEFAULT_HEAP_LIMIT_BYTES;
        private long scavengeRetainBytes = DEFAULT_SCAVENGE_RETAIN_BYTES;
        private FixedSegments.Builder fixedSegments = FixedSegments.builder();
        private long maxStackBytes = DEFAULT_MAX_STACK_BYTES;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private StopListener stopListener;

        private Builder() {}

        /**
         * Sets the most the heap may map from the OS.
         *
         * @throws IllegalArgumentException if {@code bytes <= 0}
         */
        public Builder heapLimitBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("heapLimitBytes: " + bytes + " (expected: > 0)");
            }
            this.heapLimitBytes = bytes;
            return this;
        }

        /**
         * Sets how many idle bytes stay mapped before fully free chunks go back to the OS.
         *
         * @throws IllegalArgumentException if {@code bytes < 0}
         */
        public Builder scavengeRetainBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("scavengeRetainBytes: " + bytes + " (expected: >= 0)");
            }
            this.scavengeRetainBytes = bytes;
            return this;
        }

        /** Sets the rodata and data symbols to lay out when the runtime is built. */
        public Builder fixedSegments(FixedSegments.Builder symbols) {
            this.fixedSegments = Objects.requireNonNull(symbols, "symbols");
            return this;
        }

        /**
         * Sets the most bytes a goroutine stack may grow to; a push beyond it throws {@link
         * StackOverflowException}.
         *
         * @throws IllegalArgumentException if {@code bytes} is not in {@code 2 KiB..2 GiB}
         */
        public Builder maxStackBytes(long bytes) {
            if (bytes < Stack.INITIAL_BYTES || bytes > Stack.MAX_MAX_BYTES) {
                throw new IllegalArgumentException("maxStackBytes: " + bytes + " (expected: "
                        + Stack.INITIAL_BYTES + ".." + Stack.MAX_MAX_BYTES + ")");
            }
            this.maxStackBytes = bytes;
            return this;
        }

        /**
         * Sets how long {@link #close()} waits for running goroutines before it fails.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder closeTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
                throw new IllegalArgumentException("closeTimeout: " + timeout + " (expected: >= 0)");
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Sets a listener told just before every stop of the world and after its release (none
         * by default): for scheduling the machine around the pauses, such as running the threads
         * a stop waits for at real-time priority meanwhile. See {@link StopListener}.
         */
        public Builder stopListener(StopListener listener) {
            this.stopListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Maps the fixed segments and returns the runtime. */
        public GoRuntime build() {
            return new GoRuntime(this);
        }
    }
}
