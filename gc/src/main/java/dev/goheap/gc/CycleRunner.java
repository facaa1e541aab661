package dev.goheap.gc;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.heap.HeapStats;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.Goroutine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The collector's background thread and one cycle's phases (Go's {@code gcStart},
 * {@code gcMarkDone}, {@code gcMarkTermination}, {@code bgsweep}), in order:
 * <ol>
 *   <li>finish sweeping the last cycle's spans (concurrent);</li>
 *   <li>pause: turn on allocate-black and the write barrier;</li>
 *   <li>concurrent mark: shade the roots ({@link RootMarking}: the data segment's and the pins'
 *       pointers, and every goroutine's stack at a handshake), drain the grey set,
 *       while allocating goroutines assist when allocation outruns marking ({@link Assists});</li>
 *   <li>pause: drain the mutators' grey buffers and finish the grey set within the pause budget;
 *       if it does not fit, resume the world and go back to 3 (never overrun);
 *       else turn the barrier off and start the new sweep generation; once the world runs
 *       again, wake the assists parked in the cycle ({@link Assists#wakeParked});</li>
 *   <li>measure the mark's cons/mark ratio ({@link Pacer#endCycle}) and set the next goal and
 *       trigger from it and the marked bytes; sweep in the background.</li>
 * </ol>
 * Between cycles the thread sweeps until no span is left unswept, and only then compares the
 * bytes in use with the trigger (they count the last cycle's garbage until it is swept); below
 * it, while the heap maps more than the scavenger's goal, it gives a fully free chunk back to the
 * OS per idle wait ({@link HeapForGc#scavengeOne}): with a collector, the only way chunks go back
 * (no sweep or free closes one), and the close runs on this thread holding no heap lock.
 *
 * <p><b>Thread safety:</b> the phases run on the collector thread, but the pauses' work (step 2,
 * and 4's drain and {@link #terminate}) may run on the goroutine that completed the stop, while
 * the collector thread waits for it ({@link Pauses}); the fields "collector thread" below are
 * written there too, ordered by the stop's handoff. {@link #forceCycle}, the
 * hooks and the getters on any thread, through {@link CycleSequence} and volatile fields.
 */
final class CycleRunner {
    private static final System.Logger TRACE = System.getLogger("dev.goheap.gc");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long IDLE_WAIT_NANOS = 100_000_000;
    private static final int SWEEP_BATCH = 64;
    /** The batch of a sweep the cycle waits for (HeapForGc#finishSweep's). */
    private static final int FINISH_SWEEP_BATCH = 256;

    private final GoRuntime runtime;
    private final HeapForGc heap;
    private final GcConfig config;
    private final Safepoints safepoints;
    private final WorkQueue queue = new WorkQueue();
    private final MarkWork markWork = new MarkWork();
    private final AssistQueue assistQueue = new AssistQueue();
    private final Barrier barrier;
    private final Marker marker;
    private final Assists assists;
    private final Pacer pacer;
    private final Pauses pauses;
    private final Thread thread;
    private final SpareChunks spareChunks;
    private final RootMarking roots;
    private final long startNanos = System.nanoTime();

    private final CycleSequence cycles = new CycleSequence();
    private volatile boolean triggered;
    private volatile boolean marking;
    private volatile long lastMarkedBytes;
    private volatile double maxHeapOverGoal; // written by the collector thread only
    private long lastShadedBytes; // collector thread: last cycle's marked bytes but allocate-black
    private long heapAtMarkStart; // collector thread: the bytes in use at this cycle's mark start
    private long markEndNanosOfCycle; // collector thread: when this cycle's marking ended (world stopped)
    private long heapAtMarkEndOfCycle; // collector thread: the heap in use then (world stopped)
    private volatile long collectorCpuNanos;
    private volatile String checkFailure; // the checking mode's first finding
    private volatile Throwable failure;   // what ended the collector thread, if it failed
    private volatile boolean giveUp;      // closing, and the cycle took too long: abandon it at the next retry
    private volatile String abandoned;    // why the cycle in progress was given up, if it was
    private final HeapChecker checker;
    private final MutatorHooks hooks;

    CycleRunner(GoRuntime runtime, HeapForGc heap, GcConfig config, Pins pins) {
        this.runtime = runtime;
        this.heap = heap;
        this.config = config;
        this.safepoints = runtime.safepoints();
        this.thread = Thread.ofPlatform().daemon().name("goheap-gc").unstarted(this::run);
        this.barrier = new Barrier(heap, queue, () -> MutatorHooks.checkMutator(thread));
        this.spareChunks = new SpareChunks(heap);
        this.marker = new Marker(heap, queue, barrier, markWork, assistQueue, spareChunks::serve);
        this.assists = new Assists(heap, barrier, marker, markWork, assistQueue, safepoints, config, thread,
                Assists.PARK_MAX_NANOS);
        this.roots = new RootMarking(runtime.fixedSegments(), pins, safepoints, barrier, marker, markWork);
        this.pacer = new Pacer(config.gogc(), config.memoryLimitBytes());
        this.pauses = new Pauses(safepoints, config);
        this.checker = new HeapChecker(runtime, heap, pins);
        this.hooks = new MutatorHooks(this, thread, spareChunks, assists, safepoints);
    }

    void start() {
        PauseWarmUp.run(runtime);
        heap.setTriggerBytes(pacer.triggerBytes());
        heap.setHooks(hooks);
        thread.start();
    }

    // ------------------------------------------------------------------ for MutatorHooks (mutator threads)

    /**
     * The heap reached the trigger: notes it, once per check of the trigger, and returns whether
     * this call noted it (the caller then wakes the collector thread, outside the heap's locks).
     */
    boolean noteTriggered() {
        if (!triggered) {
            triggered = true;
            return true;
        }
        return false;
    }

    Barrier barrierIfMarking() {
        return marking ? barrier : null;
    }

    // ------------------------------------------------------------------ forced cycles

    /** Requests a whole cycle that starts after now and waits for it (parked, if a goroutine). */
    void forceCycle() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("gc: called from the collector thread");
        }
        boolean park = Goroutine.currentOrNull() != null;
        if (park) {
            safepoints.park();
        }
        try {
            cycles.awaitNextCycle(() -> LockSupport.unpark(thread), () -> failure);
        } finally {
            if (park) {
                safepoints.unpark();
            }
        }
    }

    // ------------------------------------------------------------------ the background thread

    private void run() {
        try {
            while (true) {
                CycleSequence.Next next = cycles.next();
                if (next == CycleSequence.Next.STOP) {
                    return;
                }
                spareChunks.serve();
                if (next == CycleSequence.Next.FORCED) {
                    runCycle(true);
                    continue;
                }
                // The trigger is compared with a swept heap only: until the last cycle's spans
                // are swept, the bytes in use still count its garbage (right after a cycle, the
                // heap at mark end), and comparing them started a useless cycle at once.
                if (heap.sweepSome(SWEEP_BATCH)) {
                    continue;
                }
                triggered = false; // before the check: heapGrew after it unparks the park below
                if (heap.inUseBytes() >= pacer.triggerBytes()) {
                    runCycle(false);
                } else {
                    // The scavenger's pace: a chunk per idle wait at most (40 MiB/s), so that a
                    // heap whose goal swings from cycle to cycle does not give back much of what
                    // the next cycle maps again, each an arena's close (a handshake with every JVM
                    // thread) and a zero-filled map; Go paces its background scavenger too.
                    heap.scavengeOne();
                    LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
                }
            }
        } catch (CycleAbandonedException e) {
            abandoned = e.getMessage() + (marking ? ", in its marking phase" : ", before it started marking")
                    + "; the last stop waited for: " + safepoints.lastStopReport();
        } catch (IllegalStateException closedUnderUs) {
            if (!runtime.isClosed()) {
                failure = closedUnderUs;
                throw closedUnderUs;
            }
        } catch (RuntimeException | Error e) {
            failure = e; // reported to gc() callers; the thread's uncaught handler prints it too
            throw e;
        } finally {
            assists.close(); // parked assists wait for nothing any more
            heap.setHooks(null);
            cycles.stop();
        }
    }

    private void runCycle(boolean force) {
        long cycle = completedCycles() + 1;
        long cycleStartNanos = System.nanoTime();
        long heapAtStart = heap.inUseBytes();
        long cycleTrigger = pacer.triggerBytes();
        CycleTrace trace = new CycleTrace(cycle, force, startNanos, heapAtStart, cycleTrigger, pacer.consMark(),
                pacer.goalBytes());
        finishSweep();
        trace.phase("sweep termination");

        // 2. Start: allocate-black and the barrier on, with every mutator at a safepoint.
        pauses.run(PauseKind.MARK_START, cycle, this::givingUp, deadline -> {
            heap.startMark();
            runtime.heap().setWriteBarrier(barrier);
            marking = true;
            heapAtMarkStart = heap.inUseBytes();
            assists.beginCycle(cycle, pacer.goalBytes(), pacer.hardGoalBytes(), lastShadedBytes, heapAtMarkStart);
            cycles.cycleStarted();
            return true;
        });
        trace.phase("mark start");

        // 3. Concurrent mark.
        roots.markRoots(this::givingUp);
        marker.drain(Long.MAX_VALUE);
        trace.phase("concurrent mark");

        // 4. Termination, retried while it does not fit its budget. In checking mode, one
        //    unbounded pause that also walks the graph before anything is swept.
        if (config.checking()) {
            pauses.runUnbounded(cycle, this::givingUp, () -> {
                barrier.drainAllBuffers();
                marker.drainStopped(Long.MAX_VALUE);
                String failure = checker.check(safepoints);
                if (failure != null && checkFailure == null) {
                    checkFailure = "cycle " + cycle + ": " + failure;
                }
                terminate();
            });
        } else {
            while (!pauses.run(PauseKind.MARK_TERMINATION, cycle, this::givingUp, deadline -> {
                barrier.drainAllBuffers();
                if (!marker.drainStopped(deadline)) {
                    return false;
                }
                terminate();
                return true;
            })) {
                trace.retry();
                marker.drain(Long.MAX_VALUE); // what did not fit, concurrently; then try again
            }
        }
        assists.wakeParked(cycle);
        // The counts of what was marked, summed after the pause: they visit every goroutine's
        // grey buffer and thread cache that marked or allocated this cycle (thousands with as
        // many goroutines, 2-5 ms of termination before), and none of them moves any more.
        lastShadedBytes = barrier.takeMarkedBytes();
        long marked = heap.takeAllocatedBlackBytes() + lastShadedBytes;
        long markEndNanos = markEndNanosOfCycle; // taken in terminate(), with the world stopped
        trace.phase("mark termination");
        // The cycle's peak, taken in terminate() with the world stopped, as Go reads heapLive at
        // mark termination. Why not here: the world runs again and no assist holds it back, so
        // a goroutine allocating flat out added up to a fifth of the goal before the collector
        // thread got here (AssistsTest saw heap/goal 1.29-1.48 on a quiet machine), which the
        // pacer then read as growth during marking.
        long heapAtMarkEnd = heapAtMarkEndOfCycle;
        long cycleGoal = pacer.goalBytes();
        if (cycleGoal != Long.MAX_VALUE) {
            // What concurrent marking let the heap grow to, past the goal or past where marking
            // started if the mark-start stop came late (assists cannot act before marking starts).
            maxHeapOverGoal = Math.max(maxHeapOverGoal, (double) heapAtMarkEnd / Math.max(cycleGoal, heapAtMarkStart));
        }
        trace.assists(assists.cycleCount(), assists.cycleNanos());

        // 5. Pace the next cycle; sweep in the background (allocators sweep what they need).
        //    A forced cycle starts wherever the heap is: its allocation says nothing of the runway.
        if (!force) {
            int mutatorCpus = Math.max(1, Math.min(safepoints.mutatorCount(),
                    Runtime.getRuntime().availableProcessors() - 1));
            pacer.endCycle(new Pacer.MarkCycle(Math.min(heapAtStart, cycleTrigger), heapAtMarkEnd, lastShadedBytes,
                    assists.cycleWorkBytes(), assists.cycleNanos() + assists.cycleParkNanos(), // parked: not allocating
                    markEndNanos - cycleStartNanos, mutatorCpus));
        }
        lastMarkedBytes = marked;
        pacer.onMarkDone(marked, lastShadedBytes);
        heap.setTriggerBytes(pacer.triggerBytes());
        // Go's scavenger keeps what the next cycle will map anyway (its goal plus 10 %): with a
        // fixed retain (16 MiB by default), the demo gave back and mapped again ~400 chunks a
        // run at depth 21, each a shared arena's close (a handshake with every JVM thread) and
        // a 4 MiB zero-fill.
        long goal = pacer.goalBytes();
        heap.setRetainGoalBytes(goal > Long.MAX_VALUE / 2 ? 0 : goal + goal / 10);
        // gc() promises a swept heap, mapped down to the scavenger's goal, also when the cycle
        // that answers it is a paced one that started just after the call: returning before the
        // sweep left the garbage mapped (ScavengeGoalTest, loaded: 128 and 144 MiB, goal 88).
        if (force || cycles.isAwaited(cycle)) {
            finishSweep();
            while (heap.scavengeOne()) {
                spareChunks.serve();
            }
        }
        trace.phase("sweep");
        collectorCpuNanos = THREADS.getCurrentThreadCpuTime();
        cycles.cycleCompleted(force);
        trace.done(marked, heapAtMarkEnd, safepoints.mutatorCount(), cpuFraction());
        if (config.gctrace()) {
            TRACE.log(System.Logger.Level.INFO, trace.line());
        }
    }

    /** {@link HeapForGc#finishSweep}, with the collector's chores between batches. */
    private void finishSweep() {
        while (heap.sweepSome(FINISH_SWEEP_BATCH)) {
            spareChunks.serve();
            Thread.onSpinWait();
        }
    }

    /** World stopped, grey set empty: the barrier off, a new sweep generation. */
    private void terminate() {
        markEndNanosOfCycle = System.nanoTime();
        heapAtMarkEndOfCycle = heap.inUseBytes(); // two racy reads; the goroutines are stopped
        runtime.heap().setWriteBarrier(null);
        marking = false;
        assists.endCycle();
        heap.finishMark();
    }

    // ------------------------------------------------------------------ figures

    private boolean givingUp() {
        return giveUp;
    }

    /** The checking mode's first finding, or null. */
    String checkFailure() {
        return checkFailure;
    }

    boolean isMarking() {
        return marking;
    }

    long completedCycles() {
        return cycles.completed();
    }

    PauseLog pauseLog() {
        return pauses.log();
    }

    PauseAnatomy longestPause() {
        return pauses.longest();
    }

    /** Go's {@code GCCPUFraction}: the collector thread's CPU time plus the assists' time, over wall time and CPUs. */
    private double cpuFraction() {
        long wall = System.nanoTime() - startNanos;
        return wall <= 0 ? 0
                : (double) (collectorCpuNanos + assists.totalNanos()) / wall / Runtime.getRuntime().availableProcessors();
    }

    Assists assists() {
        return assists;
    }

    /** What the heap calls on this collector from mutator threads. */
    MutatorHooks hooks() {
        return hooks;
    }

    SpareChunks spareChunks() {
        return spareChunks;
    }

    MemStats memStats(int pinCount) {
        HeapStats h = runtime.heap().stats();
        CycleSequence.Counts counts = cycles.counts();
        PauseLog log = pauses.log();
        return new MemStats(h.heapMappedBytes(), h.heapInUseBytes(), h.heapIdleBytes(), h.heapReleasedBytes(), h.liveObjects(),
                h.mallocs(), h.frees(), pacer.goalBytes(), lastMarkedBytes, counts.completed(), counts.forced(), log.totalNanos(),
                recent(log), log.maxNanos(), cpuFraction(), pinCount, assists.count(), assists.totalNanos(),
                assists.workBytes(), maxHeapOverGoal, assists.parks(), assists.parkNanos());
    }

    private static List<Long> recent(PauseLog log) {
        long[] lengths = log.last(256).lengthsNanos();
        List<Long> out = new ArrayList<>(lengths.length);
        for (long l : lengths) {
            out.add(l);
        }
        return out;
    }

    /**
     * Stops the background thread after its current cycle, waiting for that cycle at most
     * {@code timeoutNanos}, then giving it up at its next retry (a stop or handshake that a
     * goroutine keeps from completing is retried every few ms). The heap is manual again.
     *
     * @throws IllegalStateException if the cycle was given up while marking (see Collector.close)
     */
    void stop(long timeoutNanos) {
        if (cycles.stop() && !thread.isAlive()) {
            return;
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeoutNanos;
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    thread.join(Math.max(1, left / 1_000_000));
                } else {
                    giveUp = true;
                    LockSupport.unpark(thread); // it may be waiting for the pause budget
                    thread.join(10);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        heap.setHooks(null);
        runtime.heap().setWriteBarrier(null);
        String why = abandoned;
        if (why != null) {
            abandoned = null; // said once; close() is idempotent
            if (marking) {
                throw new IllegalStateException("gc: close " + why + " (expected: every goroutine reaches a"
                        + " safepoint or parks); the heap stays in that marking phase: start no collector"
                        + " on this runtime again");
            }
            TRACE.log(System.Logger.Level.WARNING, "gc: close " + why);
        }
    }
}
