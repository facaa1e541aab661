package dev.goheap.heap;

import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.internal.gc.HeapForGc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

/**
 * The heap's side of the collector ({@link HeapForGc}): mark bits, object scanning through the
 * pointer bitmaps, the two phase flips and sweeping. See {@link CycleState} for the sweep
 * generations and package-info "Collection" for the paths.
 *
 * <p><b>Thread safety:</b> as {@link HeapForGc} says; the sweeping cursor is the collector's.
 */
final class HeapCollection implements HeapForGc {
    private static final VarHandle POINTER = ValueLayout.JAVA_LONG.varHandle();

    private final Heap heap;
    /** The barrier's and the marker's lookup: spans in use only, without the chunk hop of Heap#findSpan. */
    private final ChunkTable chunks;
    private final CycleState cycle;
    private int sweepCursor; // collector thread only: the span class sweepSome goes on from
    /**
     * The collector's: the phase every cache has been brought up to by the collector or its
     * owner, as far as sweeping goes ({@link CacheCatchUp#catchUpIdle}): startMark refuses to
     * start while the caches of the last termination may hold unswept spans. Written by
     * sweepSome and startMark; startMark may run on the goroutine that completed the stop,
     * ordered with the collector thread by the stop's handoff (its lock).
     */
    private int cachesCaughtUp;
    /**
     * The collector's: the sweep generation in which sweepSome last found nothing left to sweep
     * (no span on a central list or a large stripe, with every cache caught up), so that
     * startMark's check in its pause is a compare, not a look under every central list's and
     * stripe's lock (some 140 locks, and a goroutine ending in the pause may hold one). Nothing
     * makes a span unswept again until finishMark moves the generation. Written by sweepSome,
     * read by startMark, ordered as cachesCaughtUp is.
     */
    private int sweptGen;

    static {
        // Loaded with the heap, not at their first use: that may be inside a pause or on a
        // goroutine's way to its next safepoint (a cache's catch-up with the collector's phase
        // marks and sweeps its spans), and a class loaded there took milliseconds at start-up
        // (README, the first pauses).
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (Class<?> c : new Class<?>[] {Allocation.class, Frees.class, PointerStores.class, StackBlocks.class,
                    RemoteFrees.class, SpanMarks.class, SpanPointerMaps.class, SpanStacks.class}) {
                lookup.ensureInitialized(c);
            }
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    HeapCollection(Heap heap) {
        this.heap = heap;
        this.chunks = heap.chunks();
        this.cycle = heap.cycle();
        this.sweptGen = cycle.sweepGen; // nothing allocated yet: nothing to sweep
    }

    @Override
    public void startMark() {
        if (cycle.allocateBlack) {
            throw new IllegalStateException("startMark: a cycle is marking already");
        }
        if (cachesCaughtUp != cycle.phase || sweptGen != cycle.sweepGen) {
            throw new IllegalStateException("startMark: unswept spans remain (expected: finishSweep first)");
        }
        assert !hasUnswept(cycle.sweepGen) : "startMark: sweepSome found the heap swept, yet a span is unswept";
        // No reset of the allocate-black counts here: the collector takes them after every
        // termination, and none is counted between that and this pause. The reset this pause
        // did (for a cycle cut short, which never starts another) took 20 µs of its 35 µs of
        // work, a barging lock and a LongAdder sum in the interpreter (docs/measurements.md
        // "Session 22").
        cycle.marking = true;
        cycle.allocateBlack = true;
        // Allocate-black for the spans caches hold: each cache marks their free slots before
        // its next allocation (ThreadCache, "Collection phases"), not this pause.
        cycle.phase++;
        cachesCaughtUp = cycle.phase;
    }

    @Override
    public long mark(long p) {
        Span s = chunks.spanInUse(p);
        if (s == null) {
            return 0;
        }
        long bytes;
        if (s.state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot < 0 || !SpanMarks.mark(s, slot)) {
                return 0;
            }
            bytes = s.elemSize;
        } else {
            if (p != s.base || !SpanMarks.mark(s, 0)) {
                return 0;
            }
            bytes = s.byteSize();
        }
        return s.noscan ? bytes : bytes | NEEDS_SCAN;
    }

    @Override
    public boolean isMarked(long p) {
        Span s = chunks.spanInUse(p);
        if (s == null) {
            return false;
        }
        if (s.state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            return slot >= 0 && SpanMarks.isMarked(s, slot);
        }
        return s.state == Span.LARGE && p == s.base && SpanMarks.isMarked(s, 0);
    }

