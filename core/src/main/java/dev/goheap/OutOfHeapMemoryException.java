package dev.goheap;

/**
 * Thrown when the heap cannot grow to serve a request without passing its limit (and, once a
 * collector runs, after a forced collection freed too little). Not a {@link OutOfMemoryError}:
 * the Java heap is fine, and the goheap heap stays consistent and usable; freeing memory makes
 * the same request succeed.
 */
public final class OutOfHeapMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final long limitBytes;
    private final long mappedBytes;

    public OutOfHeapMemoryException(long requestedBytes, long limitBytes, long mappedBytes) {
        super("heap limit reached: requested " + requestedBytes + " bytes with " + mappedBytes
                + " of " + limitBytes + " bytes mapped (expected: the request to fit under the limit)");
        this.requestedBytes = requestedBytes;
        this.limitBytes = limitBytes;
        this.mappedBytes = mappedBytes;
    }

    /** Returns the size of the request that failed, in bytes. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** Returns the heap limit in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Returns the bytes mapped from the OS when the request failed. */
    public long mappedBytes() {
        return mappedBytes;
    }
}
