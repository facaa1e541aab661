package dev.goheap.heap;

import static dev.goheap.heap.ObjectChecks.checkPointerValue;
import static dev.goheap.heap.ObjectChecks.checkedPointerField;
import static dev.goheap.heap.ObjectChecks.checkedRead;
import static dev.goheap.heap.ObjectChecks.checkedWrite;
import static dev.goheap.heap.ObjectChecks.objectBytes;
import static dev.goheap.heap.ObjectChecks.objectSpan;

import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.type.ObjectType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * goheap's heap: Go's segregated free-list allocator outside the Java heap. Objects up to 32 KiB
 * come from size-class spans through a per-thread cache; larger ones get pages of their own. See
 * package-info for the structures, the fast and slow paths, the invariants and the lock order.
 *
 * <p><b>Pointers</b> are {@code long}s, 0 is nil (DESIGN decision 1). {@link #allocate} and
 * {@link #newObject} return zeroed memory; every access is bounds-checked, first against the
 * object and then, by {@link MemorySegment}, against its chunk, so no misuse can touch memory
 * outside goheap's chunks or crash the JVM.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread, except {@link #verify}
 * and {@link #close}, which require that no other thread is using the heap. A pointer handed to
 * another thread must be handed over with a happens-before edge (a lock, a volatile, a
 * release/acquire slot such as {@link #writePointerRelease}); the object's contents written
 * before the handover are then visible. Two frees of one pointer that race with each other are
 * a data race in the caller, as in C: ordered double frees are detected and refused.
 *
 * <p><b>Ownership:</b> the heap owns every chunk; {@link #close} gives all of them back. Objects
 * live until {@link #free} (or, with the collector, until unreachable).
 */
public final class Heap implements AutoCloseable {
    private static final ValueLayout.OfLong POINTER = ValueLayout.JAVA_LONG;
    private static final VarHandle POINTER_HANDLE = POINTER.varHandle();

    static {
        GcAccess.register(heap -> heap.collection);
    }

    // --- read by the paths in ObjectChecks, Allocation, Frees, PointerStores and StackBlocks ---
    final ChunkTable chunks = new ChunkTable(); // ObjectChecks reads it on every access
    final CycleState cycle = new CycleState();
    private final HeapCollection collection;
    final PageHeap pageHeap;
    final CentralList[] centrals;
    final LargeObjects large;
    final ThreadCaches caches;
    private volatile boolean closed;
    volatile WriteBarrier writeBarrier;
    final AtomicLong pointerEscapes = new AtomicLong(); // refused stores of stack pointers (ObjectChecks)

    private Heap(long heapLimitBytes, long scavengeRetainBytes) {
        this.pageHeap = new PageHeap(chunks, heapLimitBytes, scavengeRetainBytes, cycle);
        this.centrals = new CentralList[SizeClasses.COUNT * 2];
        for (int spanClass = 2; spanClass < centrals.length; spanClass++) {
            centrals[spanClass] = new CentralList(spanClass, pageHeap, cycle);
        }
        this.large = new LargeObjects(pageHeap, cycle);
        this.caches = new ThreadCaches(centrals, large, cycle);
        this.collection = new HeapCollection(this);
    }

    /**
     * Opens an empty heap. {@link dev.goheap.GoRuntime} is the usual way to get one.
     *
     * @param heapLimitBytes      the most the heap may map from the OS
     * @param scavengeRetainBytes idle bytes kept mapped before fully free chunks go back to the OS
     * @throws IllegalArgumentException if {@code heapLimitBytes <= 0} or {@code scavengeRetainBytes < 0}
     */
    public static Heap open(long heapLimitBytes, long scavengeRetainBytes) {
        if (heapLimitBytes <= 0) {
            throw new IllegalArgumentException("heapLimitBytes: " + heapLimitBytes + " (expected: > 0)");
        }
        if (scavengeRetainBytes < 0) {
            throw new IllegalArgumentException("scavengeRetainBytes: " + scavengeRetainBytes + " (expected: >= 0)");
        }
        return new Heap(heapLimitBytes, scavengeRetainBytes);
    }

    // ------------------------------------------------------------------ allocation

    /**
     * Returns a zeroed block of at least {@code byteSize} bytes that holds no pointers (Go's
     * "noscan" objects), 8-byte aligned. A safepoint: with a collector running, the calling
     * goroutine may stop here for a pause or run a handshake (DESIGN decision 3).
     *
     * @throws IllegalArgumentException if {@code byteSize <= 0} or {@code byteSize} exceeds the heap limit
     * @throws dev.goheap.OutOfHeapMemoryException if the heap cannot grow enough within its limit
     * @throws IllegalStateException if the heap is closed
     */
    public long allocate(long byteSize) {
        cycle.hooks.poll();
        return Allocation.allocateNoPoll(this, byteSize, true);
    }

    /**
     * Returns a zeroed object of {@code type}; its pointer fields are known to the heap (and to
     * the collector), and only {@link #writePointer} may store into them. A safepoint, like
     * {@link #allocate}.
     *
     * @throws dev.goheap.OutOfHeapMemoryException if the heap cannot grow enough within its limit
     * @throws IllegalStateException if the heap is closed
     */
    public long newObject(ObjectType type) {
        cycle.hooks.poll();
        return Allocation.newObjectNoPoll(this, type);
    }

    // ------------------------------------------------------------------ goroutine stacks

    /**
     * Returns a block of at least {@code byteSize} bytes for a goroutine stack ({@code
     * dev.goheap.stack}), with {@code goroutineId} in its first 8 bytes (the stack header, which
     * escape errors read) and, above 32 KiB, the rest not zeroed: the stack zeroes each frame as
     * it pushes it. The block is marked as a stack, so the pointer checks of every store path
     * refuse pointers into it ({@link dev.goheap.PointerEscapeException}); only the stack's own
     * path may store them, into its own frames. Free it with {@link #freeStack}.
     *
     * @throws IllegalArgumentException if {@code byteSize < 16} or {@code byteSize} exceeds the heap limit
     * @throws dev.goheap.OutOfHeapMemoryException if the heap cannot grow enough within its limit
     * @throws IllegalStateException if the heap is closed
     */
    public long allocateStack(long byteSize, long goroutineId) {
        return StackBlocks.allocate(this, byteSize, goroutineId, false);
    }

    /**
     * {@link #allocateStack}, for a caller with nothing half done (a stack's first block, while
     * the stack is empty): with {@code mayPark}, a goroutine waits parked for a contended heap
     * lock or a chunk's mapping, as {@link #allocate} does, so that no stop of the world waits
     * for it; a handshake may then scan its stack. Without, it waits running, as a stack that is
     * moving to a larger block must.
     *
     * @throws IllegalArgumentException if {@code byteSize < 16} or {@code byteSize} exceeds the heap limit
     * @throws dev.goheap.OutOfHeapMemoryException if the heap cannot grow enough within its limit
     * @throws IllegalStateException if the heap is closed
     */
    public long allocateStack(long byteSize, long goroutineId, boolean mayPark) {
        return StackBlocks.allocate(this, byteSize, goroutineId, mayPark);
    }

    /**
     * Frees a stack from {@link #allocateStack}, from any thread.
     *
     * @throws IllegalArgumentException if {@code stack} is not a live stack's start; nothing changes then
     * @throws IllegalStateException if the heap is closed
     */
    public void freeStack(long stack) {
        StackBlocks.free(this, stack);
    }

    /** Returns how many pointer stores were refused because the value pointed into a stack. */
    public long pointerEscapeCount() {
        return pointerEscapes.get();
    }

    // ------------------------------------------------------------------ free

    /**
     * Frees the object at {@code p}, from any thread.
     *
     * @throws IllegalArgumentException if {@code p} is nil, interior, foreign or already freed;
     *     the heap is unchanged then
     * @throws IllegalStateException if the heap is closed
     */
    public void free(long p) {
        Frees.free(this, p);
    }

    /**
     * Returns the usable size of the object at {@code p}: its size class's slot size (at least
     * what was requested), or its pages for a large object.
     *
     * @throws IllegalArgumentException if {@code p} is not the start of a live object
     */
    public long sizeOf(long p) {
        checkOpen();
        return objectBytes(objectSpan(this, p, "sizeOf"));
    }

    /**
     * Returns a view of exactly the object at {@code p} ({@link #sizeOf} bytes), for I/O and
     * native calls. The view is valid while the object lives; after a free its bytes may belong
     * to another object. Storing pointers through the view bypasses the write barrier and the
     * pointer checks: use it for data, not for pointer fields.
     *
     * @throws IllegalArgumentException if {@code p} is not the start of a live object
     */
    public MemorySegment segment(long p) {
        checkOpen();
        Span s = objectSpan(this, p, "segment");
        return s.segment.asSlice(Pointers.offset(p), objectBytes(s));
    }

    /**
     * Checks that {@code value} may be stored in a pointer slot: nil, or the start of a live object.
     *
     * @throws IllegalArgumentException otherwise
     */
    public void checkPointer(long value) {
        checkPointerValue(this, value, Pointers.NIL, -1);
    }

    // ------------------------------------------------------------------ field access

    /** Returns the byte at {@code offset} in the object at {@code p}. */
    public byte getByte(long p, long offset) {
        Span s = checkedRead(this, p, offset, 1);
        return s.segment.get(ValueLayout.JAVA_BYTE, Pointers.offset(p) + offset);
    }

    /** Stores {@code value} at {@code offset} in the object at {@code p}. */
    public void setByte(long p, long offset, byte value) {
        Span s = checkedWrite(this, p, offset, 1);
        s.segment.set(ValueLayout.JAVA_BYTE, Pointers.offset(p) + offset, value);
    }

    /** Returns the int at {@code offset} in the object at {@code p}. */
    public int getInt(long p, long offset) {
        Span s = checkedRead(this, p, offset, 4);
        return s.segment.get(ValueLayout.JAVA_INT_UNALIGNED, Pointers.offset(p) + offset);
    }

    /** Stores {@code value} at {@code offset} in the object at {@code p}. */
    public void setInt(long p, long offset, int value) {
        Span s = checkedWrite(this, p, offset, 4);
        s.segment.set(ValueLayout.JAVA_INT_UNALIGNED, Pointers.offset(p) + offset, value);
    }

    /** Returns the long at {@code offset} in the object at {@code p}. */
    public long getLong(long p, long offset) {
        Span s = checkedRead(this, p, offset, 8);
        return s.segment.get(ValueLayout.JAVA_LONG_UNALIGNED, Pointers.offset(p) + offset);
    }

    /** Stores {@code value} at {@code offset} in the object at {@code p}. */
    public void setLong(long p, long offset, long value) {
        Span s = checkedWrite(this, p, offset, 8);
        s.segment.set(ValueLayout.JAVA_LONG_UNALIGNED, Pointers.offset(p) + offset, value);
    }

    /** Returns the double at {@code offset} in the object at {@code p}. */
    public double getDouble(long p, long offset) {
        Span s = checkedRead(this, p, offset, 8);
        return s.segment.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, Pointers.offset(p) + offset);
    }

    /** Stores {@code value} at {@code offset} in the object at {@code p}. */
    public void setDouble(long p, long offset, double value) {
        Span s = checkedWrite(this, p, offset, 8);
        s.segment.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, Pointers.offset(p) + offset, value);
    }

    /**
     * Returns the pointer in field {@code offset} of the object at {@code p} (plain read).
     *
     * @throws IllegalArgumentException if {@code p} is not a live object or {@code offset} is
     *     not one of its type's pointer fields
     */
    public long readPointer(long p, long offset) {
        Span s = checkedPointerField(this, p, offset);
        return s.segment.get(POINTER, Pointers.offset(p) + offset);
    }

    /** Like {@link #readPointer}, with acquire semantics: pairs with {@link #writePointerRelease}. */
    public long readPointerAcquire(long p, long offset) {
        Span s = checkedPointerField(this, p, offset);
        return (long) POINTER_HANDLE.getAcquire(s.segment, Pointers.offset(p) + offset);
    }

    /**
     * Stores pointer {@code value} in field {@code offset} of the object at {@code p} (plain
     * write), through the store path (the write barrier, when one is set).
     *
     * @throws IllegalArgumentException if {@code p} is not a live object, {@code offset} is not
     *     one of its pointer fields, or {@code value} is neither nil nor a live object's start;
     *     the field is unchanged then
     */
    public void writePointer(long p, long offset, long value) {
        PointerStores.write(this, p, offset, value);
    }

    /** Like {@link #writePointer}, with release semantics: contents written before are published. */
    public void writePointerRelease(long p, long offset, long value) {
        PointerStores.writeRelease(this, p, offset, value);
    }

    /**
     * The one pointer store path: checks {@code value}, runs the write barrier (if set), and
     * stores {@code value} at {@code offset} of {@code segment} (plain write). Heap objects, data
     * slots and stack frames all store pointers through here; the caller has checked that the
     * slot is a pointer slot.
     *
     * @throws IllegalArgumentException if {@code value} is neither nil nor a live object's start
     *     ({@link dev.goheap.PointerEscapeException} if it points into a goroutine stack)
     */
    public void storePointer(MemorySegment segment, long offset, long value) {
        PointerStores.store(this, segment, offset, value);
    }

    /** Like {@link #storePointer}, with a release store. */
    public void storePointerRelease(MemorySegment segment, long offset, long value) {
        PointerStores.storeRelease(this, segment, offset, value);
    }

    /** Installs the collector's write barrier ({@code null} turns it off). */
    public void setWriteBarrier(WriteBarrier barrier) {
        this.writeBarrier = barrier;
    }

    // ------------------------------------------------------------------ housekeeping

    /** Flushes the calling thread's cache: call it when a thread that allocated is about to end. */
    public void releaseThreadCache() {
        checkOpen();
        caches.releaseCurrent();
    }

    /** Flushes the caches of threads that have ended; returns how many were flushed. */
    public int reapThreadCaches() {
        checkOpen();
        return caches.reapDead();
    }

    /** Gives every fully free chunk back to the OS now; returns the bytes released. */
    public long scavenge() {
        checkOpen();
        large.flushAll();
        pageHeap.lock.lock();
        try {
            return pageHeap.scavengeLocked();
        } finally {
            pageHeap.lock.unlock();
        }
    }

    /** Returns a snapshot of the heap's figures. */
    public HeapStats stats() {
        checkOpen();
        return HeapInspector.stats(this);
    }

    /**
     * Checks every invariant of the heap (package-info lists them) and throws an {@link
     * InternalError} naming the first one broken. Requires that no other thread allocates or
     * frees meanwhile; tests call it after every step.
     */
    public void verify() {
        checkOpen();
        new HeapVerifier(this).verify();
    }

    /** Returns whether {@link #close} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Gives every chunk back to the OS. Every later use fails with {@link IllegalStateException}.
     * Requires that no other thread is using the heap; idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        caches.emptyAll(); // the allocation fast path has no closed check: it meets EMPTY spans
        large.flushAll();
        pageHeap.lock.lock();
        try {
            pageHeap.closeAllLocked();
        } finally {
            chunks.clear(); // the access fast paths have no closed check: they find no chunk
            pageHeap.lock.unlock();
        }
    }

    void checkOpen() {
        if (closed) {
            throw HeapErrors.closed();
        }
    }

    // --- for the inspector and verifier in this package ---

    ChunkTable chunks() {
        return chunks;
    }

    PageHeap pageHeap() {
        return pageHeap;
    }

    CentralList[] centrals() {
        return centrals;
    }

    LargeObjects large() {
        return large;
    }

    ThreadCaches caches() {
        return caches;
    }

    CycleState cycle() {
        return cycle;
    }
}
