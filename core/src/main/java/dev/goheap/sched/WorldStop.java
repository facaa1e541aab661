package dev.goheap.sched;

/**
 * The operator's side of a stop of the world (package-info "Stop", steps S2-S6): waits until
 * every goroutine of the stop is stopped, held or deregistered, holding the parked ones, and
 * releases them all at the end or at the deadline.
 *
 * <p><b>Thread safety:</b> the operator thread only; it shares the mutators' {@code state}
 * with their owners through the CAS protocol in package-info.
 */
final class WorldStop {
    private WorldStop() {}

    /**
     * Steps S2-S4 (package-info "Stop"): waits until every goroutine of {@code all} is stopped,
     * held or deregistered, capturing the parked ones. Returns false if the deadline passed.
     */
    static boolean awaitStopped(Safepoints sp, Mutator[] all, long deadlineNanos) {
        int safe = 0; // all[0, safe) are stopped, held or dead: stable until our release
        boolean interrupted = false;
        try {
            for (int round = 0; ; round++) {
                safe = scanForStop(sp, all, safe, round >= Safepoints.SPIN_ROUNDS);
                if (safe == all.length) {
                    return true;
                }
                if (System.nanoTime() - deadlineNanos >= 0) {
                    return false;
                }
                if (round < Safepoints.SPIN_ROUNDS) {
                    Thread.onSpinWait();
                    continue;
                }
                sp.lock.lock();
                try {
                    sp.operatorWaiting = true; // then look again (Dekker with park; race 4)
                    safe = scanForStop(sp, all, safe, true);
                    long left = deadlineNanos - System.nanoTime();
                    if (safe < all.length && left > 0) {
                        sp.arrived.awaitNanos(Math.min(left, Safepoints.RESCAN_NANOS));
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the deadline bounds the wait; keep the interrupt for the caller
                } finally {
                    sp.operatorWaiting = false;
                    sp.lock.unlock();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One pass over {@code all[safe..]}: moves the ones now safe to the front; returns the new count. */
    private static int scanForStop(Safepoints sp, Mutator[] all, int safe, boolean checkDead) {
        for (int i = safe; i < all.length; i++) {
            Mutator m = all[i];
            if (safeForStop(sp, m, checkDead)) {
                all[i] = all[safe];
                all[safe++] = m;
            }
        }
        return safe;
    }

    private static boolean safeForStop(Safepoints sp, Mutator m, boolean checkDead) {
        for (;;) {
            int s = m.stateVolatile();
            switch (s) {
                case Mutator.STOPPED, Mutator.HELD, Mutator.DEAD -> {
                    return true;
                }
                case Mutator.PARKED -> {
                    if (m.casState(Mutator.PARKED, Mutator.HELD)) { // step S3: it cannot unpark now
                        return true;
                    }
                    // lost to its unpark or deregister: look again
                }
                case Mutator.RUNNING -> {
                    return checkDead && sp.abandonIfDead(m);
                }
                default -> throw Errors.broken("a registered goroutine is never NEW", m, s);
            }
        }
    }

    /**
     * Step S6 (package-info "Stop"), also at a timeout: clears STOP, makes the stopped
     * goroutines of {@code all} running and the held ones parked, wakes every waiter, then ends
     * the operation.
     */
    static void release(Safepoints sp, Mutator[] all) {
        sp.lock.lock();
        try {
            sp.setPendingLocked(Safepoints.STOP, false);
            for (Mutator m : all) {
                int s = m.stateVolatile();
                if (s == Mutator.STOPPED) {
                    m.setStateVolatile(Mutator.RUNNING);
                } else if (s == Mutator.HELD) {
                    m.setStateVolatile(Mutator.PARKED);
                }
            }
            // The release point: every goroutine may run from here (a waiter's wake-up is up to
            // the schedulers). Taken before the wake-ups, which may preempt this thread.
            sp.lastReleaseNanos = System.nanoTime();
            sp.released.signalAll();
        } finally {
            sp.lock.unlock();
        }
        sp.releaseOperator();
    }
}
