package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
import java.util.concurrent.atomic.LongAdder;

/**
 * The collector's state as the heap's structures see it: allocate-black, the sweep generation,
 * the trigger and the hooks. One per heap, shared by the page heap, the central lists, the
 * caches and {@link HeapCollection}.
 *
 * <p><b>Sweep generations</b> (Go's {@code sweepgen}): {@link #sweepGen} grows by 2 at every
 * mark termination. A span in use with {@code span.sweepGen == sweepGen} is swept (its
 * {@code allocBits} say which slots are live); with {@code sweepGen - 2} it is unswept (slots
 * allocated but unmarked are garbage). Central and large lists come in pairs indexed by
 * {@link #sweptIndex}: when the generation grows, the lists of swept spans become the lists of
 * unswept ones without touching a span.
 *
 * <p><b>Thread safety:</b> the volatile fields change only while the world is stopped
 * ({@code sweepGen}, {@code allocateBlack}, {@code marking}) or by the collector (trigger,
 * hooks); every thread reads them.
 */
final class CycleState {
    /** Hooks of a heap without collector. */
    static final GcHooks NO_HOOKS = new GcHooks() {
        @Override
        public void heapGrew(long inUseBytes) {}

        @Override
        public void spareChunkWanted() {} // no collector thread: growths map their chunks themselves

        @Override
        public void heapLimitReached(long requestedBytes) {}

        @Override
        public void checkMutator() {}

        @Override
        public void poll() {}

        @Override
        public void allocated(long bytes) {}
    };

    volatile int sweepGen;
    /**
     * The collector's phase, for the thread caches (Go's {@code mcache.flushGen}): grows by one
     * at mark start (odd: marking) and at mark termination (even), with the world stopped. A
     * cache behind it catches up before its next allocation (ThreadCache, "Collection phases").
     */
    volatile int phase;
    /** MARK phase: new objects are marked as they are allocated. */
    volatile boolean allocateBlack;
    /** MARK phase: chunks stay mapped (the marker may read any of them). */
    volatile boolean marking;
    volatile long triggerBytes = Long.MAX_VALUE;
    /**
     * With a collector: the mapped bytes the page heap keeps even when they sit idle, set from
     * the heap goal after each mark (Go's scavenger goal, the goal plus 10 %); 0 without one.
     */
    volatile long retainGoalBytes;
    volatile GcHooks hooks = NO_HOOKS;

    /**
     * Bytes allocated black this cycle by large allocations and by caches flushed meanwhile (the
     * caches count their own small ones in {@link ThreadCache#blackBytes}; {@link
     * ThreadCaches#takeBlackBytes} sums both after termination).
     */
    final LongAdder markedBytes = new LongAdder();
    /** Objects and bytes freed by sweeping, cumulative. */
    final LongAdder sweptObjects = new LongAdder();
    final LongAdder sweptBytes = new LongAdder();

    /** Whether {@code phase} (a value of {@link #phase}) is a mark phase. */
    static boolean isMarking(int phase) {
        return (phase & 1) != 0;
    }

    /** Index of the list of spans swept in generation {@code gen}; {@code 1 - } it: unswept. */
    static int sweptIndex(int gen) {
        return (gen >>> 1) & 1;
    }
}
