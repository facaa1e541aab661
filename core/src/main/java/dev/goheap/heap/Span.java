package dev.goheap.heap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages (Go's {@code mspan}): free, cut into slots of one size class, or holding one
 * large object. See package-info for the states and who may touch what.
 *
 * <pre>
 *  base                                                      base + pageCount * 8 KiB
 *  | slot 0 | slot 1 | slot 2 | ...              | slot n-1 | tail |
 *  allocBits: bit i set  <=> slot i is allocated (or parked in remoteFreeBits)
 * </pre>
 *
 * <p><b>Thread safety:</b> the fields below say what guards them. A small span is either
 * <em>owned</em> by one thread's cache ({@code owner != null}: only that thread touches the
 * allocation state, without a lock) or <em>central</em> ({@code owner == null}: only holders of its
 * central list's lock touch it). Frees from other threads into an owned span go to
 * {@code remoteFreeBits}, under the central lock, and the owner merges them under that lock.
 */
final class Span {
    static final byte FREE = 0;
    static final byte SMALL = 1;
    static final byte LARGE = 2;
    /** A span object that no longer describes any pages (split off or coalesced away). */
    static final byte DEAD = 3;

    private static final VarHandle ALLOC_BITS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNER;
    private static final VarHandle STACK_BITS;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Span.class, "owner", Thread.class);
            STACK_BITS = MethodHandles.lookup().findVarHandle(Span.class, "stackBits", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // --- where the pages are, and the state: written only under the page heap lock (a free
    //     reads its neighbours' state to coalesce), read racily elsewhere and then rechecked ---
    Chunk chunk;
    int startPage;
    int pageCount;
    long base; // pointer of the first byte
    byte state;

    // --- what the pages hold: set when the span goes into use, fixed until it is freed ---
    int spanClass; // sizeClass << 1 | noscan; 0 for free and large spans
    int elemSize;  // slot size in bytes (the whole span for a large object)
    int objectCount;
    long divMagic;
    boolean noscan;

    // --- allocation state: owner thread only while owned, central lock otherwise ---
    long[] allocBits;
    int allocCount;   // slots whose bit is set, remote frees included until merged
    int freeWord;     // owner's search start: every word before it is full
    private Thread owner; // written by the owner or under the central lock; read racily by free

    // --- remote frees into an owned span: guarded by the central lock ---
    long[] remoteFreeBits;
    volatile int remoteFreeCount; // read racily by the owner to decide whether to merge

    /** One bit per 8-byte word of the span: set where a pointer field lives (scan spans only). */
    long[] pointerBits;

    // --- the collector (see CycleState): markBits are set with atomic bit operations by any
    // thread during MARK and read and cleared by the sweeper; sweepGen is written by the sweeper
    // (central lock, page heap lock for large spans, or the world stopped for owned spans) ---
    long[] markBits; // bit i set <=> slot i is marked (large spans: bit 0)
    int sweepGen;

    // --- goroutine stacks (Heap#allocateStack), noscan spans only: set and cleared by any thread
    // with atomic bit operations; read racily on the pointer-check path (see package-info) ---
    private long[] stackBits;   // small spans: bit i set <=> slot i holds a stack; created by the first stack
    private boolean largeStack; // large spans: the object is a stack; written before the pointer is handed out

    // --- cumulative counters, owner or lock holder: flushed into the central totals ---
    long mallocs;
    long frees;

    // --- list links: guarded by the lock of the list the span is on ---
    Span prev;
    Span next;
    SpanList list;

    Span(Chunk chunk, int startPage, int pageCount) {
        reset(chunk, startPage, pageCount);
    }

    /** A span of no pages, in state DEAD: the thread caches' "nothing here" entry. */
    Span() {
        this.state = DEAD;
    }

    /**
     * Makes this (new or recycled) span object describe a free run. Span objects are recycled by
     * the page heap so that large allocations leave no garbage on the Java heap; a stale
     * reference from {@link Chunk#spanOfPage} is harmless because every lookup checks that the
     * span's current range contains the pointer.
     */
    void reset(Chunk chunk, int startPage, int pageCount) {
        this.chunk = chunk;
        this.startPage = startPage;
        this.pageCount = pageCount;
        this.base = chunk.pointerOfPage(startPage);
        this.state = FREE;
        this.spanClass = 0;
        this.allocBits = null;
        this.remoteFreeBits = null;
        this.pointerBits = null;
        this.markBits = null;
        this.stackBits = null;
        this.largeStack = false;
        this.allocCount = 0;
        this.remoteFreeCount = 0;
        this.mallocs = 0;
        this.frees = 0;
        setOwner(null);
    }

    /** Returns whether {@code p} lies in this span's pages, in {@code chunk}. */
    boolean contains(Chunk chunk, long p) {
        return this.chunk == chunk && p - base >= 0 && p - base < byteSize();
    }

    long byteSize() {
        return (long) pageCount << SizeClasses.PAGE_SHIFT;
    }

    int endPage() {
        return startPage + pageCount;
    }

    long offsetInChunk() {
        return (long) startPage << SizeClasses.PAGE_SHIFT;
    }

    /** Returns the owning thread; a plain read is exact for the owner itself (see class doc). */
    Thread ownerPlain() {
        return (Thread) OWNER.get(this);
    }

    void setOwner(Thread thread) {
        OWNER.set(this, thread);
    }

    /**
     * Prepares a span taken from the page heap to hold slots of {@code spanClass}; it counts as
     * swept in generation {@code sweepGen}.
     */
    void initSmall(int spanClass, int sweepGen) {
        int sizeClass = spanClass >>> 1;
        this.state = SMALL;
        this.spanClass = spanClass;
        this.noscan = (spanClass & 1) != 0;
        this.elemSize = SizeClasses.byteSize(sizeClass);
        this.objectCount = SizeClasses.objectCount(sizeClass);
        this.divMagic = SizeClasses.divMagic(sizeClass);
        int words = (objectCount + 63) >>> 6;
        this.allocBits = new long[words];
        this.remoteFreeBits = new long[words];
        this.pointerBits = noscan ? null : new long[(int) ((byteSize() >>> 3) + 63) >>> 6];
        this.markBits = new long[words];
        this.sweepGen = sweepGen;
        this.stackBits = null;
        this.largeStack = false;
        this.allocCount = 0;
        this.freeWord = 0;
    }

    /** Prepares a span taken from the page heap to hold one large object, swept in {@code sweepGen}. */
    void initLarge(boolean noscan, int sweepGen) {
        this.state = LARGE;
        this.spanClass = 0;
        this.noscan = noscan;
        this.elemSize = (int) Math.min(Integer.MAX_VALUE, byteSize());
        this.objectCount = 1;
        this.divMagic = 0;
        this.allocBits = null;
        this.remoteFreeBits = null;
        this.pointerBits = noscan ? null : new long[(int) (((byteSize() >>> 3) + 63) >>> 6)];
        this.markBits = new long[1];
        this.sweepGen = sweepGen;
        this.stackBits = null;
        this.largeStack = false;
        this.allocCount = 1;
    }

    /**
     * Returns the index of the slot that starts at {@code offset} bytes into the span, or -1 if
     * {@code offset} is not a slot start (an interior pointer or the tail).
     */
    int slotIndexAt(long offset) {
        int index = (int) ((offset * divMagic) >>> 32);
        if ((long) index * elemSize != offset || index >= objectCount) {
            return -1;
        }
        return index;
    }

    boolean isAllocated(int slot) {
        long word = (long) ALLOC_BITS.getOpaque(allocBits, slot >>> 6);
        return (word & (1L << slot)) != 0;
    }

    /**
     * Owner path: takes the lowest free slot and returns its index, or -1 if the span is full.
     * Requires the caller to own the span (or hold the central lock with no owner).
     */
    int takeFreeSlot() {
        long[] bits = allocBits;
        for (int w = freeWord; w < bits.length; w++) {
            long free = ~bits[w];
            if (free != 0) {
                int bit = Long.numberOfTrailingZeros(free);
                int slot = (w << 6) + bit;
                if (slot >= objectCount) {
                    break;
                }
                bits[w] |= 1L << bit;
                freeWord = w;
                allocCount++;
                mallocs++;
                return slot;
            }
        }
        freeWord = bits.length;
        return -1;
    }

    /** Owner (or lock holder, unowned span) path: frees {@code slot}; false if it was not allocated. */
    boolean clearSlot(int slot) {
        int w = slot >>> 6;
        long mask = 1L << slot;
        long word = allocBits[w];
        if ((word & mask) == 0 || (remoteFreeBits[w] & mask) != 0) {
            return false;
        }
        allocBits[w] = word & ~mask;
        if (w < freeWord) {
            freeWord = w;
        }
        allocCount--;
        frees++;
        return true;
    }

    /** Under the central lock, owned span: records a free from another thread; false if double. */
    boolean parkRemoteFree(int slot) {
        int w = slot >>> 6;
        long mask = 1L << slot;
        if (!isAllocated(slot) || (remoteFreeBits[w] & mask) != 0) {
            return false;
        }
        remoteFreeBits[w] |= mask;
        remoteFreeCount = remoteFreeCount + 1;
        return true;
    }

    /**
     * Under the central lock, by the owner or for an unowned span: turns parked remote frees into
     * free slots.
     */
    void mergeRemoteFrees() {
        if (remoteFreeCount == 0) {
            return;
        }
        int merged = 0;
        for (int w = 0; w < remoteFreeBits.length; w++) {
            long parked = remoteFreeBits[w];
            if (parked != 0) {
                // Count only bits that are still set: a racing double free by the owner (a data
                // race in the caller) must not make allocCount drift.
                merged += Long.bitCount(parked & allocBits[w]);
                allocBits[w] &= ~parked;
                remoteFreeBits[w] = 0;
                if (w < freeWord) {
                    freeWord = w;
                }
            }
        }
        allocCount -= merged;
        frees += merged;
        remoteFreeCount = 0;
    }

    /**
     * Marks ({@code on}) or unmarks the object that starts at {@code p} as a goroutine stack. Any
     * thread that owns the stack may call it, whether or not it owns the span: small spans use
     * atomic bit operations, so two stacks of one span marked at once never lose a bit.
     */
    void markStack(long p, boolean on) {
        if (state == LARGE) {
            largeStack = on;
            return;
        }
        int slot = slotIndexAt(p - base);
        long[] bits = (long[]) STACK_BITS.getAcquire(this);
        if (bits == null) {
            bits = new long[allocBits.length];
            if (!STACK_BITS.compareAndSet(this, null, bits)) {
                bits = (long[]) STACK_BITS.getAcquire(this);
            }
        }
        if (on) {
            ALLOC_BITS.getAndBitwiseOr(bits, slot >>> 6, 1L << slot);
        } else {
            ALLOC_BITS.getAndBitwiseAnd(bits, slot >>> 6, ~(1L << slot));
        }
    }

    /**
     * Returns the pointer of the goroutine stack that contains {@code p} (a slot start or an
     * interior pointer of this span), or nil if {@code p} is in no stack. Racy for stacks of
     * other threads: exact for a {@code p} received with a happens-before edge from its stack's
     * allocation, which is how every pointer into a stack is obtained.
     */
    long stackContaining(long p) {
        if (state == LARGE) {
            return largeStack ? base : 0L;
        }
        long[] bits = (long[]) STACK_BITS.getAcquire(this);
        if (state != SMALL || bits == null) {
            return 0L;
        }
        int slot = (int) (((p - base) * divMagic) >>> 32);
        if (slot >= objectCount || ((long) ALLOC_BITS.getOpaque(bits, slot >>> 6) & (1L << slot)) == 0) {
            return 0L;
        }
        return base + (long) slot * elemSize;
    }

    // ------------------------------------------------------------------ the collector

    /** Sets the mark bit of {@code slot} (0 for a large span); returns whether this call set it. */
    boolean mark(int slot) {
        long[] bits = markBits; // null only if a dangling pointer led here to a span being freed
        long mask = 1L << slot;
        return bits != null && ((long) ALLOC_BITS.getAndBitwiseOr(bits, slot >>> 6, mask) & mask) == 0;
    }

    boolean isMarked(int slot) {
        long[] bits = markBits;
        return bits != null && ((long) ALLOC_BITS.getOpaque(bits, slot >>> 6) & (1L << slot)) != 0;
    }

    /**
     * Sweeps a small span (Go's {@code mspan.sweep}): merges parked remote frees, then frees
     * every allocated slot that is neither marked nor a goroutine stack, and clears the marks.
     * Requires the central lock, and that the owner (if any) is stopped. Returns the slots freed.
     */
    int sweepSmall(int gen) {
        mergeRemoteFrees();
        long[] stacks = (long[]) STACK_BITS.getAcquire(this);
        int freed = 0;
        for (int w = 0; w < allocBits.length; w++) {
            long alloc = allocBits[w];
            long live = alloc & (markBits[w] | (stacks != null ? stacks[w] : 0));
            freed += Long.bitCount(alloc & ~live);
            allocBits[w] = live;
            markBits[w] = 0;
        }
        allocCount -= freed;
        frees += freed;
        freeWord = 0;
        sweepGen = gen;
        return freed;
    }

    /**
     * Sweeps a large span: returns true if its object is garbage (unmarked and not a stack); the
     * caller then frees it. Clears the mark. Requires the page heap lock.
     */
    boolean sweepLarge(int gen) {
        boolean dead = (markBits[0] & 1) == 0 && !largeStack;
        markBits[0] = 0;
        sweepGen = gen;
        return dead;
    }

    /** Returns the number of live objects: allocated slots minus parked remote frees. */
    int liveCount() {
        return state == LARGE ? 1 : allocCount - remoteFreeCount;
    }

    boolean isFull() {
        return allocCount == objectCount;
    }

    @Override
    public String toString() {
        String kind = switch (state) {
            case FREE -> "free";
            case SMALL -> "class " + (spanClass >>> 1) + (noscan ? " noscan" : " scan");
            case LARGE -> "large";
            default -> "dead";
        };
        return "span[" + chunk.index + ":" + startPage + "+" + pageCount + " " + kind + "]";
    }
}
