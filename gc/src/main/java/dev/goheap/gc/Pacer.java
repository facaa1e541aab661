package dev.goheap.gc;

import java.util.Arrays;

/**
 * Decides when the next cycle starts (Go's {@code gcControllerState}, the 1.18+ pacer, adapted
 * to one dedicated collector thread).
 *
 * <h2>The goal</h2>
 * {@code live * (1 + GOGC/100)} after the last mark, at least {@link #MIN_GOAL_BYTES} scaled by
 * GOGC (Go's {@code heapMinimum}), and never above the soft memory limit (but always at least
 * 64 KiB above the live heap, so that a cycle has room to finish).
 *
 * <h2>The trigger</h2>
 * A cycle should start so that concurrent marking ends just as the heap reaches the goal, with
 * the collector thread doing the marking and assists needed only for surprises. The distance
 * it needs (the <i>runway</i>) is the mutators' allocation during the mark:
 * <pre>
 *   runway  = consMark * expectedWork          trigger = goal - runway, clamped to
 *   [marked + MIN_TRIGGER_FRACTION * (goal - marked),  marked + MAX_TRIGGER_FRACTION * (goal - marked)]
 * </pre>
 * {@code expectedWork} is the bytes the last cycle marked by shading (Go's
 * {@code lastHeapScan + stackScan + globalsScan}); {@code consMark} is the bytes the mutators
 * allocate per byte of mark work done without assists, measured at each mark's end
 * ({@link #endCycle}) and taken as the largest of the last {@link #CONS_MARK_HISTORY} cycles
 * (Go 1.21's bias towards fewer assists at the price of starting earlier).
 *
 * <p><b>What is adapted, and why.</b> Go measures cons/mark per CPU-second and multiplies by
 * {@code (1 - u) / u} for its 25 % utilisation goal {@code u}, because it schedules its mark
 * workers to that share of GOMAXPROCS. goheap's collector is one platform thread that marks
 * flat out on whatever CPU it gets, beside the mutators: its share is not set but observed.
 * So goheap measures the ratio directly in wall time, as what it is used for: the bytes
 * allocated while the collector thread (with the write barriers and the stack scans) does one
 * byte of mark work. Assist time is taken out first: while a goroutine assists it does not
 * allocate, so the allocation is scaled up to what the mutators would have allocated without
 * assists (their lost share counted over {@code min(goroutines, CPUs - 1)} mutator CPUs, one
 * CPU being the collector's), and the assists' own work is not counted as marking done.
 *
 * <p><b>The bounds.</b> Go keeps its trigger between 70 % and 95 % of the way from the live
 * heap to the goal: never later than 95 %, so that a cycle always has some runway; never
 * earlier than 70 %, so that a fast allocator does not keep the collector always on, with
 * allocate-black growing the heap, on CPUs the mutators need. goheap keeps the upper bound, and
 * lowers the lower one to {@link #MIN_TRIGGER_FRACTION}: its collector thread runs on a CPU of
 * its own (the demo leaves one to it), so an earlier start costs the mutators far less than an
 * assist, which is mutator time lost. It keeps a lower bound for Go's reason: cycles at most
 * one every {@code MIN_TRIGGER_FRACTION * GOGC/100} of live-heap growth. Where the measured
 * runway does not fit even at the lower bound, assists make up the rest, as in Go. The first
 * cycle, with nothing measured, starts at {@link #FIRST_TRIGGER_FRACTION} (the fixed trigger of
 * goheap's earlier pacer, and Go's lower bound).
 *
 * <p>The pacer compares the bytes of the spans in use (whole pages), with the last cycle's
 * spans swept ({@code CycleRunner}), with goals derived from the marked object bytes, as Go
 * compares {@code heapLive} with {@code heapMarked}: fragmentation makes it trigger a little
 * early, never late.
 *
 * <p><b>Assists.</b> {@link #assistWorkPerByte} is Go's assist ratio; {@link Assists} charges
 * it to allocating goroutines while the collector marks.
 *
 * <p><b>Thread safety:</b> immutable settings; {@link #endCycle}, {@link #onMarkDone} and the
 * getters run on the collector thread only; the static methods are pure, called by any thread.
 */
final class Pacer {
    /** The smallest goal at GOGC=100: 4 MiB, as Go's {@code heapMinimum}. */
    static final long MIN_GOAL_BYTES = 4L << 20;
    /** Where, between the live heap and the goal, the first cycle starts (nothing measured yet). */
    static final double FIRST_TRIGGER_FRACTION = 0.7;
    /** The earliest trigger, as a fraction of the way from the live heap to the goal. */
    static final double MIN_TRIGGER_FRACTION = 0.25;
    /** The latest trigger (Go's {@code maxTriggerRatio}, 0.95): some runway is always left. */
    static final double MAX_TRIGGER_FRACTION = 0.95;
    /** Cycles whose cons/mark ratio counts (Go 1.21 keeps the largest of the last 4 and the new one). */
    static final int CONS_MARK_HISTORY = 5;
    /** The least mutator share credited when assists took time (so one measure cannot blow up). */
    static final double MIN_MUTATOR_SHARE = 0.25;

