package dev.goheap.gc;

/**
 * The plan of one pause, as offsets from its start: by {@code stopNanos} every goroutine must
 * have reached its safepoint, or the stop is given up (recorded as an aborted stop, the world
 * released, tried again); by {@code workNanos} the stopped work must end, or it goes back to
 * concurrent marking.
 *
 * <p>Why a goal below the bound: a goroutine that has lost its CPU (two CPUs, the JIT's compiler
 * threads busy) reaches its safepoint milliseconds late, and a stop that waits for it stops
 * everyone else that long. Giving up at half the goal keeps such a stop short; the mutators run
 * meanwhile, and the next try usually finds the goroutine back on a CPU. So the first {@link
 * #ABORTS_AT_THE_GOAL} retries in a row keep the goal's plan: of the retries that stopped the
 * world in a depth-21 demo run, 18 of 19 had every goroutine stopped within 0.45 ms, while the
 * retries given a doubled plan that missed again were the run's longest pauses (aborted at 1 and
 * 2 ms; docs/measurements.md "Session 10"). Each stop given up in a row after those doubles the
 * plan, up to half the budget left in the window (the other half is the reserve
 * for a release that runs late: with the whole budget planned less a 1 ms margin, the adversarial
 * stack run recorded 10.001 ms stopped in one 50 ms window). From {@link
 * #ABORTS_BEFORE_LONGER_STOP} aborts in a row the stop may use half the plan's ceiling (a quarter
 * of the budget), and from {@link #ABORTS_BEFORE_WHOLE_PLAN} the whole plan, or an overloaded
 * machine (more runnable threads than CPUs) never starts a cycle and the heap grows to its limit
 * (TortureTest under load did). Not the whole plan sooner: a stop given 5 ms whose release then
 * came 5 ms late, at start-up, recorded a 10.2 ms pause (docs/measurements.md "Session 9").
 *
 * @param stopNanos the longest wait for the safepoints, from the stop request
 * @param workNanos when the stopped work must end, from the stop request
 */
record PausePlan(long stopNanos, long workNanos) {
    /** Aborted stops in a row that the next stop still plans as the goal; each one more doubles the plan. */
    static final int ABORTS_AT_THE_GOAL = 2;
    /** Aborted stops in a row after which a stop may use a quarter of the budget to reach the safepoints. */
    static final int ABORTS_BEFORE_LONGER_STOP = 5;
    /** Aborted stops in a row after which a stop may use the whole plan (half the budget). */
    static final int ABORTS_BEFORE_WHOLE_PLAN = 8;

    /** Doublings of the wait before a retry: 8 goals at most (8 ms with the default goal). */
    static final int MAX_RETRY_DOUBLINGS = 3;

    /**
     * How long to wait after the {@code abortedInARow}-th stop in a row missed its deadline
     * (at least 1) before trying again: the goal, doubled for each earlier miss in the row, at
     * most {@link #MAX_RETRY_DOUBLINGS} times.
     */
    static long retryDelayNanos(long goalNanos, int abortedInARow) {
        if (goalNanos <= 0 || abortedInARow < 1) {
            throw new IllegalArgumentException("goal " + goalNanos + ", aborted " + abortedInARow
                    + " (expected: goal > 0, aborted >= 1)");
        }
        int doublings = Math.min(Math.min(abortedInARow - 1, MAX_RETRY_DOUBLINGS),
                Long.numberOfLeadingZeros(goalNanos) - 1); // no overflow
        return goalNanos << doublings;
    }

    /**
     * Plans the next pause.
     *
     * @param goalNanos     the pause goal ({@link GcConfig#pauseGoal}), positive
     * @param budgetNanos   the longest pause the window allows now ({@code PauseScheduler})
     * @param abortedInARow stops given up in a row just before this one
     */
    static PausePlan next(long goalNanos, long budgetNanos, int abortedInARow) {
        if (goalNanos <= 0 || budgetNanos < 0 || abortedInARow < 0) {
            throw new IllegalArgumentException("goal " + goalNanos + ", budget " + budgetNanos + ", aborted "
                    + abortedInARow + " (expected: goal > 0, budget >= 0, aborted >= 0)");
        }
        long half = budgetNanos / 2;
        int doublings = Math.min(Math.max(0, abortedInARow - ABORTS_AT_THE_GOAL),
                Long.numberOfLeadingZeros(goalNanos) - 1); // no overflow
        long plan = Math.min(half, goalNanos << doublings);
        if (abortedInARow >= ABORTS_BEFORE_WHOLE_PLAN) {
            return new PausePlan(plan, plan);
        }
        if (abortedInARow >= ABORTS_BEFORE_LONGER_STOP) {
            return new PausePlan(Math.min(plan, half / 2), plan);
        }
        // A quarter of the plan is kept for the release, so that the whole pause fits the goal.
        return new PausePlan(plan / 2, plan - plan / 4);
    }
}
