package dev.goheap.gc;

import dev.goheap.sched.Safepoints;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The parked wait of a dry assist past the goal (Go's {@code gcParkAssist}): {@link Assists}
 * decides that a goroutine owes one ({@link #owe}); the goroutine takes it at its next
 * allocation's poll ({@link #park}), in the {@link AssistQueue}, until the collector's credit
 * covers its debt.
 *
 * <h2>Why a dry assist past the goal waits, and how</h2>
 * While the grey set is dry the collector holds the last grey objects, or is finishing the mark
 * (its termination stop may take several tries): an assist that just returned let its goroutine
 * allocate on, and the heap passed the hard goal (AssistsTest saw 1.31 times the goal on a quiet
 * machine, 1.98 under load). So, once the heap is past the cycle's goal (the point where the
 * pacer's plan has failed; before it, a dry assist returns as it always did, and its debt waits
 * for the next refill), a dry assist that leaves debt makes its goroutine wait:
 * <ol>
 *   <li>The assist, which may run in the middle of a stack operation (a stack block's refill),
 *       does not wait there: it marks the goroutine as owing a park for this cycle
 *       ({@link GreyBuffer#parkCycle}) and raises the flag {@link #owed} reads ({@link #owe}).</li>
 *   <li>The goroutine's next allocation polls ({@link MutatorHooks#poll}: the safepoint at the
 *       start of {@code Heap.allocate} and {@code newObject}, outside every stack operation and
 *       heap lock). While the flag is up, each poll looks up the calling goroutine's
 *       buffer; one that owes a park takes what credit there is, and if that does not cover its
 *       debt, parks ({@link Safepoints#park}: a stop or handshake does not wait for it, and holds
 *       it while it scans its stack) in the {@link AssistQueue}.</li>
 *   <li>It waits until the collector's credit covers its debt (the collector hands its work to
 *       the waiters at every batch, {@link AssistQueue#flush}), or the cycle ends (woken right
 *       after mark termination), or the collector stops, and at most {@link #PARK_MAX_NANOS}
 *       (10 ms): a backstop, after which it allocates at most one span before its next refill
 *       charges it again. Then it unparks (waiting while the world is stopped or a handshake holds it) and allocates.</li>
 * </ol>
 * An earlier version waited inside the assist, at no safepoint: a stop waited for it, which
 * doubled the demo's wall time and made stops miss their deadlines. A parked wait costs a stop
 * nothing. The cost is the owing goroutines' polls: while the flag is up (from the
 * first dry assist past the goal to the cycle's end), every allocation of every goroutine reads
 * a ThreadLocal.
 *
 * <p><b>Thread safety:</b> {@link #owe} and {@link #park} on the owing goroutine; {@link
 * #beginCycle} and {@link #endCycle} on the collector thread with the world stopped, {@link
 * #wake} and {@link #close} with it running; {@link #owed} and the figures from any thread.
 */
final class AssistParks {
    /**
     * The longest a dry assist waits parked: a backstop for a collector that neither credits nor
     * ends its cycle; past it the goroutine allocates one more span at most.
     */
    static final long PARK_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final AssistQueue queue;
    private final Safepoints safepoints;
    private final AssistLog log;
    private final long parkMaxNanos;
    /**
     * Some goroutine owes a park this cycle: its polls must look. Raised by an assist, lowered
     * at mark termination (world stopped); a stale owner's flag is of an older cycle, ignored.
     */
    private volatile boolean owed;
    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong cycleNanos = new AtomicLong();

    /** {@code log}: the assists' busy periods, parks included (MMU with assists counts them). */
    AssistParks(AssistQueue queue, Safepoints safepoints, AssistLog log, long parkMaxNanos) {
        this.queue = queue;
        this.safepoints = safepoints;
        this.log = log;
        this.parkMaxNanos = parkMaxNanos;
    }

    /** Mark start, world stopped. */
    void beginCycle(long cycle) {
        cycleNanos.set(0);
        queue.beginCycle(cycle);
    }

    /** Mark termination, world stopped: no park is owed; parked goroutines wait on until {@link #wake}. */
    void endCycle() {
        owed = false;
    }

    /** After mark termination's stop, world running: wakes the goroutines parked in {@code cycle}. */
    void wake(long cycle) {
        queue.endCycle(cycle);
    }

    /** The collector stopped: no goroutine waits any more. */
    void close() {
        owed = false;
        queue.close();
    }

    /** A dry assist of {@code own}'s goroutine left debt past the goal: it parks at its next poll. */
    void owe(GreyBuffer own, long cycle) {
        own.parkCycle = cycle;
        owed = true;
    }

    /** Whether some goroutine may owe a park: the allocation poll's fast path, one volatile read. */
    boolean owed() {
        return owed;
    }

    /**
     * Parks the calling goroutine (a safepoint: it may stop or run a handshake's action first)
     * in the queue until the collector's credit covers {@code debtWork}, {@code cycle} ends, the
     * collector stops, or {@link #PARK_MAX_NANOS} pass; returns the mark work credited to it
     * (taken at once if there was enough, or handed to it while it waited).
     */
    long park(GreyBuffer own, long cycle, long debtWork, MarkWork work) {
        AssistQueue.Waiter w = own.waiter();
        long start = log.begin();
        long end;
        boolean waited = false;
        safepoints.park(); // a safepoint: it may stop here first, or run a handshake's action
        try {
            if (queue.enqueue(w, cycle, debtWork, work)) {
                waited = true;
                AssistQueue.await(w, start + parkMaxNanos);
                queue.leave(w);
            }
        } finally {
            try {
                safepoints.unpark(); // waits while the world is stopped or a handshake holds it
            } finally {
                end = log.end();
            }
        }
        if (waited) {
            long nanos = end - start;
            count.increment();
            totalNanos.add(nanos);
            cycleNanos.addAndGet(nanos);
        }
        return w.gotWork;
    }

    /** Returns the number of dry assists that waited parked so far. */
    long count() {
        return count.sum();
    }

    /** Returns the time dry assists waited parked, summed over goroutines. */
    long totalNanos() {
        return totalNanos.sum();
    }

    /** Returns the parked time of the cycle marking now (or last marked), summed over goroutines. */
    long cycleNanos() {
        return cycleNanos.get();
    }

    /** Returns the number of goroutines waiting parked now (a racy snapshot, for tests). */
    int parkedNow() {
        return queue.size();
    }
}
