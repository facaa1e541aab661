package dev.goheap.internal.gc;

import java.util.function.LongConsumer;

/**
 * The heap as the collector sees it: mark bits, object scanning, the phase flips and sweeping.
 * The mechanisms live next to the spans they touch ({@code dev.goheap.heap}, package-private);
 * this interface is how the {@code dev.goheap.gc} module reaches them. It is exported to that
 * module only, so it is not goheap's public API. Get one with {@link GcAccess#of}.
 *
 * <p><b>Phases</b> (the collector drives them; see the {@code dev.goheap.gc} package note):
 * <pre>
 *   OFF/SWEEP --finishSweep--> (all swept) --startMark [world stopped]--> MARK
 *   MARK --finishMark [world stopped]--> SWEEP (lazy: allocators sweep the spans they take,
 *                                               the collector sweeps the rest with sweepSome)
 * </pre>
 *
 * <p><b>Thread safety:</b> {@link #mark}, {@link #scan} and a {@link Scanner} may be used
 * by any thread during MARK (collector, assists and mutators' write barriers); {@link #startMark}
 * and {@link #finishMark} only while the world is stopped; {@link #sweepSome} and {@link
 * #finishSweep} by the collector, concurrently with mutators.
 */
public interface HeapForGc {
    /**
     * World stopped, everything swept: turns on allocate-black (objects allocated from now on
     * are marked) and keeps chunks mapped until {@link #finishMark}, so that the marker never
     * reads a chunk that is being given back.
     *
     * @throws IllegalStateException if some span is still unswept or a cycle is marking
     */
    void startMark();

    /** Set in {@link #mark}'s result when the object may hold pointers: the caller must {@link #scan} it. */
    long NEEDS_SCAN = 1L << 62;

    /**
     * Marks the object at {@code p}. Returns 0 if it was marked already or is no object start in
     * use (nil, pointers into a goroutine stack, interior pointers, free pages); otherwise the
     * object's byte size, with {@link #NEEDS_SCAN} set if it may hold pointers. The caller counts
     * the bytes (the heap counts only allocate-black): per-thread counters, no shared one to
     * contend on.
     */
    long mark(long p);

    /**
     * Returns whether the object at {@code p} is marked (false for anything that is no object).
     * Meaningful from {@link #startMark} until {@link #finishMark}: after it, a span's marks are
     * cleared when it is swept (by the allocator that takes it, its cache's owner or the collector).
     */
    boolean isMarked(long p);

    /**
     * Calls {@code visitor} with the value of each pointer field of the object at {@code p}
     * (opaque reads: mutators may store concurrently; their barriers cover the new values).
     */
    void scan(long p, LongConsumer visitor);

    /** Receives the objects a {@link Scanner} greyed: marked, their fields not scanned yet. */
    @FunctionalInterface
    interface GreySink {
        void grey(long p);
    }

    /**
     * One drainer's scanner (Go's {@code scanobject} with {@code greyobject} inlined), with its
     * own buffers: one per thread that drains, made once ({@link #newScanner}), used by one
     * thread at a time.
     */
    interface Scanner {
        /**
         * Scans the objects {@code batch[0..count)}, as {@link #scan} does, and marks the value
         * of each pointer field, as {@link #mark} does; hands each object it newly marks that
         * may hold pointers to {@code sink} (the ones {@link #mark} answers with {@link
         * #NEEDS_SCAN}), and returns the bytes it newly marked (the caller counts them, as
         * {@link #mark}'s). Equivalent to {@code scan(p, v -> mark(v))} for each object in
         * turn, without a call per field.
         */
        long scanAndMark(long[] batch, int count, GreySink sink);
    }

    /** Makes a {@link Scanner} for a thread that drains grey objects (a few KiB of buffers). */
    Scanner newScanner();

    /** Receives a pointer field's offset in its object and its value. */
    @FunctionalInterface
    interface FieldVisitor {
        void visit(long offset, long value);
    }

