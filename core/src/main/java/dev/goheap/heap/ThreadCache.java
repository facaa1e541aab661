package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's spans, one per span class (Go's {@code mcache}): the allocation fast path takes a
 * slot from its span without any lock, and a free by the same thread puts it straight back.
 *
 * <p>The cache holds at most one span per class, so what it can strand is bounded: at most
 * {@code 2 * SizeClasses.COUNT} spans, each of Go's pages for its class or, for objects up to
 * 1 KiB, up to {@link SizeClasses#MAX_SPAN_PAGES} pages ({@link #newSpanPages}). It is flushed
 * (every span handed back to its central list) when its thread calls {@link
 * Heap#releaseThreadCache}, when a goroutine ends, and, for threads that ended without doing so,
 * by {@link ThreadCaches#reapDead}.
 *
 * <p><b>Collection phases</b> (Go's {@code mcache.flushGen} and {@code prepareForSweep}): the
 * cache's spans follow the collector's phase ({@link CycleState#phase}) lazily. Mark start and
 * mark termination change the phase without touching any cache, so that their pauses do not
 * grow with the number of goroutines (10 000 parked goroutines made them 9-76 ms). The owner
 * catches up ({@link CacheCatchUp#catchUp}) before its first allocation in a new phase: it
 * sweeps the spans it holds that a termination left unswept, and while marking marks their
 * free slots (allocate-black). Before the next mark start, the collector's sweep catches up
 * the caches whose owners have not allocated since ({@link CacheCatchUp#catchUpIdle}): parked
 * goroutines, mostly. {@link #catchingUp} lets one of the two at a time do it.
 *
 * <p><b>Thread safety:</b> owner thread only, except: once {@link #thread} has ended (which
 * {@link Thread#isAlive()} observes with a happens-before edge) any thread may flush it; and the
 * collector catches up a cache that is behind the phase, holding {@link #catchingUp}.
 */
final class ThreadCache {
    /** A span that is always full: an empty cache entry sends the first allocation to refill. */
    static final Span EMPTY = emptySpan();

    private static final VarHandle PHASE;
    private static final VarHandle CATCHING_UP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PHASE = lookup.findVarHandle(ThreadCache.class, "phase", int.class);
            CATCHING_UP = lookup.findVarHandle(ThreadCache.class, "catchingUp", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    /** The span of each class, or {@link #EMPTY}; written through {@link #hold}, under the class's central lock. */
    final Span[] spans = new Span[SizeClasses.COUNT * 2];
    /**
     * Bit {@code c} set iff {@code spans[c]} is not {@link #EMPTY}, so that the collector's pause
     * work visits the spans a cache holds (one or two in most) rather than all 136 entries: with
     * 10 000 parked goroutines, each with its cache, reading every entry was most of the mark
     * start and termination pauses' CPU (async-profiler; docs/measurements.md "Session 10").
     */
    final long[] held = new long[(SizeClasses.COUNT * 2 + 63) >>> 6];
    /**
     * The pages of the next span this cache takes from the page heap, per span class; 0 for the
     * class's own ({@link SizeClasses#grownPageCount}: each new span doubles them, up to 128 KiB).
     * A thread that allocates a few objects of a class keeps one-page spans; one that allocates
     * many takes a new span, with its two locks, eight to sixteen times less often (in a heap
     * large enough: {@link SizeClasses#pagesWithinTrigger}).
     */
    private final byte[] spanPages = new byte[SizeClasses.COUNT * 2];
    boolean flushed; // owner thread, or the reaper after the owner ended
    /** Bytes this thread allocated black this cycle (owner thread; summed with the world stopped). */
    long blackBytes;
    /**
     * The {@link CycleState#phase} this cache's spans are caught up with. Written with release
     * semantics by whoever holds {@link #catchingUp}, read with acquire semantics by the owner's
     * fast path: a phase it reads as current orders the catch-up's sweep before its allocation.
     */
    @SuppressWarnings("unused") // through PHASE
    private int phase;
    /** 1 while the owner or the collector catches this cache up (or the owner flushes it, for good). */
    @SuppressWarnings("unused") // through CATCHING_UP
    private int catchingUp;
    /** In {@link ThreadCaches}' list of caches that may have allocated black this cycle: guarded by its lock. */
    boolean countsBlack;
    /** Where it is in {@link ThreadCaches}' list of all caches: guarded by its lock. */
    int allIndex = -1;

    ThreadCache(Thread thread, int phase) {
        this.thread = thread;
        java.util.Arrays.fill(spans, EMPTY);
        PHASE.set(this, phase);
    }

    /** The phase this cache is caught up with; an acquire read (the fast path's, see {@link #phase}). */
    int phase() {
        return (int) PHASE.getAcquire(this);
    }

    /** Records that the cache is caught up with {@code phase}: a release write, holding {@link #catchingUp}. */
    void setPhase(int phase) {
        PHASE.setRelease(this, phase);
    }

    /** Tries to take the right to catch up (or flush) this cache; returns whether it did. */
    boolean tryStartCatchUp() {
        return CATCHING_UP.compareAndSet(this, 0, 1);
    }

    /** Gives the right back ({@link #tryStartCatchUp}). */
    void endCatchUp() {
        CATCHING_UP.setVolatile(this, 0);
    }

    /** Whether some thread holds the right now (a volatile read: for a waiter, before it tries again). */
    boolean isCatchingUp() {
        return (int) CATCHING_UP.getVolatile(this) != 0;
    }

    private static Span emptySpan() {
        Span s = new Span();
        s.allocBits = new long[0];
        return s;
    }

    /**
     * Replaces the full span of {@code spanClass} with one that has a free slot. First merges
     * frees that other threads parked in the current span; only if that frees nothing does the
     * span go back to its central list.
     *
     * @param parkWith hooks to wait for a contended central lock parked with (an allocation at
     *                 its safepoint), or null to wait running
     * @return the span, or null if it waited parked and the collector's phase moved meanwhile:
     *         this cache's spans may be unswept, and must not reach the central list so; the
     *         caller catches up and calls again
     */
    Span refill(int spanClass, CentralList central, GcHooks parkWith) {
        if (parkWith == null) {
            SpinLocks.lock(central.lock);
        } else if (SpinLocks.lockParked(central.lock, parkWith) && phase() != central.phaseNow()) {
            central.lock.unlock();
            return null;
        }
        Span current = spans[spanClass];
        try {
            if (current != EMPTY) {
                if (current.remoteFreeCount > 0) {
                    RemoteFrees.merge(current);
                    if (!current.isFull()) {
                        return current;
                    }
                }
                assert current.sweepGen == central.sweepGenNow()
                        : "a cache lets an unswept span go to its central list: it did not catch up with the phase";
                central.releaseLocked(current);
                hold(spanClass, EMPTY);
            }
            Span fresh = central.takeSweptLocked(thread);
            if (fresh == null) {
                fresh = central.newSpanLocked(thread, newSpanPages(spanClass, central.triggerBytesNow()));
                spanPages[spanClass] = (byte) SizeClasses.grownPageCount(spanClass >>> 1, nextSpanPages(spanClass));
            }
            hold(spanClass, fresh);
            return fresh;
        } finally {
            central.lock.unlock();
        }
    }

    /**
     * The pages of this cache's next span of {@code spanClass} from the page heap: what its spans
     * have grown to, within the share of the collector's trigger {@code triggerBytes} ({@link
     * SizeClasses#pagesWithinTrigger}). The refill takes it; an allocation about to refill asks
     * for a spare chunk by it.
     */
    int newSpanPages(int spanClass, long triggerBytes) {
        return SizeClasses.pagesWithinTrigger(spanClass >>> 1, nextSpanPages(spanClass), triggerBytes);
    }

    /** The pages this cache's spans of {@code spanClass} have grown to (the next one's, uncapped). */
    private int nextSpanPages(int spanClass) {
        int pages = spanPages[spanClass];
        return pages != 0 ? pages : SizeClasses.pageCount(spanClass >>> 1);
    }

    /** Hands every span back to its central list; the cache is empty afterwards. */
    void flush(CentralList[] centrals) {
        for (int spanClass = 0; spanClass < spans.length; spanClass++) {
            Span s = spans[spanClass];
            if (s != EMPTY) {
                CentralList central = centrals[spanClass];
                central.lock.lock();
                try {
                    central.releaseLocked(s);
                } finally {
                    central.lock.unlock();
                }
                hold(spanClass, EMPTY);
            }
        }
        flushed = true;
    }

    /** Makes {@code s} (or {@link #EMPTY}) the span of {@code spanClass}, and {@link #held} say so. */
    void hold(int spanClass, Span s) {
        spans[spanClass] = s;
        long bit = 1L << spanClass;
        int w = spanClass >>> 6;
        held[w] = s == EMPTY ? held[w] & ~bit : held[w] | bit;
    }

    /** Forgets every span without handing it back (the heap is closing). */
    void forgetAll() {
        java.util.Arrays.fill(spans, EMPTY);
        java.util.Arrays.fill(held, 0L);
    }
}
