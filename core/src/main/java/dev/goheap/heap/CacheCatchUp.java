package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lazy phase change of the thread caches (see {@link ThreadCache}, "Collection phases"):
 * brings a cache's spans up to the collector's phase, by its owner before its first
 * allocation in a new phase ({@link #catchUp}), by the collector for caches whose owners have
 * not allocated since ({@link #catchUpIdle}), and before a flush ({@link #sweepBeforeFlush}).
 * One thread at a time per cache: whoever holds the cache's catch-up right
 * ({@link ThreadCache#tryStartCatchUp}).
 *
 * <p><b>Thread safety:</b> {@link #catchUp} by a cache's owner, {@link #catchUpIdle} by the
 * collector thread only ({@link #idleScratch}), {@link #sweepBeforeFlush} by the thread that
 * flushes. Locks: a central list's, then (while marking) the registry's, one at a time.
 */
final class CacheCatchUp {
    /** {@link #bringUp}'s results. */
    private static final int NOT_BEHIND = 0;
    private static final int CAUGHT_UP = 1;
    private static final int RESTART = 2;

    private final ThreadCaches registry;
    private final CentralList[] centrals;
    private final CycleState cycle;
    /** {@link #catchUpIdle}'s copy of the registered caches: the collector thread's. */
    private ThreadCache[] idleScratch = new ThreadCache[0];

    CacheCatchUp(ThreadCaches registry, CentralList[] centrals, CycleState cycle) {
        this.registry = registry;
        this.centrals = centrals;
        this.cycle = cycle;
    }

    /**
     * The owner's side of the lazy phase change (see {@link ThreadCache}): brings the calling
     * thread's cache {@code c} up to the collector's phase before it allocates (Go's {@code
     * prepareForSweep} at {@code acquirep}). If the collector is catching it up right now, waits
     * for it (a few lock acquisitions). Runs between two safepoints, so no phase changes meanwhile,
     * except where it waits: with {@code mayPark} (the goroutine is at its allocation's safepoint
     * and holds no heap lock), it waits for the catch-up right and for contended locks parked,
     * and starts over if the phase moved meanwhile. Why: thousands of goroutines catching up at
     * once queued for the central locks running, and a stop waited for each of them. Returns the
     * phase it caught up with, which the caller's allocation follows (it may be newer than the
     * one the caller read).
     */
    int catchUp(ThreadCache c, boolean mayPark) {
        GcHooks parkWith = mayPark ? cycle.hooks : null;
        startCatchUp(c, parkWith);
        try {
            while (bringUp(c, false, parkWith) == RESTART) {
                // it waited for a lock parked, and a mark start or termination came meanwhile
            }
        } finally {
            c.endCatchUp();
        }
        return c.phase();
    }

    /**
     * The collector, outside marking, before the next mark start: catches up every cache whose
     * owner has not allocated since the last phase change (parked goroutines, mostly), so that
     * no span a cache holds is left unswept when marking starts. Waits for caches that their
     * owner is catching up or flushing meanwhile: a goroutine that has ended flushes its cache
     * whenever its thread gets there, and its spans must reach the central lists, where the
     * sweep that follows finds them, or be swept here. Returns the caches it caught up.
     *
     * <p>Why not at mark termination, with the world stopped: that made the pause grow with the
     * number of caches (10 000 parked goroutines: pauses of 9-76 ms).
     */
    int catchUpIdle() {
        ThreadCache[] snapshot = registry.copyAll(idleScratch);
        idleScratch = snapshot; // kept, so that the pass leaves no garbage on the Java heap
        int phase = cycle.phase;
        int n = 0;
        for (int i = 0; i < snapshot.length && snapshot[i] != null; i++) {
            ThreadCache c = snapshot[i];
            snapshot[i] = null; // no dead cache kept reachable from here
            if (c.phase() == phase) {
                continue;
            }
            startCatchUp(c, null);
            try {
                n += bringUp(c, false, null) == CAUGHT_UP ? 1 : 0;
            } finally {
                c.endCatchUp();
            }
        }
        return n;
    }

    /**
     * Takes {@code c}'s catch-up right, spinning, then yielding, while another thread has it;
     * with {@code parkWith}, a goroutine waits for it parked after the spin (the holder is the
     * collector catching this cache up: a stop need not wait for us meanwhile).
     */
    static void startCatchUp(ThreadCache c, GcHooks parkWith) {
        for (int spins = 0; !c.tryStartCatchUp(); spins++) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else if (parkWith != null) {
                parkWith.whileParked(() -> {
                    while (c.isCatchingUp()) {
                        Thread.yield();
                    }
                    return null;
                });
            } else {
                Thread.yield(); // its holder lost its CPU: a few lock acquisitions are left to it
            }
        }
    }

    /**
     * Holding {@code c}'s catch-up right, before its flush: sweeps the spans it holds that are
     * unswept ({@link #bringUp}'s {@code flushing} case).
     */
    void sweepBeforeFlush(ThreadCache c) {
        bringUp(c, true, null);
    }

    /**
     * Holding {@code c}'s catch-up right: if {@code c} is behind the collector's phase, sweeps
     * every span it holds that is unswept, and while marking marks their free slots
     * ({@link SpanMarks#markFreeSlots}: allocate-black) and counts the cache among those whose
     * black bytes mark termination sums. Returns {@link #NOT_BEHIND}, {@link #CAUGHT_UP}, or
     * {@link #RESTART} (it waited for a lock parked, and the phase moved meanwhile).
     *
     * <p>Each span under its class's central lock, re-read there: the owner's free may adopt a
     * span into the cache under that lock meanwhile (CentralList#adoptLocked; only a swept span,
     * and never while marking), and a sweep there happens once per span (its {@code sweepGen}).
     * Spans are only added to a cache meanwhile (a refill needs the catch-up right), so the
     * racy read of {@link ThreadCache#held} misses none that was held before the phase changed.
     *
     * <p>{@code flushing}: the cache is about to be flushed, maybe by a thread that no stop
     * waits for (a goroutine that has ended, a reaper), so the phase may change meanwhile. Then
     * only the sweep is done: a span swept in a generation that has just ended is filed on the
     * central list of unswept spans by the flush, where the collector's sweep finds it (it
     * waits for this cache first: {@link #catchUpIdle}); its free slots are marked by the cache
     * that takes it next, if that is while marking.
     */
    private int bringUp(ThreadCache c, boolean flushing, GcHooks parkWith) {
        int phase = cycle.phase;
        if (c.phase() == phase) {
            return NOT_BEHIND;
        }
        int gen = cycle.sweepGen;
        boolean marking = !flushing && CycleState.isMarking(phase);
        long[] held = c.held;
        for (int w = 0; w < held.length; w++) {
            for (long bits = held[w]; bits != 0; bits &= bits - 1) {
                int spanClass = (w << 6) + Long.numberOfTrailingZeros(bits);
                CentralList central = centrals[spanClass];
                if (parkWith == null) {
                    SpinLocks.lock(central.lock);
                } else if (SpinLocks.lockParked(central.lock, parkWith) && cycle.phase != phase) {
                    central.lock.unlock();
                    return RESTART; // what was done is done once (a sweep per generation) or harmless again
                }
                try {
                    Span s = c.spans[spanClass];
                    if (s != ThreadCache.EMPTY && s.ownerPlain() == c.thread) {
                        if (s.sweepGen != gen) {
                            central.sweepLocked(s, gen);
                        }
                        if (marking) {
                            SpanMarks.markFreeSlots(s);
                        }
                    }
                } finally {
                    central.lock.unlock();
                }
            }
        }
        if (marking) {
            ReentrantLock lock = registry.lock;
            if (parkWith == null) {
                lock.lock();
            } else if (SpinLocks.lockParked(lock, parkWith) && cycle.phase != phase) {
                lock.unlock();
                return RESTART;
            }
            try {
                registry.countBlackLocked(c);
            } finally {
                lock.unlock();
            }
        }
        c.setPhase(phase);
        return CAUGHT_UP;
    }
}
