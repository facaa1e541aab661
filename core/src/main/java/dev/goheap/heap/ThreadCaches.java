package dev.goheap.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Finds the calling thread's {@link ThreadCache} and keeps the list of all of them, so that
 * caches of threads that ended without flushing do not strand memory.
 *
 * <p>Why a reaper: a thread can end without telling us (no hook runs when a plain thread dies;
 * Netty's thread caches leak exactly there). Every cache is registered; when the number of
 * registered caches reaches twice the number that were live at the last reap, registering a
 * new one first flushes the caches of ended threads. So with N live threads at most about N
 * dead caches wait, the work is amortised O(1) per new thread, and thousands of short-lived
 * threads strand nothing for long. {@link Heap#releaseThreadCache} flushes at once.
 *
 * <p><b>Thread safety:</b> {@link #get} from any thread (each sees its own cache); the list is
 * guarded by {@link #lock}. Lock order: this lock, then central list locks, then a large stripe's
 * lock, then the page heap.
 */
final class ThreadCaches {
    private static final int MIN_REAP_THRESHOLD = 64;

    /** Slots of {@link #byThreadId}: a power of two, larger than the usual count of allocating threads. */
    private static final int ID_SLOTS = 256;

    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    /**
     * The allocation fast path's lookup, in front of {@link #local}: slot {@code threadId % slots}
     * holds the cache of the last thread that looked up its cache there. A hit is one array load
     * and one comparison with the current thread (a {@code ThreadLocal} lookup costs a map probe
     * and a weak reference read: ~17 % of a 64-byte allocate + free). Written with plain stores by
     * any thread, racily: a reader trusts an entry only if its {@code final} {@link
     * ThreadCache#thread} is itself, and a thread only ever stores its own cache, so a lost or
     * stale entry costs a slow lookup, never a wrong cache. Entries are cleared when their cache
     * is released or reaped, so a flushed cache is never used again.
     */
    private final ThreadCache[] byThreadId;
    private final CentralList[] centrals;
    private final LargeObjects large;
    private final CycleState cycle;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayList<ThreadCache> all = new ArrayList<>(); // guarded by lock
    private int reapThreshold = MIN_REAP_THRESHOLD;               // guarded by lock

    ThreadCaches(CentralList[] centrals, LargeObjects large, CycleState cycle) {
        this(centrals, large, cycle, ID_SLOTS);
    }

    /**
     * With {@code idSlots} fast-lookup slots (a power of two): the stress tests use one, so that
     * every thread's lookup races on the same slot.
     */
    ThreadCaches(CentralList[] centrals, LargeObjects large, CycleState cycle, int idSlots) {
        if (idSlots <= 0 || Integer.bitCount(idSlots) != 1) {
            throw new IllegalArgumentException("idSlots " + idSlots + " (expected: a power of two)");
        }
        this.byThreadId = new ThreadCache[idSlots];
        this.centrals = centrals;
        this.large = large;
        this.cycle = cycle;
    }

    /** Returns the calling thread's cache, creating and registering it on first use. */
    ThreadCache get() {
        Thread thread = Thread.currentThread();
        ThreadCache c = byThreadId[slotOf(thread)];
        return c != null && c.thread == thread ? c : getSlow(thread);
    }

    /**
     * Returns the calling thread's cache if its fast-lookup slot holds it, else null: never
     * creates one (a free must not register a cache, nor allocate on the Java heap).
     */
    ThreadCache getIfCached() {
        Thread thread = Thread.currentThread();
        ThreadCache c = byThreadId[slotOf(thread)];
        return c != null && c.thread == thread ? c : null;
    }

    private ThreadCache getSlow(Thread thread) {
        ThreadCache c = local.get();
        if (c == null) {
            c = create();
        }
        byThreadId[slotOf(thread)] = c;
        return c;
    }

    private int slotOf(Thread thread) {
        return (int) thread.threadId() & (byThreadId.length - 1); // the JIT drops the bounds check
    }

    /** Clears {@code c}'s fast-lookup entry, if it still has it. */
    private void forget(ThreadCache c) {
        int slot = slotOf(c.thread);
        if (byThreadId[slot] == c) {
            byThreadId[slot] = null;
        }
    }

    private ThreadCache create() {
        cycle.hooks.checkMutator(); // with a collector, only goroutines (which reach safepoints) allocate
        ThreadCache c = new ThreadCache(Thread.currentThread());
        lock.lock();
        try {
            if (all.size() + 1 >= reapThreshold) {
                reapDeadLocked();
                reapThreshold = Math.max(MIN_REAP_THRESHOLD, 2 * (all.size() + 1));
            }
            all.add(c);
        } finally {
            lock.unlock();
        }
        local.set(c);
        return c;
    }

    /** Flushes and forgets the calling thread's cache, if it has one, and its large stripe's cache. */
    void releaseCurrent() {
        large.flush(Thread.currentThread()); // a thread that allocated only large objects has no cache
        ThreadCache c = local.get();
        if (c == null) {
            return;
        }
        local.remove();
        forget(c);
        c.flush(centrals);
        cycle.markedBytes.add(c.blackBytes); // its allocate-black count outlives it
        lock.lock();
        try {
            all.remove(c);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The heap is closing (no other thread uses it): every cache forgets its spans, without
     * handing them back (their pages go with the chunks), so that the next allocation of any
     * thread meets {@link ThreadCache#EMPTY} and takes the slow path, which refuses it.
     */
    void emptyAll() {
        lock.lock();
        try {
            for (ThreadCache c : all) {
                c.forgetAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Flushes the caches of threads that have ended; returns how many. */
    int reapDead() {
        lock.lock();
        try {
            return reapDeadLocked();
        } finally {
            lock.unlock();
        }
    }

    private int reapDeadLocked() {
        int reaped = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            ThreadCache c = all.get(i);
            // isAlive() == false orders everything the ended thread did before this flush.
            if (!c.thread.isAlive()) {
                forget(c);
                c.flush(centrals);
                large.flush(c.thread);
                cycle.markedBytes.add(c.blackBytes);
                all.remove(i);
                reaped++;
            }
        }
        return reaped;
    }

    /**
     * Sweeps every span the caches hold, in generation {@code gen} (mark termination: the world
     * is stopped, so no owner touches its spans; the central lock orders the merge of parked
     * remote frees). Returns the spans swept.
     */
    int sweepCachedSpans(int gen) {
        return forEachOwnedSpan(SWEEP, gen);
    }

    /**
     * Mark start, world stopped: marks the free slots of every span the caches hold, so that
     * their owners allocate black from them ({@link SpanMarks#markFreeSlots}; spans taken later are
     * marked at refill). A span released meanwhile is marked by whichever cache takes it next.
     */
    void markCachedFreeSlots() {
        forEachOwnedSpan(MARK_FREE_SLOTS, 0);
    }

    /** {@link #forEachOwnedSpan}'s actions: codes, not lambdas, so that the first pause links no call site. */
    private static final int SWEEP = 0;
    private static final int MARK_FREE_SLOTS = 1;

    /**
     * World stopped: runs {@code action} ({@link #SWEEP} in generation {@code gen}, or {@link
     * #MARK_FREE_SLOTS}) on every span a cache holds, under its class's central
     * lock, if the cache still owns it then; returns on how many. Why the owner test: the world
     * is stopped, but a goroutine that has deregistered still runs (its end frees its stack and
     * flushes its cache). Step by step: 1) we read span S from its cache, 2) its ended thread
     * flushes the cache, S goes central (or, empty, back to the page heap: FREE, no bitmaps),
     * 3) we act on S. Under the central lock the owner is exact: a released S is left to its
     * list (filed unswept for the sweeper; marked by the cache that takes it next). (Found by
     * TortureTest: NullPointerException on allocBits in sweepSmall.)
     */
    private int forEachOwnedSpan(int action, int gen) {
        int n = 0;
        lock.lock();
        try {
            for (ThreadCache c : all) {
                long[] held = c.held; // the classes it holds a span of: one or two in most caches
                for (int w = 0; w < held.length; w++) {
                    for (long bits = held[w]; bits != 0; bits &= bits - 1) {
                        n += actOnOwnedSpan(c, (w << 6) + Long.numberOfTrailingZeros(bits), action, gen);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        return n;
    }

    /** {@link #forEachOwnedSpan}'s step for one class of cache {@code c}: 1 if it acted on a span. */
    private int actOnOwnedSpan(ThreadCache c, int spanClass, int action, int gen) {
        Span s = c.spans[spanClass];
        if (s == ThreadCache.EMPTY) {
            return 0; // let go since we read held: a thread that ended and flushed, or no goroutine
        }
        CentralList central = centrals[spanClass];
        central.lock.lock();
        try {
            if (s.ownerPlain() != c.thread) {
                return 0;
            }
            if (action == SWEEP) {
                central.sweepLocked(s, gen);
            } else {
                SpanMarks.markFreeSlots(s);
            }
            return 1;
        } finally {
            central.lock.unlock();
        }
    }

    /** World stopped: returns the bytes the caches allocated black and zeroes their counts. */
    long takeBlackBytes() {
        long sum = 0;
        lock.lock();
        try {
            for (ThreadCache c : all) {
                sum += c.blackBytes;
                c.blackBytes = 0;
            }
        } finally {
            lock.unlock();
        }
        return sum;
    }

    /** Returns the registered caches; their spans may only be read while no thread allocates. */
    List<ThreadCache> snapshot() {
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of registered caches. */
    int count() {
        lock.lock();
        try {
            return all.size();
        } finally {
            lock.unlock();
        }
    }
}