    /** Like {@link #scan}, with each field's offset in the object (for reports; slower). */
    void scanFields(long p, FieldVisitor visitor);

    /**
     * World stopped, marking complete: turns allocate-black off and starts a new sweep generation
     * (every span in use is now unswept). The thread caches' spans are swept by their owners
     * before they next allocate, or by {@link #sweepSome}, not in this pause. Then call {@link
     * #takeAllocatedBlackBytes}, after the pause.
     */
    void finishMark();

    /**
     * After {@link #finishMark}'s pause and before the next {@link #startMark}, on the collector's
     * thread: returns the bytes allocated black in the cycle that just ended and zeroes the
     * counts (the bytes {@link #mark} marked are the caller's to add). Not in the pause because it
     * visits every thread cache that allocated while marking, thousands with as many goroutines;
     * the counts are final by then: a cache counts black only while its phase is a marking one,
     * and every cache's next allocation catches up with the new phase first. Counts not taken
     * after a cycle carry into the next cycle's: {@link #startMark} does not reset them.
     *
     * @throws IllegalStateException if a cycle is marking
     */
    long takeAllocatedBlackBytes();

    /** Sweeps up to {@code maxSpans} unswept spans; returns whether unswept spans remain. */
    boolean sweepSome(int maxSpans);

    /** Sweeps every span that is still unswept. */
    void finishSweep();

    /** Returns the bytes of the spans in use (pages, whole), the figure the pacer compares with its goal. */
    long inUseBytes();

    /** Returns the bytes the heap has mapped from the OS (a spare chunk's included). */
    long mappedBytes();

    /**
     * Maps and touches a spare chunk (4 MiB) for the heap's next growth, outside every heap lock,
     * and publishes it, if the heap has none and one more chunk stays within its limit; returns
     * whether it published one. Takes about as long as the zero-fill of 4 MiB (1.5 to 2.3 ms on
     * the demo's machine): call it from the collector's thread, not inside a pause, after {@link
     * GcHooks#spareChunkWanted}. Any thread that holds no heap lock may call it.
     */
    boolean prepareSpareChunk();

    /** Returns how many growths of the heap took a spare chunk instead of mapping one (cumulative). */
    long spareChunksTaken();

    /** Returns the objects and bytes freed by sweeping so far (cumulative): {objects, bytes}. */
    long[] sweptTotals();

    /** The pacer's trigger: {@link GcHooks#heapGrew} runs when in-use bytes reach {@code bytes}. */
    void setTriggerBytes(long bytes);

    /**
     * The scavenger's goal (Go's {@code gcPercentGoal}): with a goal set, fully free chunks stay
     * mapped until {@link #scavengeOne} gives them back, which it does only while the heap maps
     * more than {@code bytes} (even past the heap's {@code scavengeRetainBytes}), so that a heap
     * that swings between its live size and its goal every cycle does not give chunks back after
     * each sweep only to map them again before the next mark, and no sweep or free closes a
     * chunk's arena itself. 0 turns it off: a free that empties a chunk past the retained bytes
     * gives it back at once.
     */
    void setRetainGoalBytes(long bytes);

    /**
     * The scavenger's background work: gives back one fully free chunk if the heap maps more than
     * its scavenger goal ({@link #setRetainGoalBytes}) and more idle bytes than the runtime
     * retains; returns whether it gave one back. Free chunks stay mapped until then. Call it from
     * the collector's thread between cycles, once the sweep is done: at the scavenger's pace, or
     * until it returns false for a heap mapped down to its goal; it does nothing while marking or
     * with no goal set. The arena's close (a handshake with every JVM thread) runs outside the
     * heap's locks, on the calling thread.
     */
    boolean scavengeOne();

    /** Installs the collector's hooks ({@code null}: none, the heap is manual again). */
    void setHooks(GcHooks hooks);
}
