package dev.goheap.heap;

import dev.goheap.type.PointerMap;
import java.lang.foreign.MemorySegment;
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
 *
 * <p>Here: the fields, the set-up for a use, and the owner's slot paths. The fields stay in
 * this one object, which the access paths load once and keep in registers; static helpers work
 * on them for the rest: {@link RemoteFrees} (frees parked by other threads), {@link
 * SpanPointerMaps} (which words are pointer fields), {@link SpanStacks} (which objects are
 * goroutine stacks), {@link SpanMarks} (the collector's mark bits and the sweep).
 */
final class Span {
    static final byte FREE = 0;
    static final byte SMALL = 1;
    static final byte LARGE = 2;
    /** A span object that no longer describes any pages (split off or coalesced away). */
    static final byte DEAD = 3;
    /** A large span whose object was freed into a {@link LargeStripe}'s cache: free to every check. */
    static final byte CACHED = 4;

    /** {@link #pointerLayout}: ask {@link #pointerBits} (mixed types, large objects, no object yet). */
    static final byte LAYOUT_BITS = 0;
    /** {@link #pointerLayout}: every object has one type of at most 64 words: ask {@link #uniformMask}. */
    static final byte LAYOUT_UNIFORM = 1;
    /** Longest bitmap a free span keeps for its next life (small spans need at most 160 words). */
    private static final int MAX_KEPT_BITMAP_WORDS = 256;

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Span.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // --- padding: the owner writes this span's counters and bitmap on every allocation and
    //     free, and other threads' spans and bitmaps lie next to it on the Java heap (allocated
    //     together, or copied together by a collection of the JVM's). Without it, a span's last
    //     fields shared a cache line with another thread's allocation bitmap: two threads
    //     allocating and freeing 64 B ran at 35-46 ns per pair instead of 12-13 in some forks
    //     (9 slow of 42 at 64 B-4 KiB; docs/measurements.md "Session 17"). HotSpot lays out long fields first, in
    //     declaration order, and references last: so these longs come first and the pad
    //     references last, 64 bytes on each side of the fields in use (Span is 256 bytes, not
    //     160). Never read or written. ---
    @SuppressWarnings("unused") private long padBefore0, padBefore1, padBefore2, padBefore3,
            padBefore4, padBefore5, padBefore6, padBefore7;

    // --- where the pages are, and the state: written only under the page heap lock (a free
    //     reads its neighbours' state to coalesce), read racily elsewhere and then rechecked;
    //     except LARGE <-> CACHED, under the span's stripe lock (neither is FREE) ---
    Chunk chunk;
    /** {@code chunk.segment}, one load nearer for the access paths. */
    MemorySegment segment;
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

    // --- which type's pointer map the slots of a scan span follow: owner thread (it allocates);
    //     read by any thread that got an object of the span with a happens-before edge from its
    //     allocation, which orders the writes below before the read (see SpanPointerMaps#setPointerMap) ---
    /** The map every object of this scan span has had since {@link #initSmall}; null before the first. */
    PointerMap uniformMap;
    /** Objects of several maps have been allocated here since {@link #initSmall}. */
    boolean mixedTypes;
    /** One of LAYOUT_*: how the access checks find an object's pointer words. */
    byte pointerLayout;
    /** LAYOUT_UNIFORM: bit i set <=> word i of every slot is a pointer field (slots of at most 64 words). */
    long uniformMask;
    /**
     * The access checks' copy of {@link #uniformMask}: equal to it while this is a small scan
     * span in {@code LAYOUT_UNIFORM}, 0 otherwise (free, large, noscan, mixed, no object yet), so
     * one test of it stands for state, scan and layout ({@link SpanPointerMaps#isUniformPointerField}). Kept
     * apart from {@code uniformMask}, which the marker may read racily after a layout test and
     * so must keep its value while the span lives.
     */
    long pointerFieldMask;

    // --- the collector (see CycleState): markBits are set with atomic bit operations by any
    // thread during MARK and read and cleared by the sweeper; sweepGen is written by the sweeper
    // (central lock, also for owned spans: CacheCatchUp#catchUp; page heap lock for large spans) ---
    long[] markBits; // bit i set <=> slot i is marked (large spans: bit 0)
    int sweepGen;

    // --- goroutine stacks (Heap#allocateStack), noscan spans only: set and cleared by any thread
    // with atomic bit operations (SpanStacks); read racily on the pointer-check path (see package-info) ---
    long[] stackBits;   // small spans: bit i set <=> slot i holds a stack; created by the first stack
    boolean largeStack; // large spans: the object is a stack; written before the pointer is handed out

    // --- cumulative counters, owner or lock holder: flushed into the central totals ---
    long mallocs;
    long frees;

    // --- list links: guarded by the lock of the list the span is on ---
    Span prev;
    Span next;
    SpanList list;

    /** LARGE and CACHED spans: the stripe that registers or caches it; written under its lock. */
    LargeStripe stripe;

    /**
     * The padding after the fields in use (see {@link #padBefore0}): references, which HotSpot
     * places last; with the list links and the bitmaps the hot paths do not read before them,
     * 64 bytes after {@link #remoteFreeBits} with compressed references.
     */
    @SuppressWarnings("unused") private Object padAfter0, padAfter1, padAfter2, padAfter3, padAfter4,
            padAfter5, padAfter6, padAfter7;

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
        this.segment = chunk.segment;
        this.startPage = startPage;
        this.pageCount = pageCount;
        this.base = chunk.pointerOfPage(startPage);
        this.state = FREE;
        this.spanClass = 0;
        keepBitmapsForReuse();
        SpanStacks.forget(this);
        this.allocCount = 0;
        this.remoteFreeCount = 0;
        this.mallocs = 0;
        this.frees = 0;
        setOwner(null);
    }

    /**
     * A span leaves use (or its object is recycled): its bitmaps stay with it, so that the next
     * {@link #initSmall} of the same class clears them instead of allocating new ones (a span
     * that cycles between the page heap and a central list otherwise leaves 4 arrays of garbage
     * per cycle on the Java heap: DESIGN decision 8). Long ones (large objects) are dropped.
     */
    void keepBitmapsForReuse() {
        if (allocBits != null && allocBits.length > MAX_KEPT_BITMAP_WORDS) {
            allocBits = null;
            remoteFreeBits = null;
        }
        if (pointerBits != null && pointerBits.length > MAX_KEPT_BITMAP_WORDS) {
            pointerBits = null;
        }
        if (markBits != null && markBits.length > MAX_KEPT_BITMAP_WORDS) {
            markBits = null;
        }
        SpanPointerMaps.forget(this);
    }

    /** Returns a zeroed bitmap of {@code words} words: {@code old} cleared if it has that length. */
    private static long[] zeroedBitmap(long[] old, int words) {
        if (old == null || old.length != words) {
            return new long[words];
        }
        java.util.Arrays.fill(old, 0L);
        return old;
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
        this.objectCount = SizeClasses.objectCount(sizeClass, pageCount);
        this.divMagic = SizeClasses.divMagic(sizeClass);
        int words = (objectCount + 63) >>> 6;
        this.allocBits = zeroedBitmap(allocBits, words);
        this.remoteFreeBits = zeroedBitmap(remoteFreeBits, words);
        if (!noscan) {
            this.pointerBits = zeroedBitmap(pointerBits, (int) ((byteSize() >>> 3) + 63) >>> 6);
        }
        SpanPointerMaps.forget(this);
        this.markBits = zeroedBitmap(markBits, words);
        this.sweepGen = sweepGen;
        SpanStacks.forget(this);
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
        // A span reused from its stripe's cache keeps its bitmap (DESIGN decision 8: no Java
        // garbage per allocation), cleared: the last object's type may have had other pointers.
        this.pointerBits = noscan ? null : zeroedBitmap(pointerBits, (int) (((byteSize() >>> 3) + 63) >>> 6));
        SpanPointerMaps.forget(this);
        this.markBits = zeroedBitmap(markBits, 1);
        this.sweepGen = sweepGen;
        SpanStacks.forget(this);
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

    /**
     * Returns whether {@code slot} is allocated. A plain read: the owner writes the bits with
     * plain writes anyway, and a reader that got a pointer into the slot with a happens-before
     * edge from its allocation sees the bit set; an opaque read here kept the JIT from reusing
     * the span fields the access paths loaded just before (it orders them like a fence would).
     */
    boolean isAllocated(int slot) {
        return (allocBits[slot >>> 6] & (1L << slot)) != 0;
    }

    /**
     * Returns whether this is a small span and {@code p} the start of one of its allocated slots
     * (false for anything else: nil, pointers outside the span, interior or free slots).
     */
    boolean holdsObjectAt(long p) {
        return objectSlotAt(p) >= 0;
    }

    /**
     * Returns the slot of the allocated object that starts at {@code p} if this is a small span
     * and holds one there, else -1 (same cases as {@link #holdsObjectAt}).
     */
    int objectSlotAt(long p) {
        if (state != SMALL || !covers(p)) {
            return -1;
        }
        long offset = p - base;
        int slot = (int) ((offset * divMagic) >>> 32);
        // No test against objectCount: a slot index in the tail has no bit set (an invariant
        // verify checks: "no bit is set past the last slot"), and one past the bitmap fails the
        // unsigned test, which stands in for the array's own bounds check.
        long[] bits = allocBits;
        int w = slot >>> 6;
        return (long) slot * elemSize == offset && Integer.compareUnsigned(w, bits.length) < 0
                && (bits[w] & (1L << slot)) != 0 ? slot : -1;
    }

    /** Returns whether {@code p} lies in this span's pages (one unsigned compare: p - base in [0, byteSize)). */
    boolean covers(long p) {
        return Long.compareUnsigned(p - base, byteSize()) < 0;
    }

    /**
     * Owner path: takes the lowest free slot and returns its index, or -1 if the span is full.
     * Requires the caller to own the span (or hold the central lock with no owner).
     */
    int takeFreeSlot() {
        // The word at freeWord first, in a method small enough for the JIT to inline into
        // every allocation path; the scan over later words is out of line.
        long[] bits = allocBits;
        int w = freeWord;
        if (w < bits.length) {
            long word = bits[w];
            if (word != -1L) {
                int bit = Long.numberOfTrailingZeros(~word);
                int slot = (w << 6) + bit;
                if (slot < objectCount) {
                    bits[w] = word | (1L << bit);
                    allocCount++;
                    mallocs++;
                    return slot;
                }
            }
        }
        return takeFreeSlotScanning();
    }

    private int takeFreeSlotScanning() {
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

    boolean isFull() {
        return allocCount == objectCount;
    }

    @Override
    public String toString() {
        String kind = switch (state) {
            case FREE -> "free";
            case SMALL -> "class " + (spanClass >>> 1) + (noscan ? " noscan" : " scan");
            case LARGE -> "large";
            case CACHED -> "cached large";
            default -> "dead";
        };
        return "span[" + chunk.index + ":" + startPage + "+" + pageCount + " " + kind + "]";
    }
}
