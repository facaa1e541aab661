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
 * <p><b>Thread safety:</b> immutable settings; {@link #onMarkDone} and the getters are called by
 * the collector thread only.
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
}
