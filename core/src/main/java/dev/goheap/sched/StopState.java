package dev.goheap.sched;

import java.util.concurrent.locks.LockSupport;

/**
 * The stops of the world of one {@link Safepoints}: whether the world is stopped now and with
 * which goroutines (the operator's, between {@link PlainStop}'s stop and start), and what the
 * last stops left for anyone to read: their request and release times and their reports.
 *
 * <p><b>Thread safety:</b> the fields say who writes them; the volatile ones are read racily.
 */
final class StopState {
    /** Whether the world is stopped: written by the operator. */
    volatile boolean worldStopped;
    /** When the last stop was released: written by the operator in {@code WorldStop.release}. */
    volatile long lastReleaseNanos;
    /** When the last stop was requested (STOP set, step S1): written by the operator under the lock. */
    volatile long lastRequestNanos;
    /** Written by the operator at the end of each stop's wait ({@link #record}); read by anyone (tracing). */
    volatile StopReport lastStop;
    volatile StopReport worstStop;
    long stopStart;    // operator only: when the current stop was requested
    /**
     * The goroutines that stopped (M2) for the current stop, in order of arrival, so that the
     * release touches those and not every goroutine: guarded by the lock; {@link #stoppedCount}
     * is read racily by the operator and the claimant ({@link WorldStop#allStopped}).
     */
    private Mutator[] stopped = new Mutator[16];
    volatile int stoppedCount;
    /** 1 if the operator is itself a running goroutine (it never stops for its own stop): written under the lock at S1. */
    volatile int operatorActive;
    /** The goroutine that stopped last for the current stop (M2, under the lock), read racily by the report. */
    volatile Mutator lastStopped;
    /**
     * The goroutine that parked or ended last while a stop was pending (P, M0, D; no lock), its
     * time in its {@code stoppedAtNanos}: it may be the one that completed the stop. Read racily
     * by the report, which ignores one older than the request (a park seen pending just before
     * the previous release).
     */
    volatile Mutator lastParked;
    /** Operator only: a missed stop's time to the deadline and debug sample, for its report after the release. */
    long missedTts;
    String missedSample;
    long timeToSafepointOfStop = -1; // operator only: stopTheWorldAndRun's, until startTheWorld counts it

    /** Step M2, under the lock: {@code m} has just stopped. */
    void addStoppedLocked(Mutator m) {
        int n = stoppedCount;
        if (n == stopped.length) {
            stopped = java.util.Arrays.copyOf(stopped, n * 2);
        }
        stopped[n] = m;
        stoppedCount = n + 1;
        lastStopped = m;
    }

    /**
     * Step S6, under the lock: every goroutine that stopped runs again. Then {@link
     * #wakeReleasedLocked} wakes them. A CAS, not a write: after an abandoned stop, a stopped
     * goroutine may have released itself and parked since (package-info "Abandon").
     */
    void releaseStoppedLocked() {
        for (int i = 0, n = stoppedCount; i < n; i++) {
            stopped[i].casState(Mutator.STOPPED, Mutator.RUNNING);
        }
    }

    /**
     * Step S6, under the lock, after {@link #releaseStoppedLocked}: unparks each released
     * goroutine (they wait parked without the lock, M3) but the caller's own; the list is empty after.
     */
    void wakeReleasedLocked() {
        Thread self = Thread.currentThread();
        for (int i = 0, n = stoppedCount; i < n; i++) {
            Thread t = stopped[i].thread;
            if (t != self) {
                LockSupport.unpark(t);
            }
            stopped[i] = null;
        }
        stoppedCount = 0;
        lastStopped = null;
        lastParked = null;
    }

    /** The operator, at the end of a stop's wait. */
    void record(StopReport r) {
        lastStop = r;
        StopReport w = worstStop;
        if (w == null || r.timeToSafepointNanos() > w.timeToSafepointNanos()) {
            worstStop = r;
        }
    }

    /** Forgets the reports and the release time of the stops so far (the warm-up's). */
    void forgetReports() {
        lastStop = null;
        worstStop = null;
        lastReleaseNanos = 0;
    }
}
