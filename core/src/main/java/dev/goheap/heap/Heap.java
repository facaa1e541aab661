package dev.goheap.heap;

import static dev.goheap.heap.ObjectChecks.checkPointerValue;
import static dev.goheap.heap.ObjectChecks.checkedPointerField;
import static dev.goheap.heap.ObjectChecks.checkedRead;
import static dev.goheap.heap.ObjectChecks.checkedWrite;
import static dev.goheap.heap.ObjectChecks.objectBytes;
import static dev.goheap.heap.ObjectChecks.objectSpan;
import static dev.goheap.heap.ObjectChecks.spanOf;
import static dev.goheap.heap.ObjectChecks.spanOfFresh;
import static dev.goheap.heap.SizeClasses.MAX_SMALL_BYTES;

import dev.goheap.OutOfHeapMemoryException;
import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.type.ObjectType;
import dev.goheap.type.PointerMap;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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

    final ChunkTable chunks = new ChunkTable(); // ObjectChecks reads it on every access
    private final CycleState cycle = new CycleState();
    private final HeapCollection collection;
    private final PageHeap pageHeap;
    private final CentralList[] centrals;
    private final LargeObjects large;
    private final ThreadCaches caches;
    private volatile boolean closed;
    private volatile WriteBarrier writeBarrier;
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
        return allocateNoPoll(byteSize, true);
    }

    /**
     * {@link #allocate} without the safepoint poll. {@code atSafepoint}: the caller has just
     * polled (allocate, newObject), so a refill may park the goroutine while it maps a chunk;
     * false for blocks taken in the middle of a stack operation, which must not park.
     */
    private long allocateNoPoll(long byteSize, boolean atSafepoint) {
        if (byteSize - 1 >= MAX_SMALL_BYTES || byteSize <= 0) {
            return allocateLarge(byteSize, null);
        }
        return allocateSmall(SizeClasses.classOf((int) byteSize) << 1 | 1, null, atSafepoint);
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
        long byteSize = type.byteSize();
        if (!type.hasPointers()) {
            return allocateNoPoll(byteSize, true);
        }
        if (byteSize > MAX_SMALL_BYTES) {
            return allocateLarge(byteSize, type);
        }
        return allocateSmall(SizeClasses.classOf((int) byteSize) << 1, type.pointerMap(), true);
    }

    /**
     * The allocation fast path. No {@code closed} check: {@link #close} empties every cache, so
     * after it the first allocation of each class goes to {@link #refill}, which checks.
     *
     * @param map the object's pointer map, or null for a noscan class
     * @param atSafepoint whether the caller has just polled (see {@link #allocateNoPoll})
     */
    private long allocateSmall(int spanClass, PointerMap map, boolean atSafepoint) {
        ThreadCache cache = caches.get();
        Span s = cache.spans[spanClass];
        int slot = s.takeFreeSlot();
        if (slot < 0) {
            s = refill(cache, spanClass, atSafepoint);
            slot = s.takeFreeSlot();
        }
        if (cycle.allocateBlack) {
            // Allocate-black without an atomic per object: the slot was marked when the span
            // was (SpanMarks#markFreeSlots, at refill or mark start) or when its owner freed it.
            assert SpanMarks.isMarked(s, slot) || !cycle.allocateBlack : "allocate-black: a slot allocated while marking is marked";
            cache.blackBytes += s.elemSize; // a plain counter of this thread's
        }
        if (map != null) {
            SpanPointerMaps.setPointerMap(s, slot, map);
        }
        long p = s.base + (long) slot * s.elemSize;
        Zeroing.zero(s.segment, Pointers.offset(p), s.elemSize);
        return p;
    }

    /**
     * The cache's span for the class is full: get another; at the heap limit, let the collector
     * run once. While marking, the span's free slots are marked here, so that every object
     * allocated from it is black (allocate-black, SpanMarks#markFreeSlots), and its free bytes are
     * charged to this thread's assist debt, once per span: the fast path carries no per-object
     * atomic and no per-object debt (GcHooks#allocated).
     */
    private Span refill(ThreadCache cache, int spanClass, boolean atSafepoint) {
        checkOpen();
        if (atSafepoint) {
            pageHeap.prepareSpareIfGrowing(SizeClasses.pageCount(spanClass >>> 1), cycle.hooks);
        }
        Span s;
        try {
            s = cache.refill(spanClass, centrals[spanClass]);
        } catch (OutOfHeapMemoryException e) {
            s = refillAtLimit(cache, spanClass, e);
        } finally {
            cycle.hooks.wakeCollectorIfNoted(); // the locks of the refill are released
        }
        if (cycle.allocateBlack) {
            SpanMarks.markFreeSlots(s);
            assert holdsNoHeapLock(spanClass) : "an assist must not run under a heap lock";
            cycle.hooks.allocated((long) (s.objectCount - s.allocCount) * s.elemSize);
        }
        return s;
    }

    /** At the heap limit: first the pages the large stripes cache, then one collection. */
    private Span refillAtLimit(ThreadCache cache, int spanClass, OutOfHeapMemoryException e) {
        if (large.flushAll() > 0) {
            try {
                return cache.refill(spanClass, centrals[spanClass]);
            } catch (OutOfHeapMemoryException again) {
                e = again;
            }
        }
        GcHooks hooks = cycle.hooks;
        if (hooks == CycleState.NO_HOOKS) {
            throw e;
        }
        hooks.heapLimitReached(SizeClasses.byteSize(spanClass >>> 1));
        return cache.refill(spanClass, centrals[spanClass]);
    }

    private boolean holdsNoHeapLock(int spanClass) {
        return !pageHeap.lock.isHeldByCurrentThread() && !centrals[spanClass].lock.isHeldByCurrentThread();
    }

    private long allocateLarge(long byteSize, ObjectType type) {
        return allocateLarge(byteSize, type, true);
    }

    /** Objects above 32 KiB: see {@link LargeObjects}. */
    private long allocateLarge(long byteSize, ObjectType type, boolean zero) {
        checkOpen();
        try {
            return large.allocate(byteSize, type, zero);
        } finally {
            cycle.hooks.wakeCollectorIfNoted(); // the locks of the growth are released
        }
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
        if (byteSize < 16) {
            throw HeapErrors.badSize(byteSize, pageHeap.limitBytes());
        }
        long p = byteSize > MAX_SMALL_BYTES ? allocateLarge(byteSize, null, false) : allocateNoPoll(byteSize, false);
        Span s = spanOfFresh(this, p);
        SpanStacks.markStack(s, p, true);
        s.segment.set(POINTER, Pointers.offset(p), goroutineId);
        return p;
    }

    /**
     * Frees a stack from {@link #allocateStack}, from any thread.
     *
     * @throws IllegalArgumentException if {@code stack} is not a live stack's start; nothing changes then
     * @throws IllegalStateException if the heap is closed
     */
    public void freeStack(long stack) {
        checkOpen();
        Span s = objectSpan(this, stack, "freeStack");
        if (!s.noscan || SpanStacks.stackContaining(s, stack) != stack) {
            throw HeapErrors.notAnObject("freeStack", stack, "it is not a stack");
        }
        // Unmarking and freeing must be one step for the sweepers: the collector never marks a
        // stack, only its stack mark keeps it. Without the lock: 1) we clear the stack mark, 2) a
        // concurrent sweep (background, lazy, or the termination's sweep of cached spans, which
        // does not wait for a goroutine that has deregistered) finds the block allocated,
        // unmarked and no stack, and frees it, 3) our free fails ("in free pages") or frees a
        // block reused meanwhile. Found by the adversarial deep-stack run. Every sweep of this
        // span holds this lock; free takes it again (reentrant) and does not poll.
        int spanClass = s.spanClass;
        ReentrantLock sweepLock = s.state == Span.LARGE ? large.sweepLockOf(s) : centrals[spanClass].lock;
        sweepLock.lock();
        try {
            SpanStacks.markStack(s, stack, false);
            free(stack);
        } finally {
            sweepLock.unlock();
        }
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
        // The common case, small enough to inline: the calling thread owns the span.
        Span s = chunks.spanInUse(p);
        if (s != null && s.state == Span.SMALL && s.ownerPlain() == Thread.currentThread()) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot >= 0 && s.clearSlot(slot)) {
                if (cycle.allocateBlack) {
                    SpanMarks.mark(s, slot); // the owner may hand the slot out again while marking: black
                }
                return;
            }
        }
        freeChecked(p, s); // a failed clearSlot changed nothing: this path finds the error again
    }

    private void freeChecked(long p, Span s) {
        if (s == null) {
            checkOpen(); // a closed heap has no chunks: every pointer gets here
            s = spanOf(this, p, "free"); // throws
        }
        if (s.state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot < 0) {
                throw HeapErrors.notAnObject("free", p, "it points inside an object");
            }
            if (s.ownerPlain() == Thread.currentThread()) {
                if (!s.clearSlot(slot)) {
                    throw HeapErrors.doubleFree(p);
                }
                if (cycle.allocateBlack) {
                    SpanMarks.mark(s, slot); // as in free
                }
                return;
            }
            freeRemote(s, slot, p);
        } else {
            large.free(s, p);
        }
    }

    private void freeRemote(Span s, int slot, long p) {
        int spanClass = s.spanClass;
        if (spanClass < 2) {
            throw HeapErrors.notAnObject("free", p, "its span was freed");
        }
        CentralList central = centrals[spanClass];
        ThreadCache adopter = caches.getIfCached();
        SpinLocks.lock(central.lock);
        try {
            // Recheck under the lock: a span changes class or state only under its class's lock,
            // so if it still is SMALL in this class it cannot change until we unlock.
            if (s.state != Span.SMALL || s.spanClass != spanClass || !s.contains(s.chunk, p)) {
                throw HeapErrors.notAnObject("free", p, "its span was freed");
            }
            if (!central.freeLocked(s, slot, adopter)) {
                throw HeapErrors.doubleFree(p);
            }
        } finally {
            central.lock.unlock();
        }
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
        Span s = checkedPointerField(this, p, offset);
        int valueSlot = s.objectSlotAt(value);
        if (valueSlot < 0) {
            checkPointerValue(this, value, p, offset);
        }
        MemorySegment segment = s.segment;
        long slotOffset = Pointers.offset(p) + offset;
        WriteBarrier barrier = writeBarrier;
        if (barrier != null) {
            barrierUnlessShaded(barrier, segment, slotOffset, value, s, valueSlot);
        }
        segment.set(POINTER, slotOffset, value);
    }

    /** Like {@link #writePointer}, with release semantics: contents written before are published. */
    public void writePointerRelease(long p, long offset, long value) {
        Span s = checkedPointerField(this, p, offset);
        int valueSlot = s.objectSlotAt(value);
        if (valueSlot < 0) {
            checkPointerValue(this, value, p, offset);
        }
        MemorySegment segment = s.segment;
        long slotOffset = Pointers.offset(p) + offset;
        WriteBarrier barrier = writeBarrier;
        if (barrier != null) {
            barrierUnlessShaded(barrier, segment, slotOffset, value, s, valueSlot);
        }
        POINTER_HANDLE.setRelease(segment, slotOffset, value);
    }

    /**
     * The write barrier of {@link #writePointer}, which has found {@code value} in {@code
     * valueSpan} at {@code valueSlot} (-1: not there, or nil): runs it unless it has nothing to
     * do. It has nothing to do when the slot holds nil (no old value to shade) and the value is
     * marked in the running cycle (its shade would find the mark and stop there: a mark stays
     * set until its span is swept, after mark termination). The usual store while the collector
     * marks is a new object (allocated black) into a new parent beside it, so this test, one
     * bit of the span found for the value check, replaces the barrier's own lookup of the
     * value's span and slot. Out of line: the store path stays small enough to inline.
     */
    private void barrierUnlessShaded(WriteBarrier barrier, MemorySegment segment, long slotOffset, long value,
            Span valueSpan, int valueSlot) {
        long oldValue = segment.get(POINTER, slotOffset);
        if (oldValue == Pointers.NIL && valueSlot >= 0 && cycle.marking && SpanMarks.isMarked(valueSpan, valueSlot)) {
            return;
        }
        barrier.beforeStore(oldValue, value);
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
        checkOpen();
        checkPointerValue(this, value, Pointers.NIL, offset);
        store(segment, offset, value);
    }

    private void store(MemorySegment segment, long offset, long value) {
        WriteBarrier barrier = writeBarrier;
        if (barrier != null) {
            barrier.beforeStore(segment.get(POINTER, offset), value);
        }
        segment.set(POINTER, offset, value);
    }

    /** Like {@link #storePointer}, with a release store. */
    public void storePointerRelease(MemorySegment segment, long offset, long value) {
        checkOpen();
        checkPointerValue(this, value, Pointers.NIL, offset);
        storeRelease(segment, offset, value);
    }

    private void storeRelease(MemorySegment segment, long offset, long value) {
        WriteBarrier barrier = writeBarrier;
        if (barrier != null) {
            barrier.beforeStore(segment.get(POINTER, offset), value);
        }
        POINTER_HANDLE.setRelease(segment, offset, value);
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
