package dev.goheap.gc;

/**
 * Decides when the next cycle starts (Go's {@code gcControllerState}, simplified): the heap goal
 * is {@code live * (1 + GOGC/100)} after the last mark, at least {@link #MIN_GOAL_BYTES} scaled
 * by GOGC (Go's {@code heapMinimum}), and never above the soft memory limit; the cycle is
 * triggered earlier than the goal, at {@link #TRIGGER_FRACTION} of the way from the live heap
 * to the goal, so that concurrent marking can finish before the goal while mutators allocate.
 *
 * <p>The pacer compares the bytes of the spans in use (whole pages) with goals derived from
 * the marked object bytes, as Go compares {@code heapLive} with {@code heapMarked}: fragmentation
 * makes it trigger a little early, never late.
 *
 * <p><b>Assists.</b> {@link #assistWorkPerByte} is Go's assist ratio; {@link Assists} charges
 * it to allocating goroutines while the collector marks.
 *
 * <p><b>Thread safety:</b> immutable settings; {@link #onMarkDone} and the getters are called by
 * the collector thread only; {@link #assistWorkPerByte} is a pure function, called by any thread.
 */
final class Pacer {
    /** The smallest goal at GOGC=100: 4 MiB, as Go's {@code heapMinimum}. */
    static final long MIN_GOAL_BYTES = 4L << 20;
    /** Where, between the live heap and the goal, a cycle starts. */
    static final double TRIGGER_FRACTION = 0.7;

    private final int gogc;              // < 0: off
    private final long memoryLimitBytes; // Long.MAX_VALUE: none
    private long goalBytes;
    private long triggerBytes;

    Pacer(int gogc, long memoryLimitBytes) {
        this.gogc = gogc;
        this.memoryLimitBytes = memoryLimitBytes;
        onMarkDone(0);
    }

    /** Sets the goal and the trigger from the bytes marked by the cycle that just ended. */
    void onMarkDone(long markedBytes) {
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
        goalBytes = goal;
        triggerBytes = goal == Long.MAX_VALUE ? Long.MAX_VALUE
                : markedBytes + (long) ((goal - markedBytes) * TRIGGER_FRACTION);
    }

    long goalBytes() {
        return goalBytes;
    }

    long triggerBytes() {
        return triggerBytes;
    }

    int gogc() {
        return gogc;
    }

    /** The least remaining mark work the assist ratio assumes (Go's floor of 1000 units): marking is racy. */
    static final long MIN_REMAINING_WORK_BYTES = 64 << 10;
    /** How far past the goal the ratio aims once the heap is already past it (Go's {@code maxOvershoot}). */
    static final double MAX_OVERSHOOT = 1.1;

    /**
     * The assist ratio (Go's {@code gcControllerState.revise}): the mark work still to do per byte
     * the mutators may still allocate before the heap reaches the goal, so that allocation pays
     * for marking exactly when marking would otherwise finish late.
     * <pre>
     *   workPerByte = max(expected - done, MIN_REMAINING_WORK) / max(goal - inUse, 1)
     * </pre>
     * {@code expected} is last cycle's shaded bytes; once {@code done} has passed it, the heap
     * has grown, and the worst case (every byte in use at mark start is live) is assumed. Once
     * {@code inUse} is past the goal, the goal moves out by 10 % and the worst case is assumed:
     * the ratio grows steeply but stays finite, and assists take over marking.
     *
     * @param expectedWorkBytes the bytes the last cycle marked by shading (not allocate-black)
     * @param doneWorkBytes     the bytes marked by drainers this cycle so far ({@link MarkWork})
     * @param worstWorkBytes    the bytes in use at mark start
     * @param goalBytes         this cycle's heap goal ({@link Long#MAX_VALUE}: none)
     * @param inUseBytes        the bytes in use now
     */
    static double assistWorkPerByte(long expectedWorkBytes, long doneWorkBytes, long worstWorkBytes, long goalBytes,
            long inUseBytes) {
        long expected = expectedWorkBytes;
        long goal = goalBytes;
        if (doneWorkBytes >= expected) {
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
