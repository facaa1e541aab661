package dev.goheap.gc;

import dev.goheap.gc.pause.LateReserve;
import dev.goheap.gc.pause.PauseBudget;
import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.gc.pause.PauseScheduler;
import dev.goheap.sched.Safepoints;
import dev.goheap.sched.StopOutcome;
import dev.goheap.sched.StopReport;
import dev.goheap.sched.StopWork;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs the collector's stop-the-world pauses within the budget (DESIGN decision 7): asks the
 * {@link PauseScheduler} how long a pause may be now (waiting if the window is used up), plans
 * the pause from the pause goal ({@link PausePlan}: a deadline for reaching the safepoints, an
 * end for the work, never past half the budget), stops the world, runs the work, releases, and
 * records the pause from the stop request to the release. A stop that cannot reach every
 * safepoint in time is abandoned (and recorded): the world never stays stopped past the budget
 * because of a goroutine that does not poll. How late releases have lately come past
 * their plan is kept in reserve ({@link LateReserve}): the next pauses start and are planned
 * from the budget less it.
 *
 * <p>The work runs on whichever thread completes the stop ({@link
 * Safepoints#stopTheWorldAndRun}): often the last goroutine to reach its safepoint, which also
 * releases the world, so a pause no longer waits for the collector thread to be woken and
 * scheduled (measured at 1.3-4 ms on two CPUs with the JIT busy). The work must therefore not
 * depend on running on the collector thread; what it writes is visible to the collector when
 * {@link #run} returns.
 *
 * <p><b>Thread safety:</b> collector thread only; {@link #log} is safe to read from any thread.
 */
final class Pauses {
    /** The smallest pause worth starting: below it the scheduler waits for the window to clear. */
    private static final long MIN_PAUSE_NANOS = 1_000_000;
    /** How long a late release's overrun takes to count half in the reserve ({@link LateReserve}). */
    static final long LATE_HALF_LIFE_NANOS = 500_000_000;

    /** The work done while the world is stopped; returns false if it ran out of time. */
    @FunctionalInterface
    interface StoppedWork {
        boolean run(long deadlineNanos);
    }

    /**
     * The work and its time as a {@link StopWork}: a reused object rather than a lambda
     * captured per pause, whose first capture linked a call site (milliseconds at start-up) after
     * the pause's clock had started. The work's deadline counts from the stop request, as the
     * stop's own does ({@link PausePlan}).
     */
    private static final class BoundWork implements StopWork {
        private final Safepoints safepoints;
        private StoppedWork work;
        private long workNanos;
        /** When the work started and ended, from the request, or -1: written by the thread that ran it. */
        long startedNanos;
        long endedNanos;
        String operator;

        BoundWork(Safepoints safepoints) {
            this.safepoints = safepoints;
        }

        void set(StoppedWork w, long nanosFromRequest) {
            work = w;
            workNanos = nanosFromRequest;
            startedNanos = -1;
            endedNanos = -1;
            operator = "";
        }

        @Override
        public boolean run() {
            long request = safepoints.lastRequestNanos();
            startedNanos = System.nanoTime() - request;
            operator = Thread.currentThread().getName(); // the goroutine's or the collector's own name: no copy
            try {
                return work.run(request + workNanos);
            } finally {
                endedNanos = Math.max(startedNanos, System.nanoTime() - request);
            }
        }
    }

    private final BoundWork bound;
    private final Safepoints safepoints;
    private final PauseLog log = new PauseLog();
    private int abortedInARow;
    private final PauseScheduler scheduler;
    private final long maxPauseNanos;
    private final long goalNanos;
    /** The shortest budget a pause starts with: half the bound (at least {@link #MIN_PAUSE_NANOS}). */
    private final long wantedNanos;
    private final LateReserve late;
    /** The longest pause so far and where its time went; replaced (allocated) only by a longer one. */
    private volatile PauseAnatomy longest;

    Pauses(Safepoints safepoints, GcConfig config) {
        this.safepoints = safepoints;
        this.bound = new BoundWork(safepoints);
        this.maxPauseNanos = config.maxPause().toNanos();
        this.goalNanos = config.pauseGoal().toNanos();
        this.scheduler = new PauseScheduler(log, new PauseBudget(maxPauseNanos, config.window().toNanos()));
        this.wantedNanos = Math.min(maxPauseNanos, Math.max(MIN_PAUSE_NANOS, maxPauseNanos / 2));
        this.late = new LateReserve(LATE_HALF_LIFE_NANOS, maxPauseNanos - wantedNanos);
    }

    /**
     * When a pause may start, {@code nowNanos} or later: once the budget less the reserve for late
     * releases is at least {@code wantedNanos}. The reserve is at most the bound less {@code wantedNanos},
     * so an empty window always lets a pause start.
     */
    static long earliestStartNanos(PauseScheduler scheduler, LateReserve late, long nowNanos, long wantedNanos) {
        long reserve = late.reserveNanos(nowNanos);
        return scheduler.budgetNanos(nowNanos) - reserve >= wantedNanos ? nowNanos
                : scheduler.earliestStartNanos(nowNanos, wantedNanos + reserve);
    }

    /** The reserve for late releases at {@code nowNanos} (for tests). */
    long lateReserveNanos(long nowNanos) {
        return late.reserveNanos(nowNanos);
    }

    PauseLog log() {
        return log;
    }

    /** The longest pause so far, or null if none has run (any thread). */
    PauseAnatomy longest() {
        return longest;
    }

    /**
     * Runs {@code work} once with the world stopped and returns what it returned. A stop that
     * misses its deadline is recorded as {@code ABORTED_STOP} and tried again when the budget
     * allows, so only the work can make this return false; unless {@code giveUp} says so before
     * a try (the collector is closing): then it throws {@link CycleAbandonedException}.
     */
    boolean run(PauseKind kind, long cycle, BooleanSupplier giveUp, StoppedWork work) {
        while (true) {
            if (giveUp.getAsBoolean()) {
                throw new CycleAbandonedException(kind);
            }
            long now = System.nanoTime();
            long startAt = earliestStartNanos(scheduler, late, now, wantedNanos);
            if (startAt != now) {
                LockSupport.parkNanos(Math.max(10_000, startAt - now));
                continue;
            }
            long budget = scheduler.budgetNanos(now) - late.reserveNanos(now);
            GcEvents.Pause event = new GcEvents.Pause();
            event.begin();
            PausePlan plan = PausePlan.next(goalNanos, budget, abortedInARow);
            // The work runs on whichever thread completes the stop: often the last goroutine to
            // reach its safepoint, so that the pause does not wait for this thread's wake-up.
            // Its times, and the pause's, count from the stop request, not from here: this
            // thread was seen to lose its CPU for 5-11 ms on its way to the request (perf sched,
            // at start-up, to the JIT's compiler threads) while every goroutine ran on.
            bound.set(work, plan.workNanos());
            StopOutcome outcome = safepoints.stopTheWorldAndRunWithin(plan.stopNanos(), bound);
            long start = safepoints.lastRequestNanos();
            long released = safepoints.lastReleaseNanos();
            long planned = outcome == StopOutcome.MISSED_DEADLINE ? plan.stopNanos() : plan.workNanos();
            late.record(released, released - start - planned);
            if (outcome == StopOutcome.MISSED_DEADLINE) {
                abortedInARow++;
                record(event, cycle, PauseKind.ABORTED_STOP, start, released, false);
                keepIfLongest(PauseKind.ABORTED_STOP, start, released, -1, -1, "");
                // Give the late goroutine time to get its CPU back before the next try: tried at
                // once, the stops met the same late goroutine (four misses in a row within 10 ms,
                // with a 3.3 ms pause among them); a goal's length after each miss still let
                // the misses and their retries stop 5.9 ms in one 50 ms window. So the wait
                // doubles with each miss in a row: 1, 2, 4, then 8 ms with the default goal
                // (docs/measurements.md "Session 9").
                LockSupport.parkNanos(PausePlan.retryDelayNanos(goalNanos, abortedInARow));
                continue;
            }
            abortedInARow = 0;
            boolean done = outcome == StopOutcome.FINISHED;
            record(event, cycle, kind, start, released, done);
            keepIfLongest(kind, start, released, bound.startedNanos, bound.endedNanos, bound.operator);
            return done;
        }
    }

    /**
     * Runs {@code work} with the world stopped, without a budget (the checking mode's walk):
     * recorded as {@link PauseKind#CHECK}, it counts in the record, so the next pauses wait
     * until it has left the window.
     */
    void runUnbounded(long cycle, BooleanSupplier giveUp, Runnable work) {
        GcEvents.Pause event = new GcEvents.Pause();
        event.begin();
        long start = System.nanoTime();
        while (!safepoints.stopTheWorld(System.nanoTime() + 100_000_000L)) {
            if (giveUp.getAsBoolean()) { // a goroutine did not poll for 100 ms, and we are closing
                throw new CycleAbandonedException(PauseKind.CHECK);
            }
        }
        long workStart = System.nanoTime();
        long workEnd;
        try {
            work.run();
        } finally {
            workEnd = System.nanoTime();
            safepoints.startTheWorld();
        }
        long released = safepoints.lastReleaseNanos();
        record(event, cycle, PauseKind.CHECK, start, released, true);
        keepIfLongest(PauseKind.CHECK, start, released, workStart - start, workEnd - start,
                Thread.currentThread().getName());
    }

    /** After a pause: keeps its anatomy if it is the longest so far (times from the request). */
    private void keepIfLongest(PauseKind kind, long start, long released, long workStart, long workEnd,
            String operator) {
        PauseAnatomy l = longest;
        long length = released - start;
        if (l == null || length > l.lengthNanos()) {
            boolean ran = workStart >= 0 && workEnd >= workStart;
            longest = new PauseAnatomy(kind, start, length, ran ? workStart : -1, ran ? workEnd : -1,
                    ran ? operator : "", safepoints.lastStopReport());
        }
    }

    private void record(GcEvents.Pause event, long cycle, PauseKind kind, long start, long released,
            boolean completed) {
        log.record(kind, start, released - start);
        event.end();
        if (event.shouldCommit()) {
            event.cycle = cycle;
            event.kind = kind.name();
            event.completed = completed;
            event.length = released - start;
            StopReport stop = safepoints.lastStopReport();
            if (stop != null) {
                event.timeToSafepoint = stop.timeToSafepointNanos();
                event.lastGoroutine = stop.lastGoroutineId();
                event.lastState = stop.lastStateAtRequest().name();
                event.lastArrived = stop.arrivedNanos();
                event.stackSample = stop.stackSample();
            }
            event.commit();
        }
    }
}
