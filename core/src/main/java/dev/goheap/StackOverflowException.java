package dev.goheap;

/**
 * Thrown when a push (or a stack allocation) would take a goroutine stack past its maximum size
 * ({@code GoRuntime.Builder.maxStackBytes}, 1 GiB by default; Go's "goroutine stack exceeds
 * 1000000000-byte limit"). Not a {@link StackOverflowError}: the Java stack is fine, and the
 * goheap stack is exactly as it was before the push, so popping frames and pushing again works.
 */
public final class StackOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final long limitBytes;
    private final long goroutineId;

    public StackOverflowException(long requestedBytes, long limitBytes, long goroutineId) {
        super("stack of goroutine " + goroutineId + ": " + requestedBytes + " bytes needed (expected: at most "
                + limitBytes + ", the maximum stack size)");
        this.requestedBytes = requestedBytes;
        this.limitBytes = limitBytes;
        this.goroutineId = goroutineId;
    }

    /** Returns the stack size, in bytes, the failed push needed (used bytes plus the new record). */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** Returns the maximum stack size in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Returns the id of the goroutine whose stack overflowed. */
    public long goroutineId() {
        return goroutineId;
    }
}
