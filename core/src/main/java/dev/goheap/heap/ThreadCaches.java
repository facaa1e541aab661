package dev.goheap.heap;

import dev.goheap.internal.gc.GcHooks;
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
    /** Brings caches up to the collector's phase (the lazy phase change, see {@link ThreadCache}). */
    final CacheCatchUp catchUps;

    final ReentrantLock lock = new ReentrantLock(); // the registry's (package-visible for tests)
    private final ArrayList<ThreadCache> all = new ArrayList<>(); // guarded by lock
    /** The caches that caught up with the current mark phase or were made in it: guarded by lock. */
    private final ArrayList<ThreadCache> countingBlack = new ArrayList<>();
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
        this.catchUps = new CacheCatchUp(this, centrals, cycle);
    }

    /** Returns the calling thread's cache, creating and registering it on first use. */
    ThreadCache get() {
        return get(false);
    }

    /**
     * Returns the calling thread's cache, creating and registering it on first use; {@code
     * mayPark}: the caller is a goroutine at its allocation's safepoint, which may wait for the
     * registry's lock parked ({@link #create}).
     */
    ThreadCache get(boolean mayPark) {
        Thread thread = Thread.currentThread();
        ThreadCache c = byThreadId[slotOf(thread)];
        return c != null && c.thread == thread ? c : getSlow(thread, mayPark);
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

    private ThreadCache getSlow(Thread thread, boolean mayPark) {
        ThreadCache c = local.get();
        if (c == null) {
            c = create(mayPark);
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

    /**
     * Makes and registers the calling thread's cache. With {@code mayPark}, a goroutine at its
     * allocation's safepoint waits for a contended lock parked ({@link SpinLocks#lockParked}):
     * thousands of goroutines starting at once each register a cache on their first push, and
     * queued for the lock running, they held up every stop for the whole queue (the
     * many-goroutines runner, at start-up). The phase is read once the lock is held: a stop may
     * have come while it waited, and from then until its next safepoint none can.
     */
    private ThreadCache create(boolean mayPark) {
        GcHooks hooks = cycle.hooks;
        hooks.checkMutator(); // with a collector, only goroutines (which reach safepoints) allocate
        if (mayPark) {
            SpinLocks.lockParked(lock, hooks);
        } else {
            lock.lock();
        }
        ThreadCache c;
        try {
            int phase = cycle.phase;
            c = new ThreadCache(Thread.currentThread(), phase);
            if (all.size() + 1 >= reapThreshold) {
                reapDeadLocked();
                reapThreshold = Math.max(MIN_REAP_THRESHOLD, 2 * (all.size() + 1));
            }
            c.allIndex = all.size();
            all.add(c);
            if (CycleState.isMarking(phase)) {
                countBlackLocked(c); // it allocates black from its first object
            }
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
        // A goroutine that has ended gets here whenever its thread does, past any stop: catch
        // up first, so that no span goes central unswept after the collector's last look at
        // this cache (catchUpIdle waits for us meanwhile).
        CacheCatchUp.startCatchUp(c, null);
        try {
            catchUps.sweepBeforeFlush(c);
            c.flush(centrals);
        } finally {
            c.endCatchUp();
        }
        lock.lock();
        try {
            uncountBlackLocked(c);
            if (c.allIndex >= 0) {
                removeLocked(c.allIndex);
            }
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

    /**
     * Takes the cache at {@code i} out of {@link #all} in constant time: the last one takes its
     * place. Why: 10 000 goroutines that end at once each removed their cache by a search of the
     * list under the lock (microseconds each), and a pause's work queued behind them.
     */
    private void removeLocked(int i) {
        ThreadCache gone = all.get(i);
        ThreadCache last = all.remove(all.size() - 1);
        if (last != gone) {
            all.set(i, last);
            last.allIndex = i;
        }
        gone.allIndex = -1;
    }

    private int reapDeadLocked() {
        int reaped = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            ThreadCache c = all.get(i);
            // isAlive() == false orders everything the ended thread did before this flush. A cache
            // the collector is catching up now is left for the next reap.
            if (!c.thread.isAlive() && c.tryStartCatchUp()) {
                try {
                    forget(c);
                    catchUps.sweepBeforeFlush(c); // no span goes central unswept (see releaseCurrent)
                    c.flush(centrals);
                } finally {
                    c.endCatchUp();
                }
                large.flush(c.thread);
                uncountBlackLocked(c);
                removeLocked(i); // from the end down: the cache moved to i was looked at already
                reaped++;
            }
        }
        return reaped;
    }

    /** Adds {@code c} to the caches whose black bytes mark termination sums, once per cycle. */
    void countBlackLocked(ThreadCache c) {
        if (!c.countsBlack) {
            c.countsBlack = true;
            countingBlack.add(c);
        }
    }

    /** Takes {@code c} out of {@link #countingBlack}, its black bytes into the cycle's count. */
    private void uncountBlackLocked(ThreadCache c) {
        cycle.markedBytes.add(c.blackBytes); // its allocate-black count outlives it
        c.blackBytes = 0;
        if (c.countsBlack) {
            c.countsBlack = false;
            countingBlack.remove(c);
        }
    }

    /**
     * Returns the bytes allocated black since the last call (the caches' counts and {@link
     * CycleState#markedBytes}) and zeroes the counts. Called after mark termination's pause, not
     * in it: only caches that caught up with the mark phase (or were made in it) can have
     * allocated black, so the sum visits those, and with thousands of goroutines those are
     * thousands. Their counts no longer move: a cache adds to its count only while its phase is
     * a marking one, and each owner catches up with termination's phase before it allocates
     * again. The adder is read under {@link #lock} too, after the list: a cache that leaves the
     * list meanwhile ({@link #uncountBlackLocked}) has moved its count there, so none is lost or
     * counted twice. Counts not taken carry into the next call's sum.
     */
    long takeBlackBytes() {
        long sum = 0;
        lock.lock();
        try {
            for (ThreadCache c : countingBlack) {
                sum += c.blackBytes;
                c.blackBytes = 0;
                c.countsBlack = false;
            }
            countingBlack.clear();
            return sum + cycle.markedBytes.sumThenReset();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the registered caches into {@code scratch} if they fit, else into a new array, with
     * null after the last; returns the array.
     */
    ThreadCache[] copyAll(ThreadCache[] scratch) {
        lock.lock();
        try {
            return all.toArray(scratch.length >= all.size() ? scratch : new ThreadCache[all.size()]);
        } finally {
            lock.unlock();
        }
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
