package dev.goheap.sched;

/**
 * The mutators' slow paths (package-info "Stop" M1-M3, "Handshake" O1-O2, "Park"): taken only
 * when something is pending, or to unpark while held, or to deregister.
 *
 * <p><b>Thread safety:</b> each method runs on the goroutine's own thread and shares its
 * mutator's {@code state} and {@code op} with the operator through the protocol in package-info.
 */
final class MutatorPaths {
    private MutatorPaths() {}

    static void pollSlow(Safepoints sp) {
        Mutator m = sp.currentMutator();
        if (m == null || m.inAction) {
            return; // no goroutine of ours, or an action polls (allocates, say) on its owner
        }
        int s = m.stateVolatile();
        if (s != Mutator.RUNNING) {
            throw Errors.touchedWhileParked(m, s);
        }
        if (sp.operator() == Thread.currentThread()) {
            return; // the operator's own goroutine never waits for its own operation
        }
        for (;;) {
            int p = sp.pendingVolatile();
            if ((p & Safepoints.STOP) != 0) {
                stopHere(sp, m);
            } else if ((p & Safepoints.HANDSHAKE) != 0 && m.opVolatile() == Mutator.OP_REQUESTED
                    && m.casOp(Mutator.OP_REQUESTED, Mutator.OP_CLAIMED)) {
                runOwnAction(sp, m);
            } else {
                return;
            }
        }
    }

    /** Step M1-M3 (package-info "Stop"): stop under the lock, wait for the release. */
    private static void stopHere(Safepoints sp, Mutator m) {
        boolean claimed = false;
        sp.lock.lock();
        try {
            if ((sp.pendingVolatile() & Safepoints.STOP) == 0) {
                return; // released (or timed out) between our read of pending and the lock
            }
            m.stoppedAtNanos = System.nanoTime(); // for StopReport: published by the state write
            m.setStateVolatile(Mutator.STOPPED); // releases everything this goroutine did
            // The last to stop runs the stop's work itself, if one was posted (package-info
            // "Stop handoff"); it need not wake the operator then.
            claimed = sp.handoff.claimIfLastLocked(sp, m);
            if (!claimed && sp.operatorWaiting && !sp.handoff.mayTimeOut()) {
                // Without posted work the operator completes the stop: wake it. With posted work,
                // whoever makes the last goroutine safe completes it (a later arrival claims; a
                // park or an end signals the operator itself), so waking it here would only
                // take a CPU and the lock from the goroutines.
                sp.wakeOperatorLocked();
            }
            boolean interrupted = false;
            while (!claimed && m.stateVolatile() == Mutator.STOPPED) {
                if (!sp.handoff.mayTimeOut()) {
                    sp.released.awaitUninterruptibly(); // a virtual thread unmounts here
                    continue;
                }
                // A stop with posted work: at its deadline, abandon it ourselves if it has not
                // stopped yet, rather than wait for an operator that may be off-CPU.
                long left = sp.handoff.deadlineNanos() - System.nanoTime();
                if (left <= 0) {
                    sp.handoff.abandonByGoroutineLocked(sp); // else claimed or abandoned meanwhile
                    continue;
                }
                try {
                    sp.released.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true; // uninterruptible, as a stop always was: keep it for later
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            sp.lock.unlock();
        }
        if (claimed) {
            sp.handoff.runAndRelease(sp, m); // then RUNNING again
        }
    }

    private static void runOwnAction(Safepoints sp, Mutator m) {
        MutatorAction a = m.action; // visible: written before op = REQUESTED, read after our CAS
        m.inAction = true;
        try {
            a.run(m.goroutine);
        } catch (Throwable t) {
            m.failure = t;
        } finally {
            m.inAction = false;
        }
        m.setOpVolatile(Mutator.OP_DONE); // releases what the action did to the operator
        if (sp.operatorWaiting) {
            sp.signalOperator();
        }
    }

    static void unparkSlow(Safepoints sp, Mutator m) {
        Thread me = Thread.currentThread();
        sp.lock.lock();
        try {
            for (;;) {
                int s = m.stateVolatile();
                if (s == Mutator.PARKED) {
                    if ((sp.pendingVolatile() & Safepoints.STOP) == 0 || sp.operator() == me) {
                        if (m.casState(Mutator.PARKED, Mutator.RUNNING)) {
                            break;
                        }
                        continue; // an operator captured it meanwhile: HELD now
                    }
                } else if (s != Mutator.HELD) {
                    throw Errors.notParked(m, s);
                }
                sp.released.awaitUninterruptibly(); // held, or the world is stopped: wait for the release
            }
        } finally {
            sp.lock.unlock();
        }
        if (sp.pendingVolatile() != 0) {
            pollSlow(sp); // run a handshake action posted while we were parked, on our own thread
        }
    }

    static void deregisterLocked(Safepoints sp, Mutator m) {
        assert sp.lock.isHeldByCurrentThread();
        for (;;) {
            int s = m.stateVolatile();
            if (s == Mutator.NEW) {
                return;
            }
            if (s == Mutator.RUNNING || s == Mutator.PARKED) {
                if (m.casState(s, Mutator.DEAD)) {
                    break;
                }
            } else if (s == Mutator.HELD) {
                sp.released.awaitUninterruptibly(); // its stack may be being scanned: wait for the release
            } else if (s == Mutator.DEAD) {
                break; // an operator found its thread dead
            } else {
                throw Errors.broken("a goroutine deregisters only while running or parked", m, s);
            }
        }
        sp.registry.removeLocked(m);
        if (sp.operatorWaiting) {
            sp.wakeOperatorLocked();
        }
    }
}
