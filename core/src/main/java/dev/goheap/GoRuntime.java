package dev.goheap;

import dev.goheap.fixed.FixedSegments;
import dev.goheap.heap.Heap;
import java.util.Objects;

/**
 * The root of a goheap runtime: it owns all off-heap memory and hands out the {@link Heap} and
 * the {@link FixedSegments} (later also goroutines and the collector). {@link #close()} releases
 * every byte.
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
 * <p><b>Thread safety:</b> the runtime and what it hands out may be used from any thread;
 * {@link #close()} requires that no other thread still uses it.
 * <p><b>Ownership:</b> the runtime owns the heap's chunks and the fixed segments' memory; nothing
 * it handed out is usable after {@link #close()} ({@link IllegalStateException}).
 */
public final class GoRuntime implements AutoCloseable {
    /** Default heap limit: 16 GiB of address space mapped at most. */
    public static final long DEFAULT_HEAP_LIMIT_BYTES = 16L << 30;
    /** Default idle bytes kept mapped before fully free chunks go back to the OS: 16 MiB. */
    public static final long DEFAULT_SCAVENGE_RETAIN_BYTES = 16L << 20;

    private final Heap heap;
    private final FixedSegments fixedSegments;
    private volatile boolean closed;

    private GoRuntime(Builder builder) {
        this.heap = Heap.open(builder.heapLimitBytes, builder.scavengeRetainBytes);
        FixedSegments fixed;
        try {
            fixed = builder.fixedSegments.link(heap);
        } catch (RuntimeException | Error e) {
            heap.close();
            throw e;
        }
        this.fixedSegments = fixed;
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

    /** Returns whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases every byte: the fixed segments, then the heap's chunks. Idempotent; requires that
     * no other thread still uses the runtime.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
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

        /** Maps the fixed segments and returns the runtime. */
        public GoRuntime build() {
            return new GoRuntime(this);
        }
    }
}
