package dev.goheap.gc;

import java.time.Duration;

import dev.goheap.GoRuntime;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.heap.Heap;
import dev.goheap.internal.gc.GcAccess;
import dev.goheap.internal.gc.GcHooks;
import dev.goheap.internal.gc.HeapForGc;
import dev.goheap.sched.Safepoints;
import java.util.Objects;

/**
 * goheap's garbage collector: concurrent tri-colour mark-sweep whose stop-the-world pauses stay
 * within a budget (by default at most 10 ms in any 50 ms window). See the package note for the
 * phases, the barrier and the pause bound.
 *
 * <pre>{@code
 * try (GoRuntime rt = GoRuntime.builder().build();
 *      Collector gc = Collector.start(rt, GcConfig.defaults())) {
 *     rt.go(() -> { ... allocate; keep pointers in frames, data slots or pins ... }).join();
 *     gc.gc();                          // a whole cycle, swept, before it returns
 *     MemStats m = gc.memStats();
 * }
 * }</pre>
 *
 * <p><b>The contract with mutators</b> (DESIGN decision 3): once a collector runs, only
 * goroutines ({@code rt.go}, {@code rt.attach}) may use the heap, and an object is kept alive
 * by the pointer slots of live stack frames, of the {@code data} segment, of reachable heap
 * objects, and by pins. A pointer held only in a Java local is valid until the goroutine's next
 * safepoint (an allocation, a push or pop, a poll); a goroutine about to block outside goheap
 * parks itself ({@link Safepoints}), so the collector never waits for it.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. <b>Ownership:</b> the
 * collector owns its background thread; {@link #close} stops it (before the runtime closes).
 */
public final class Collector implements AutoCloseable {
    private final GoRuntime runtime;
    private final Heap heap;
    private final HeapForGc heapGc;
    private final GcConfig config;
    private final CycleRunner runner;
    private final Pins pins = new Pins();

    private Collector(GoRuntime runtime, GcConfig config) {
        this.runtime = runtime;
        this.heap = runtime.heap();
        this.heapGc = GcAccess.of(heap);
        this.config = config;
        this.runner = new CycleRunner(runtime, heapGc, config, pins);
    }

    /**
     * Starts a collector for {@code runtime}'s heap, with its background thread.
     *
     * @throws IllegalStateException if the runtime is closed or already has a collector
     */
    public static Collector start(GoRuntime runtime, GcConfig config) {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(config, "config");
        Collector c = new Collector(runtime, config);
        c.runner.start();
        return c;
    }

    /**
     * Runs a whole cycle (mark, then sweep everything) that starts after this call, and returns
     * when it is done (Go's {@code runtime.GC}): the heap swept, and the fully free chunks past
     * the scavenger's goal (the new heap goal plus 10 %) given back to the OS. A goroutine that
     * calls it is parked meanwhile.
     *
     * @throws IllegalStateException if the collector is closed
     * @throws InternalError if the checking mode has found a pointer to a freed object
     */
    public void gc() {
        runner.forceCycle();
        String failure = runner.checkFailure();
        if (failure != null) {
            throw new InternalError("checking mode: a reachable pointer does not lead to a live object: " + failure);
        }
    }

    /**
     * Returns what the checking mode ({@link GcConfig#checking}) found: the first pointer,
     * reachable from the roots after a cycle, that does not lead to a live object (an object
     * freed although reachable, or a dangling pointer), with the slot that held it; empty if
     * nothing was found or checking is off.
     */
    public java.util.Optional<String> checkFailure() {
        return java.util.Optional.ofNullable(runner.checkFailure());
    }

    /**
     * Pins {@code p}: it stays alive until {@link #unpin}, whatever points to it (cgo's handles).
     * Returns the handle.
     *
     * @throws IllegalArgumentException if {@code p} is not a live object
     */
    public long pin(long p) {
        return pins.pin(heap, p, runner.barrierIfMarking());
    }

    /** Returns the object pinned under {@code handle}. */
    public long pinned(long handle) {
        return pins.get(handle);
    }

    /**
     * Unpins {@code handle}; returns the object it held (collectable from the next cycle on if
     * nothing else points to it).
     *
     * @throws IllegalArgumentException if {@code handle} is not pinned
     */
    public long unpin(long handle) {
        return pins.unpin(handle, runner.barrierIfMarking());
    }

