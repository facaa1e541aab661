package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.util.List;

/**
 * What a handshake ({@link Safepoints#handshakeReport}) did for its goroutines: every goroutine
 * it was for is counted exactly once, in one of the four figures.
 *
 * @param byOwner  actions run by the goroutine itself at a safepoint (the caller's own goroutine
 *                 included, if the caller is one)
 * @param byCaller actions run on the caller's thread while the goroutine was parked or stopped
 * @param ended    goroutines that ended or detached before their action started: nothing to do,
 *                 their stacks are gone
 * @param notDone  goroutines whose action was cancelled at the deadline, not started: run them
 *                 again with {@code handshakeReport(result.notDone(), action, deadline)}
 */
public record HandshakeResult(int byOwner, int byCaller, int ended, List<Goroutine> notDone) {
    /** Checks the counts and copies the list. */
    public HandshakeResult {
        if (byOwner < 0 || byCaller < 0 || ended < 0) {
            throw new IllegalArgumentException("counts: " + byOwner + ", " + byCaller + ", " + ended
                    + " (expected: >= 0)");
        }
        notDone = List.copyOf(notDone);
    }

    /** Returns whether nothing was cancelled: the action ran for every goroutine still alive. */
    public boolean isComplete() {
        return notDone.isEmpty();
    }

    /** Returns the number of goroutines whose action ran. */
    public int doneCount() {
        return byOwner + byCaller;
    }
}
