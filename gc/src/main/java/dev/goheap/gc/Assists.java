package dev.goheap.gc;

import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.Safepoints;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.EventType;

/**
 * Mutator assists (Go's {@code gcAssistAlloc}): while the collector marks, a goroutine that
 * allocates pays for it with mark work, in proportion to how far marking is behind, so that
 * marking finishes near the heap goal even when allocation outruns the collector thread.
 *
 * <h2>The debt</h2>
 * Each goroutine keeps a balance in allocation bytes ({@link GreyBuffer#assistBytes}, Go's
 * {@code gcAssistBytes}). The heap charges it at a span refill (the span's free bytes) or a
 * large allocation ({@code GcHooks.allocated}), never per object: the allocation fast path
 * carries no new cost. A negative balance is debt; it converts to mark work at the assist ratio
 * ({@link Pacer#assistWorkPerByte}: remaining mark work over remaining heap distance to the
 * goal), and is paid, in order:
 * <ol>
 *   <li>by claiming unclaimed work ({@link MarkWork#steal}, Go's {@code bgScanCredit}): the
 *       collector thread's, and the write-barrier shades that goroutines publish at their
 *       refills (this one's first, published just before): if the collector keeps up, no
 *       goroutine ever marks;</li>
 *   <li>else by draining grey objects itself ({@link Marker#drainBatch}, batches of
 *       {@link #BATCH}), at least {@link #MIN_WORK_BYTES} at a time (Go's
 *       {@code gcOverAssistWork}) so that assists are few; work beyond the debt becomes credit
 *       for later allocation.</li>
 * </ol>
 * An assist stops at its debt, at the first batch boundary past {@link GcConfig#maxAssist}, at
 * the first batch boundary after a stop or handshake is requested (its goroutine then reaches its
 * next poll within one batch, not within the slice), or when the grey set is dry. Debt left
 * unpaid stays and is charged again at the next refill.
 *
 * <h2>A dry assist past the goal waits, parked (Go's {@code gcParkAssist})</h2>
 * Once the heap is past the cycle's goal, a dry assist that leaves debt does not return to
 * allocate on: its goroutine owes a park, taken at its next allocation's poll
 * ({@link #parkIfOwed}; the wait itself and why it is safe: {@link AssistParks}).
 *
 * <h2>What an assist costs the mutator, and the bound</h2>
 * An assist is mutator time lost, not a stop: it runs on the allocating goroutine while the
 * others run. Each is at most {@code maxAssist} plus one batch (128 objects, a large one scanned
 * whole), and is recorded: its count and time in {@link MemStats}, its busy period in
 * {@link AssistLog} (kind {@code ASSIST}), so that {@link Collector#mutatorUtilisation} with
 * assists counts it. When the heap reaches its goal while marking is far behind, the ratio grows
 * steeply and nearly every refill assists for a whole slice: the allocating goroutine runs at a
 * fraction of its speed until marking catches up. The pause bound (B stopped in every W) is
 * about stops only and is unaffected; MMU "stopped only" is that bound, MMU "with assists" is
 * what an allocating goroutine feels, and only the first has a guaranteed floor.
 *
 * <h2>Why it is safe</h2>
 * An assist runs with no heap lock held (the heap calls it after releasing them) and contains
 * no safepoint: a stop waits for it to finish (adding at most a slice to the time to
 * safepoint), so mark termination never finds a batch held by an assist, and a goroutine's
 * stack is never scanned mid-assist. It may run in the middle of a stack operation; it touches
 * no stack. Several drainers are safe by the protocol in {@link WorkQueue} and {@link Marker}.
 * The park is the one wait, and it is not inside an assist: it comes at the poll that starts an
 * allocation (no stack operation in progress, no heap lock held, no batch held), as a
 * {@link Safepoints#park}, so a stop does not wait for the parked goroutine and a
 * handshake scans its stack on the collector's thread. It is skipped where a park is refused or
 * would wait on the caller itself ({@link Safepoints#mayPark}: inside a handshake action, or on
 * the operator of a stop). While parked the goroutine touches only its balance and the
 * {@link AssistQueue}; it wakes by the queue's protocol, which loses no wake-up.
 *
 * <p><b>Thread safety:</b> {@link #charge} on any mutator thread; {@link #parkIfOwed} on a
 * goroutine at its allocation's poll; {@link #beginCycle} and {@link #endCycle} on the collector
 * thread with the world stopped, {@link #wakeParked} and {@link #close} on it with the world
 * running; the figures from any thread.
 */
final class Assists {
    /**
     * Grey objects per assist batch: a few microseconds of scanning for small objects, so the
     * slice is overrun by little, yet few trips to the queue's lock, which the collector holds
     * too (a virtual thread that blocks on it waits for a carrier to run again).
     */
    static final int BATCH = 128;
    /** The least work an assist does once it marks (Go's {@code gcOverAssistWork}, 64 KiB). */
    static final long MIN_WORK_BYTES = 64 << 10;
    /** The longest a dry assist waits parked: {@link AssistParks#PARK_MAX_NANOS}. */
    static final long PARK_MAX_NANOS = AssistParks.PARK_MAX_NANOS;
    private static final EventType EVENT = EventType.getEventType(GcEvents.Assist.class);