    private final int gogc;              // < 0: off
    private final long memoryLimitBytes; // Long.MAX_VALUE: none
    private final double[] consMarkHistory = new double[CONS_MARK_HISTORY]; // NaN: not measured
    private int nextHistorySlot;
    private double consMark = Double.NaN; // the estimate the last trigger used; NaN: none yet
    private long goalBytes;
    private long triggerBytes;

    Pacer(int gogc, long memoryLimitBytes) {
        this.gogc = gogc;
        this.memoryLimitBytes = memoryLimitBytes;
        Arrays.fill(consMarkHistory, Double.NaN);
        onMarkDone(0, 0);
    }

    /**
     * What one cycle's concurrent mark saw, from the moment the collector decided to start the
     * cycle to mark termination.
     *
     * @param heapAtTriggerBytes the bytes in use when the cycle started (at most the trigger:
     *                           allocation between the trigger and mark start ate runway too)
     * @param heapAtMarkEndBytes the bytes in use at mark termination
     * @param workBytes          the bytes the cycle marked by shading (all drainers, barriers, stacks)
     * @param assistWorkBytes    the part of {@code workBytes} that assists marked
     * @param assistNanos        the time goroutines spent assisting, summed over goroutines
     * @param markNanos          the wall time from the cycle's start to mark termination
     * @param mutatorCpus        the CPUs the mutators ran on: {@code min(goroutines, CPUs - 1)}, at least 1
     */
    record MarkCycle(long heapAtTriggerBytes, long heapAtMarkEndBytes, long workBytes, long assistWorkBytes,
            long assistNanos, long markNanos, int mutatorCpus) {}

    /**
     * Returns the cycle's cons/mark ratio: bytes allocated per byte of mark work done without
     * assists, the allocation scaled up by the mutator time assists took; NaN if the cycle says
     * nothing (no allocation, no unassisted work, no time).
     */
    static double consMark(MarkCycle c) {
        long allocated = c.heapAtMarkEndBytes() - c.heapAtTriggerBytes();
        long unassistedWork = c.workBytes() - c.assistWorkBytes();
        if (allocated <= 0 || unassistedWork <= 0 || c.markNanos() <= 0) {
            return Double.NaN;
        }
        double lost = (double) c.assistNanos() / ((double) c.markNanos() * Math.max(1, c.mutatorCpus()));
        double mutatorShare = Math.max(MIN_MUTATOR_SHARE, 1 - lost);
        return allocated / mutatorShare / unassistedWork;
    }

    /** Records a finished mark's cons/mark ratio (before {@link #onMarkDone} sets the next trigger). */
    void endCycle(MarkCycle c) {
        double r = consMark(c);
        if (Double.isNaN(r)) {
            return;
        }
        consMarkHistory[nextHistorySlot] = r;
        nextHistorySlot = (nextHistorySlot + 1) % CONS_MARK_HISTORY;
    }

    /** Returns the largest cons/mark ratio of the last cycles measured; NaN if none was. */
    double consMarkEstimate() {
        double max = Double.NaN;
        for (double r : consMarkHistory) {
            if (!Double.isNaN(r) && !(r <= max)) {
                max = r;
            }
        }
        return max;
    }

    /**
     * Sets the goal and the trigger from the bytes marked by the cycle that just ended and the
     * part of them marked by shading (the next cycle's expected work).
     */
    void onMarkDone(long markedBytes, long shadedBytes) {
        goalBytes = goal(gogc, memoryLimitBytes, markedBytes);
        consMark = consMarkEstimate();
        triggerBytes = trigger(markedBytes, goalBytes, consMark, shadedBytes);
    }

    /** The heap goal for a live heap of {@code markedBytes} ({@link Long#MAX_VALUE}: none). */
    static long goal(int gogc, long memoryLimitBytes, long markedBytes) {
        long goal;
        if (gogc < 0) {
            goal = Long.MAX_VALUE;
        } else {
            long growth = (long) (markedBytes * (gogc / 100.0));
            long minimum = (long) (MIN_GOAL_BYTES * (gogc / 100.0));
            goal = Math.max(markedBytes + growth, Math.max(minimum, markedBytes + (64 << 10)));
        }
        if (memoryLimitBytes != Long.MAX_VALUE) {
            goal = Math.min(goal, Math.max(memoryLimitBytes, markedBytes + (64 << 10)));
        }
        return goal;
    }