    @Override
    public void scan(long p, LongConsumer visitor) {
        scan(p, visitor, null);
    }

    @Override
    public Scanner newScanner() {
        return new MarkScan(chunks);
    }

    @Override
    public void scanFields(long p, FieldVisitor visitor) {
        scan(p, null, visitor);
    }

    /** One loop for both visitors: exactly one of them is non-null. */
    private void scan(long p, LongConsumer values, FieldVisitor fields) {
        Span s = chunks.spanInUse(p);
        if (s == null || s.noscan) {
            return;
        }
        MemorySegment segment = s.chunk.segment;
        if (s.pointerLayout == Span.LAYOUT_UNIFORM && s.state == Span.SMALL && s.slotIndexAt(p - s.base) >= 0) {
            scanUniform(segment, Pointers.offset(p), s.uniformMask, values, fields);
            return;
        }
        long[] bits = s.pointerBits;
        if (bits == null) {
            return; // the span was freed under a dangling pointer
        }
        long firstWord = (p - s.base) >>> 3;
        long objectBytes = s.state == Span.LARGE ? s.byteSize() : s.elemSize;
        long endWord = firstWord + (objectBytes >>> 3);
        long chunkOffset = Pointers.offset(s.base);
        for (long bit = PointerBits.nextSet(bits, firstWord, endWord); bit >= 0;
                bit = PointerBits.nextSet(bits, bit + 1, endWord)) {
            long value = (long) POINTER.getOpaque(segment, chunkOffset + (bit << 3));
            if (value != Pointers.NIL) {
                if (values != null) {
                    values.accept(value);
                } else {
                    fields.visit((bit - firstWord) << 3, value);
                }
            }
        }
    }

    /**
     * {@link #scan} of an object of a span whose objects all have one type of at most 64 words
     * ({@link Span#LAYOUT_UNIFORM}): its pointer words are the bits of {@code mask}, the same for
     * every slot, so the loop needs neither the span's bitmap nor word-range arithmetic.
     *
     * <p>Why a racy read of the layout is safe here: a span leaves {@code LAYOUT_UNIFORM} only
     * when an object of another type is allocated in it (SpanPointerMaps#setPointerMap), and only goes back
     * to it when it is reset for a new life ({@code initSmall}), with no object. So if the
     * marker, without a happens-before edge from the change, still reads {@code LAYOUT_UNIFORM},
     * the object it scans is either of the span's one type (the mask is right), or was allocated
     * after the change: during this marking (the change is not ordered before mark start), so
     * it was allocated black and is never queued for scanning; the write barrier shades what is
     * stored into it. The same holds for a mask read from a span that became uniform during
     * this marking: all its objects are black. Bits-path scans ({@code pointerBits}) rest on the
     * same argument.
     */
    private static void scanUniform(MemorySegment segment, long objectOffset, long mask, LongConsumer values,
            FieldVisitor fields) {
        for (long m = mask; m != 0; m &= m - 1) {
            int word = Long.numberOfTrailingZeros(m);
            long value = (long) POINTER.getOpaque(segment, objectOffset + ((long) word << 3));
            if (value != Pointers.NIL) {
                if (values != null) {
                    values.accept(value);
                } else {
                    fields.visit((long) word << 3, value);
                }
            }
        }
    }

    @Override
    public void finishMark() {
        if (!cycle.allocateBlack) {
            throw new IllegalStateException("finishMark: no cycle is marking");
        }
        cycle.allocateBlack = false;
        int gen = cycle.sweepGen + 2;
        cycle.sweepGen = gen; // every span in use is unswept now
        // The spans caches hold are swept by their owners before they next allocate, or by
        // sweepSome (ThreadCache, "Collection phases"), not in this pause.
        cycle.phase++;
        cycle.marking = false;
    }

    @Override
    public long takeAllocatedBlackBytes() {
        if (cycle.allocateBlack) {
            throw new IllegalStateException("takeAllocatedBlackBytes: a cycle is marking (expected: finishMark first)");
        }
        return heap.caches().takeBlackBytes();
    }

