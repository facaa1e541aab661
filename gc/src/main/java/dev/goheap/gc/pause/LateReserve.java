package dev.goheap.gc.pause;

/**
 * How late the world has lately been released past a pause's plan, which the next pauses keep
 * in reserve: a pause may start only if the budget less the reserve allows it, and is planned
 * from that. The reserve is the latest overrun or a larger earlier one halved for each {@code
 * halfLifeNanos} since it came, at most {@code capNanos}.
 *
 * <p>Why: a pause's plan ends it within the budget only if the release comes on time, and on a
 * busy machine it does not always (two CPUs at start-up, the JIT's compiler threads running:
 * aborted stops released 3-7 ms past their deadline, and a few of them in one window summed
 * 11.0-11.3 ms against a 10 ms bound in the many-goroutines runner). Lateness comes in spells, so
 * the reserve follows the last one and fades after it. Capped so that an empty window still
 * lets a pause start: the collector is slowed by a late machine, never stopped.
 *
 * <p><b>Thread safety:</b> none; the collector thread's.
 */
public final class LateReserve {
    private final long halfLifeNanos;
    private final long capNanos;
    private long lateNanos; // as of atNanos
    private long atNanos;

    /**
     * Makes an empty reserve.
     *
     * @param halfLifeNanos how long a lateness takes to count half, {@code > 0}
     * @param capNanos      the largest reserve, {@code >= 0}
     * @throws IllegalArgumentException if either is out of range
     */
    public LateReserve(long halfLifeNanos, long capNanos) {
        if (halfLifeNanos <= 0) {
            throw Errors.bad("halfLifeNanos", halfLifeNanos + " ns", "> 0 ns");
        }
        if (capNanos < 0) {
            throw Errors.bad("capNanos", capNanos + " ns", ">= 0 ns");
        }
        this.halfLifeNanos = halfLifeNanos;
        this.capNanos = capNanos;
    }

    /**
     * Notes a pause released at {@code nowNanos}, {@code overrunNanos} past its plan (a
     * negative value, a release within the plan, only lets the reserve fade).
     */
    public void record(long nowNanos, long overrunNanos) {
        long current = reserveNanos(nowNanos);
        if (overrunNanos > current) {
            lateNanos = Math.min(capNanos, overrunNanos);
            atNanos = nowNanos;
        }
    }

    /** Returns the reserve at {@code nowNanos}: 0 until an overrun is recorded. */
    public long reserveNanos(long nowNanos) {
        if (lateNanos == 0) {
            return 0;
        }
        long halvings = Math.max(0, nowNanos - atNanos) / halfLifeNanos;
        return halvings >= Long.SIZE ? 0 : lateNanos >> halvings;
    }
}