    /** Returns the record of every pause so far (for the bound, MMU and percentiles). */
    public PauseLog pauses() {
        return runner.pauseLog();
    }

    /**
     * Returns the longest pause so far and where its time went (reaching the safepoints, the
     * work and who ran it, the release), or empty if no pause has run yet. To explain a pause
     * that overran its plan: the record ({@link #pauses}) has only its length.
     */
    public java.util.Optional<PauseAnatomy> longestPause() {
        return java.util.Optional.ofNullable(runner.longestPause());
    }

    /**
     * Returns when goroutines were assisting (kind {@link dev.goheap.gc.pause.PauseKind#ASSIST}):
     * busy periods, from the moment one goroutine starts an assist while none was assisting to
     * the moment none is. Not stops: the pause bound does not count them.
     */
    public PauseLog assists() {
        return runner.assists().log().log();
    }

    /**
     * Returns the minimum mutator utilisation over {@code [runStartNanos, runEndNanos]} for each
     * window of {@code windowsNanos} (see {@link dev.goheap.gc.pause.Mmu}), counting as time the
     * mutator lost either the stops only ({@code withAssists == false}: the figure the pause
     * bound guarantees, at least {@code 1 - maxPause/window}) or the stops and the assist busy
     * periods together ({@code true}: what an allocating goroutine feels, pessimistic when
     * several goroutines run, and with no guaranteed floor: see {@link GcConfig#maxAssist}).
     *
     * @throws IllegalArgumentException if {@code runStartNanos >= runEndNanos} or a window is not positive
     */
    public double[] mutatorUtilisation(long runStartNanos, long runEndNanos, boolean withAssists,
            long... windowsNanos) {
        dev.goheap.gc.pause.PauseSnapshot stops = runner.pauseLog().snapshot();
        if (!withAssists) {
            return dev.goheap.gc.pause.Mmu.mmuCurve(stops, runStartNanos, runEndNanos, windowsNanos);
        }
        return AssistLog.mmuCurveWithAssists(stops, assists().snapshot(), runStartNanos, runEndNanos, windowsNanos);
    }

    /** Returns a snapshot of the heap's and the collector's figures. */
    public MemStats memStats() {
        return runner.memStats(pins.count());
    }

    /** Returns the number of completed cycles. */
    public long cycles() {
        return runner.completedCycles();
    }

    /**
     * Returns whether a cycle is in its marking phase now (from its mark-start stop to its mark
     * termination stop). A goroutine that reads true between two safepoints knows that no mark
     * termination can happen before its next one.
     */
    boolean isMarking() {
        return runner.isMarking();
    }

    /** Returns what the heap calls on this collector (for tests). */
    GcHooks hooks() {
        return runner.hooks();
    }

    /** Returns how many spare chunks this collector's thread has mapped for the heap (for tests). */
    long spareChunksPrepared() {
        return runner.spareChunks().preparedCount();
    }

    /** Returns the settings. */
    public GcConfig config() {
        return config;
    }

    /** How long {@link #close()} waits for the cycle in progress. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Stops the background thread after the cycle in progress (if any) and gives the heap back
     * to manual management (no barrier, no triggers): {@code close(CLOSE_TIMEOUT)}. Idempotent.
     *
     * @throws IllegalStateException as {@link #close(Duration)}
     */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /**
     * Stops the background thread after the cycle in progress, waiting for that cycle at most
     * {@code timeout}: a cycle cannot end while a goroutine neither reaches a safepoint nor
     * parks (the collector retries its stop or handshake). Past the timeout the collector gives
     * the cycle up at its next retry, and the heap is manual again either way. Idempotent.
     *
     * @throws IllegalStateException if the cycle was given up in its marking phase: the heap
     *     stays in that phase (objects are allocated marked, free chunks are kept mapped), so
     *     no collector may start on this runtime again; the message names the goroutine the
     *     last stop waited for
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void close(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
        }
        runner.stop(timeout.toNanos());
    }

    @Override
    public String toString() {
        return "collector[" + runner.completedCycles() + " cycles, " + config + "]";
    }
}