    /**
     * The trigger (see the class note): {@code goal - consMark * expectedWork}, between the
     * bounds; {@link #FIRST_TRIGGER_FRACTION} of the way if {@code consMark} is NaN (nothing
     * measured yet); {@link Long#MAX_VALUE} if there is no goal.
     */
    static long trigger(long markedBytes, long goalBytes, double consMark, long expectedWorkBytes) {
        if (goalBytes == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long distance = goalBytes - markedBytes; // > 0: goal() keeps 64 KiB at least
        if (Double.isNaN(consMark)) {
            return markedBytes + (long) (distance * FIRST_TRIGGER_FRACTION);
        }
        long minTrigger = markedBytes + (long) (distance * MIN_TRIGGER_FRACTION);
        long maxTrigger = markedBytes + (long) (distance * MAX_TRIGGER_FRACTION);
        double runway = consMark * Math.max(0, expectedWorkBytes);
        double trigger = goalBytes - runway;
        return (long) Math.max(minTrigger, Math.min(maxTrigger, trigger));
    }

    long goalBytes() {
        return goalBytes;
    }

    long triggerBytes() {
        return triggerBytes;
    }

    /** Returns the cons/mark estimate the current trigger was set with (NaN: none, the first trigger). */
    double consMark() {
        return consMark;
    }

    int gogc() {
        return gogc;
    }

    /** The least remaining mark work the assist ratio assumes (Go's floor of 1000 units): marking is racy. */
    static final long MIN_REMAINING_WORK_BYTES = 64 << 10;
    /** How far past the goal the ratio aims once the heap is already past it (Go's {@code maxOvershoot}). */
    static final double MAX_OVERSHOOT = 1.1;

    /**
     * The furthest a cycle's goal moves out when its live heap turns out larger than expected
     * (Go's {@code hardGoal}): {@code goal * (1 + GOGC/100)}, the heap the next cycle will allow
     * anyway, but never past the soft memory limit (a goal at the limit does not move).
     */
    static long hardGoal(int gogc, long memoryLimitBytes, long goalBytes) {
        if (goalBytes == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long hard = gogc < 0 ? goalBytes : (long) Math.min(Long.MAX_VALUE / 2.0, goalBytes * (1 + gogc / 100.0));
        if (memoryLimitBytes != Long.MAX_VALUE) {
            hard = Math.min(hard, Math.max(goalBytes, memoryLimitBytes));
        }
        return hard;
    }

    /** This pacer's {@link #hardGoal(int, long, long)} for the current goal. */
    long hardGoalBytes() {
        return hardGoal(gogc, memoryLimitBytes, goalBytes);
    }

    /**
     * The assist ratio (Go's {@code gcControllerState.revise}): the mark work still to do per byte
     * the mutators may still allocate before the heap reaches the goal, so that allocation pays
     * for marking exactly when marking would otherwise finish late.
     * <pre>
     *   workPerByte = max(expected - done, MIN_REMAINING_WORK) / max(goal - inUse, 1)
     * </pre>
     * {@code expected} is last cycle's shaded bytes. Once {@code done} has passed it (strictly:
     * a live heap that stayed the same is marked with exactly last cycle's work, which is no
     * sign of growth, and assuming the worst at that point would charge the end of every
     * steady cycle heavily), the live heap has grown: the worst case (every byte in use at mark start is live) is assumed, and,
     * as in Go, the goal moves out in proportion, {@code start + (goal - start) * worst /
     * expected} but at most {@code hardGoal}, so that the ratio stays as it was instead of
     * jumping (the heap may pass the goal then: the next cycle's goal is at least as large).
     * Once {@code inUse} is past the goal, the goal moves out by 10 % and the worst case is
     * assumed: the ratio grows steeply but stays finite, and assists take over marking.
     *
     * @param expectedWorkBytes the bytes the last cycle marked by shading (not allocate-black)
     * @param doneWorkBytes     the bytes marked by shading this cycle so far ({@link MarkWork})
     * @param worstWorkBytes    the bytes in use at mark start
     * @param goalBytes         this cycle's heap goal ({@link Long#MAX_VALUE}: none)
     * @param hardGoalBytes     the furthest the goal may move ({@link #hardGoal}); at least {@code goalBytes}
     * @param inUseBytes        the bytes in use now
     */
    static double assistWorkPerByte(long expectedWorkBytes, long doneWorkBytes, long worstWorkBytes, long goalBytes,
            long hardGoalBytes, long inUseBytes) {
        long expected = expectedWorkBytes;
        long goal = goalBytes;
        if (doneWorkBytes > expected) {
            if (worstWorkBytes > expected && expected > 0 && goal != Long.MAX_VALUE && goal > worstWorkBytes) {
                double extended = worstWorkBytes + (double) (goal - worstWorkBytes) / expected * worstWorkBytes;
                goal = (long) Math.max(goal, Math.min(hardGoalBytes, extended));
            }
            expected = Math.max(expected, worstWorkBytes);
        }
        if (inUseBytes > goal) {
            goal = (long) Math.min(Long.MAX_VALUE, goal * MAX_OVERSHOOT);
            expected = Math.max(expected, worstWorkBytes);
        }
        long remainingWork = Math.max(MIN_REMAINING_WORK_BYTES, expected - doneWorkBytes);
        long distance = Math.max(1, goal - inUseBytes);
        return (double) remainingWork / distance;
    }
}