    @Override
    public boolean sweepSome(int maxSpans) {
        assert !heap.pageHeap().lock.isHeldByCurrentThread() : "lock order: central lists before the page heap";
        int phase = cycle.phase;
        if (cachesCaughtUp != phase && !CycleState.isMarking(phase)) {
            // First the caches whose owners have not caught up since termination: what a
            // goroutine that has ended flushes meanwhile reaches the central lists before the
            // sweep below is done with them (CacheCatchUp#catchUpIdle).
            heap.caches().catchUps.catchUpIdle();
            cachesCaughtUp = phase;
        }
        int gen = cycle.sweepGen;
        CentralList[] centrals = heap.centrals();
        int budget = maxSpans;
        for (int i = 0; i < centrals.length && budget > 0; i++) {
            CentralList c = centrals[sweepCursor];
            if (c != null) {
                c.lock.lock();
                try {
                    budget -= c.sweepSomeLocked(gen, budget);
                    if (c.hasUnsweptLocked(gen)) {
                        return true; // budget spent here; go on from this class next time
                    }
                } finally {
                    c.lock.unlock();
                }
            }
            sweepCursor = (sweepCursor + 1) % centrals.length;
        }
        boolean largeLeft = heap.large().sweepSome(gen, Math.max(budget, 0));
        // Outside the stripes' locks: central locks come first in the lock order (package-info).
        boolean left = largeLeft || hasUnsweptCentral(gen, false);
        if (!left && cachesCaughtUp == phase && cycle.sweepGen == gen) {
            sweptGen = gen;
        }
        return left;
    }

    @Override
    public void finishSweep() {
        while (sweepSome(256)) {
            Thread.onSpinWait();
        }
    }

    /**
     * Mark start's assertion (with {@code -ea}), in its pause: takes each lock barging ({@link
     * SpinLocks#lockBarging}), since goroutines that end during the pause flush their caches
     * through these locks and may queue for them.
     */
    private boolean hasUnswept(int gen) {
        return hasUnsweptCentral(gen, true) || heap.large().hasUnswept(gen);
    }

    private boolean hasUnsweptCentral(int gen, boolean barging) {
        assert !heap.pageHeap().lock.isHeldByCurrentThread() : "lock order: central lists before the page heap";
        for (CentralList c : heap.centrals()) {
            if (c == null) {
                continue;
            }
            if (barging) {
                SpinLocks.lockBarging(c.lock);
            } else {
                c.lock.lock();
            }
            try {
                if (c.hasUnsweptLocked(gen)) {
                    return true;
                }
            } finally {
                c.lock.unlock();
            }
        }
        return false;
    }

    @Override
    public long inUseBytes() {
        // Spans cached by the large stripes are in use for the page heap but hold no object.
        // Two racy reads: a flush between them can make the difference dip below zero.
        return Math.max(0, heap.pageHeap().inUseBytesRacy() - heap.large().cachedBytesRacy());
    }

    @Override
    public long mappedBytes() {
        return heap.pageHeap().mappedBytesRacy();
    }

    @Override
    public boolean prepareSpareChunk() {
        return heap.pageHeap().spare().prepare();
    }

    @Override
    public long spareChunksTaken() {
        PageHeap pages = heap.pageHeap();
        pages.lock.lock();
        try {
            return pages.spare().takenCountLocked();
        } finally {
            pages.lock.unlock();
        }
    }

    @Override
    public long[] sweptTotals() {
        return new long[] {cycle.sweptObjects.sum(), cycle.sweptBytes.sum()};
    }

    @Override
    public void setTriggerBytes(long bytes) {
        cycle.triggerBytes = bytes;
    }

    @Override
    public void setRetainGoalBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("retain goal " + bytes + " (expected: >= 0)");
        }
        cycle.retainGoalBytes = bytes;
    }

    @Override
    public boolean scavengeOne() {
        PageHeap pages = heap.pageHeap();
        Chunk taken;
        pages.lock.lock();
        try {
            taken = pages.takeChunkAboveGoalLocked();
        } finally {
            pages.lock.unlock();
        }
        if (taken == null) {
            return false;
        }
        boolean released = false;
        try {
            // Outside the lock: the close waits for every JVM thread (a handshake), up to milliseconds.
            released = taken.tryRelease();
        } finally {
            pages.lock.lock();
            try {
                pages.finishReleaseLocked(taken, released); // also if the close threw: taken back, counted right
            } finally {
                pages.lock.unlock();
            }
        }
        return released;
    }

    @Override
    public void setHooks(GcHooks hooks) {
        PageHeap pages = heap.pageHeap();
        pages.lock.lock();
        try {
            cycle.hooks = hooks == null ? CycleState.NO_HOOKS : hooks;
            if (hooks == null) {
                cycle.retainGoalBytes = 0; // manual again: only scavengeRetainBytes is kept
            }
            pages.spare().forgetRequestLocked(); // told to the old hooks, maybe never answered
        } finally {
            pages.lock.unlock();
        }
    }
}