    /** One cycle's pacing inputs, fixed at mark start. */
    private record Target(long cycle, long goalBytes, long hardGoalBytes, long expectedWorkBytes, long worstWorkBytes) {}

    private final HeapForGc heap;
    private final Barrier barrier;
    private final Marker marker;
    private final MarkWork work;
    private final Safepoints safepoints;
    private final boolean enabled;
    private final long maxAssistNanos;
    private final Thread collectorThread;
    private final AssistLog log = new AssistLog();
    private final AssistParks parks;
    private volatile Target target; // null: not marking

    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAdder workBytes = new LongAdder();
    private final AtomicLong cycleCount = new AtomicLong();
    private final AtomicLong cycleNanos = new AtomicLong();

    /** {@code parkMaxNanos}: the longest park ({@link #PARK_MAX_NANOS}; tests take longer, to see the wake-ups). */
    Assists(HeapForGc heap, Barrier barrier, Marker marker, MarkWork work, AssistQueue queue, Safepoints safepoints,
            GcConfig config, Thread collectorThread, long parkMaxNanos) {
        this.heap = heap;
        this.barrier = barrier;
        this.marker = marker;
        this.work = work;
        this.safepoints = safepoints;
        this.enabled = config.assists();
        this.maxAssistNanos = config.maxAssist().toNanos();
        this.collectorThread = collectorThread;
        this.parks = new AssistParks(queue, safepoints, log, parkMaxNanos);
        try {
            MethodHandles.lookup().ensureInitialized(Target.class); // loaded here, not in the first mark start's pause
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Mark start, world stopped: assists are owed from now on against {@code goalBytes} (which
     * may move out to {@code hardGoalBytes} if the live heap grew, {@link Pacer#assistWorkPerByte}),
     * for mark work expected to be {@code expectedWorkBytes} (last cycle's shaded bytes) and at
     * most {@code worstWorkBytes} (the bytes in use now).
     */
    void beginCycle(long cycle, long goalBytes, long hardGoalBytes, long expectedWorkBytes, long worstWorkBytes) {
        work.reset();
        cycleCount.set(0);
        cycleNanos.set(0);
        target = new Target(cycle, goalBytes, hardGoalBytes, expectedWorkBytes, worstWorkBytes);
        parks.beginCycle(cycle);
    }

    /**
     * Mark termination, world stopped: no assist is running (none has a safepoint), none starts,
     * and no park is owed. Assists parked meanwhile wait on until {@link #wakeParked}.
     */
    void endCycle() {
        target = null;
        parks.endCycle();
    }

    /**
     * After mark termination's stop, world running: wakes the assists parked in {@code cycle}
     * (woken here rather than in the stop, where their wake-ups would only take CPU from it to
     * wait for its release). An assist that enqueues after this is refused.
     */
    void wakeParked(long cycle) {
        parks.wake(cycle);
    }

    /** The collector stopped: no assist waits any more. */
    void close() {
        target = null;
        parks.close();
    }

    /**
     * Charges {@code bytes} of allocation to the calling goroutine and, if that leaves it in debt
     * beyond the collector's unclaimed work, has it mark for a bounded time. A no-op when not
     * marking, with assists off, or on the collector thread.
     */
    void charge(long bytes) {
        Target t = target;
        if (t == null || !enabled || Thread.currentThread() == collectorThread) {
            return;
        }
        GreyBuffer own = barrier.bufferOrNull();
        if (own == null) {
            return; // not a goroutine: refused elsewhere (its pointer stores), no debt here
        }
        if (own.assistCycle != t.cycle) {
            own.assistCycle = t.cycle; // Go zeroes every G's balance at the cycle's end; lazily here
            own.assistBytes = 0;
        }
        // What this goroutine's write barriers shaded since it last refilled is mark work done:
        // publish it before measuring progress (else the ratio overcharges), as claimable credit.
        work.addMutator(own.takeUnpublishedBytes());
        own.assistBytes -= bytes;
        if (own.assistBytes >= 0) {
            return;
        }
        double workPerByte = Pacer.assistWorkPerByte(t.expectedWorkBytes, work.doneBytes(), t.worstWorkBytes,
                t.goalBytes, t.hardGoalBytes, heap.inUseBytes());
        long debtBytes = -own.assistBytes;
        long debtWork = (long) Math.ceil(debtBytes * workPerByte);
        long stolen = work.steal(debtWork);
        if (stolen >= debtWork) {
            own.assistBytes = 0;
            return;
        }
        credit(own, stolen / workPerByte);
        boolean dry = assist(own, t, debtWork - stolen, workPerByte);
        if (dry && own.assistBytes < 0 && heap.inUseBytes() >= t.goalBytes) {
            parks.owe(own, t.cycle); // not here, maybe in the middle of a stack operation: at its next poll
        }
    }

    /** Whether some goroutine may owe a park: {@link MutatorHooks#poll}'s fast path, one volatile read. */
    boolean parksOwed() {
        return parks.owed();
    }

    /**
     * At a safepoint poll at the start of an allocation (no stack operation in progress, no heap
     * lock held): if the calling goroutine owes a park this cycle and credit does not cover its
     * debt, parks it until the credit does, the cycle ends or the collector stops, at most
     * {@link #PARK_MAX_NANOS}.
     */
    void parkIfOwed() {
        Target t = target;
        GreyBuffer own = barrier.localOrNull();
        if (t == null || own == null || own.parkCycle != t.cycle) {
            return;
        }
        own.parkCycle = 0;
        if (own.assistBytes >= 0 || !safepoints.mayPark()) {
            return; // paid meanwhile, or a goroutine that may not wait (in an action, or an operator)
        }
        double workPerByte = Pacer.assistWorkPerByte(t.expectedWorkBytes, work.doneBytes(), t.worstWorkBytes,
                t.goalBytes, t.hardGoalBytes, heap.inUseBytes());
        long debtWork = (long) Math.ceil(-own.assistBytes * workPerByte);
        // Credit of an ended cycle lands in a balance that the next cycle's first charge zeroes.
        credit(own, parks.park(own, t.cycle, debtWork, work) / workPerByte);
    }

    /**
     * Marks at least {@code debtWork} (at least {@link #MIN_WORK_BYTES}), within the slice; if
     * the grey set runs dry first, claims the collector's credit and returns. Returns whether it
     * found the grey set dry.
     */
    private boolean assist(GreyBuffer own, Target t, long debtWork, double workPerByte) {
        GcEvents.Assist event = EVENT.isEnabled() ? new GcEvents.Assist() : null;
        if (event != null) {
            event.begin();
        }
        long[] batch = own.batch(BATCH);
        long wanted = Math.max(debtWork, MIN_WORK_BYTES);
        long markedBefore = own.markedBytes;
        long objects = 0;
        long stolen = 0; // credit claimed while the grey set was dry
        boolean dry = false;
        long start = log.begin();
        long end;
        try {
            long deadline = start + maxAssistNanos;
            while (own.markedBytes - markedBefore < wanted) {
                int n = marker.drainBatch(own, batch);
                objects += n;
                if (n == 0) {
                    // Dry: claim what the collector did meanwhile, and return either way.
                    stolen += work.steal(debtWork - (own.markedBytes - markedBefore));
                    dry = true;
                    break;
                }
                // A pending stop ends the assist at this batch: its goroutine polls at its next
                // allocation instead of holding the stop up for the rest of the slice.
                if (System.nanoTime() - deadline >= 0 || safepoints.actionPending()) {
                    break;
                }
            }
        } finally {
            end = log.end();
        }
        long done = own.markedBytes - markedBefore;
        own.takeUnpublishedBytes(); // exactly done: charge() published what this buffer marked before
        work.addAssist(done);
        credit(own, (done + stolen) / workPerByte);
        long nanos = end - start;
        count.increment();
        totalNanos.add(nanos);
        workBytes.add(done);
        cycleCount.incrementAndGet();
        cycleNanos.addAndGet(nanos);
        if (event != null) {
            event.end();
            event.cycle = t.cycle;
            event.debtBytes = debtWork;
            event.workBytes = done;
            event.objects = objects;
            event.commit();
        }
        return dry;
    }

    /** Adds {@code bytes} to the balance, saturating: a tiny ratio (no goal) makes huge credits. */
    private static void credit(GreyBuffer own, double bytes) {
        own.assistBytes = (long) Math.min(Long.MAX_VALUE / 2.0, own.assistBytes + bytes);
    }

    // ------------------------------------------------------------------ figures

    /** Returns the number of assists so far. */
    long count() {
        return count.sum();
    }

    /** Returns the time goroutines spent assisting, summed over goroutines. */
    long totalNanos() {
        return totalNanos.sum();
    }

    /** Returns the bytes assists marked. */
    long workBytes() {
        return workBytes.sum();
    }

    /** Returns the assists of the cycle marking now (or last marked, until the next starts). */
    long cycleCount() {
        return cycleCount.get();
    }

    /** Returns the bytes assists marked in the cycle marking now (or last marked). */
    long cycleWorkBytes() {
        return work.assistBytes();
    }

    /** Returns the assist time of the cycle marking now (or last marked), summed over goroutines. */
    long cycleNanos() {
        return cycleNanos.get();
    }

    /** Returns the number of dry assists that waited parked so far. */
    long parks() {
        return parks.count();
    }

    /** Returns the time dry assists waited parked, summed over goroutines. */
    long parkNanos() {
        return parks.totalNanos();
    }

    /** Returns the parked time of the cycle marking now (or last marked), summed over goroutines. */
    long cycleParkNanos() {
        return parks.cycleNanos();
    }

    /** Returns the calling goroutine's assist balance (for tests): negative is debt. */
    long balanceOfCurrent() {
        GreyBuffer own = barrier.localOrNull();
        return own == null ? 0 : own.assistBytes;
    }

    /** Returns the number of assists waiting parked now (a racy snapshot, for tests). */
    int parkedNow() {
        return parks.parkedNow();
    }

    AssistLog log() {
        return log;
    }
}
