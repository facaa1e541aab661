package dev.goheap.gc;

import dev.goheap.internal.gc.GcHooks;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the heap calls on the collector from mutator threads ({@link GcHooks}): the safepoint
 * poll at every allocation, the assist charge of a span's free bytes while marking, the trigger
 * and the heap limit, the spare chunk. Each hands the event to the part of the collector that
 * owns it ({@link CycleRunner}'s thread, {@link Assists}, {@link SpareChunks}) and returns:
 * nothing here waits but a dry assist's park and a forced cycle at the heap limit, both at a
 * safepoint.
 *
 * <p><b>Thread safety:</b> any mutator thread; the parts it calls are thread-safe.
 */
final class MutatorHooks implements GcHooks {
    private final CycleRunner runner;
    private final Thread collectorThread;
    private final SpareChunks spareChunks;
    private final Assists assists;
    private final Safepoints safepoints;
    /** A note of {@link #heapGrew} or {@link #spareChunkWanted} waits for its wake-up (under no lock). */
    private volatile boolean wakeNoted;

    MutatorHooks(CycleRunner runner, Thread collectorThread, SpareChunks spareChunks, Assists assists,
            Safepoints safepoints) {
        this.runner = runner;
        this.collectorThread = collectorThread;
        this.spareChunks = spareChunks;
        this.assists = assists;
        this.safepoints = safepoints;
    }

    /**
     * With a collector running, only goroutines (which reach safepoints) and the collector thread
     * may use the heap.
     *
     * @throws IllegalStateException if the calling thread is neither
     */
    static void checkMutator(Thread collectorThread) {
        if (Thread.currentThread() != collectorThread && Goroutine.currentOrNull() == null) {
            throw new IllegalStateException("thread " + Thread.currentThread().getName()
                    + ": not a goroutine (expected: with a collector running, only goroutines use the heap:"
                    + " GoRuntime.go or attach)");
        }
    }

    @Override
    public void heapGrew(long inUseBytes) {
        if (runner.noteTriggered()) {
            wakeNoted = true;
        }
    }

    @Override
    public void spareChunkWanted() {
        if (spareChunks.noteWanted()) {
            wakeNoted = true;
        }
    }

    @Override
    public void wakeCollectorIfNoted() {
        if (wakeNoted) {
            wakeNoted = false; // a racing note sets it again and wakes again: an extra unpark is harmless
            LockSupport.unpark(collectorThread);
        }
    }

    /**
     * A goroutine maps a chunk itself (the spare was not ready): parked, so that a stop does not
     * wait for the milliseconds of mapping; not if it may not park here (inside a handshake
     * action, or the operator of a stop), where it maps as it is.
     */
    @Override
    public <T> T whileParked(Supplier<T> mapping) {
        return safepoints.mayPark() ? safepoints.parked(mapping::get) : mapping.get();
    }

    /**
     * Parks, waits for the lock, and unparks only if that needs no wait; else it lets the lock go
     * before it waits for the stop or handshake (whose work may need the lock), then tries again.
     */
    @Override
    public boolean lockParked(ReentrantLock lock) {
        if (!safepoints.mayPark()) {
            lock.lock();
            return false;
        }
        safepoints.park(); // a safepoint: a pending stop is served here first
        for (;;) {
            lock.lock();
            if (safepoints.tryUnpark()) {
                return true;
            }
            lock.unlock();
            safepoints.unpark(); // waits for the release
            if (lock.tryLock()) {
                return true;
            }
            safepoints.park();
        }
    }

    @Override
    public void heapLimitReached(long requestedBytes) {
        runner.forceCycle();
    }

    @Override
    public void checkMutator() {
        checkMutator(collectorThread);
    }

    @Override
    public void poll() {
        safepoints.poll();
        if (assists.parksOwed()) {
            assists.parkIfOwed(); // a dry assist past the goal waits here, at a safepoint (Assists)
        }
    }

    @Override
    public void allocated(long bytes) {
        assists.charge(bytes);
    }
}
