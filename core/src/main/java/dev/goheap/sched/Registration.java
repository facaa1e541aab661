package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.util.Collection;
import java.util.Objects;

/**
 * Goroutines joining and leaving the registry of a {@link Safepoints} (package-info "Mutator
 * paths", R and D): registration on the goroutine's own thread before its task runs,
 * deregistration when it ends or detaches, and the removal of one whose thread died without
 * deregistering.
 *
 * <p><b>Thread safety:</b> {@link #register} and {@link #deregister} run on the goroutine's own
 * thread; a dead goroutine is removed by any thread. The registry and the states change under
 * the Safepoints' lock, through the protocol in package-info.
 */
final class Registration {
    private Registration() {}

    /** The body of {@link Safepoints#register}, which see. */
    static void register(Safepoints sp, Mutator m) {
        checkOwn(sp, "register", m);
        Mutator cur = sp.current.get();
        if (cur != null) {
            throw Errors.alreadyRegistered(m, cur);
        }
        MutatorPaths.awaitNoStop(sp); // U1 would wait for the release anyway, after queueing for the lock
        sp.lock.lock();
        try {
            if (m.stateVolatile() != Mutator.NEW) {
                throw Errors.alreadyRegistered(m, null);
            }
            m.setStateVolatile(Mutator.PARKED);
            sp.registry.addLocked(m);
        } finally {
            sp.lock.unlock();
        }
        sp.current.set(m);
        sp.unpark();
    }

    /** The body of {@link Safepoints#deregister}, which see. */
    static void deregister(Safepoints sp, Mutator m) {
        checkOwn(sp, "deregister", m);
        if (m.stateVolatile() == Mutator.RUNNING && !m.inAction && sp.operator() != Thread.currentThread()) {
            // Park first (no poll: an ending goroutine leaves rather than stops), so that no stop
            // waits while we queue for the lock: goroutines ending by thousands at once queued
            // for it running, and a stop waited for the queue. The stack is still whole: a
            // handshake may hold us and scan it meanwhile (D waits while HELD).
            MutatorPaths.parkWithoutPoll(sp, m);
        }
        if (m.stateVolatile() != Mutator.RUNNING) {
            MutatorPaths.awaitNoStop(sp); // no stop waits for us, and the lock is the stop's
        }
        sp.lock.lock();
        try {
            deregisterLocked(sp, m);
        } finally {
            sp.lock.unlock();
        }
        if (sp.current.get() == m) {
            sp.current.remove();
        }
    }

    /** The body of {@link Safepoints#deregisterDead}, which see. */
    static void deregisterDead(Safepoints sp, Mutator m) {
        checkMine(sp, m);
        if (m.thread.isAlive()) {
            throw Errors.threadAlive(m);
        }
        sp.lock.lock();
        try {
            deregisterLocked(sp, m);
        } finally {
            sp.lock.unlock();
        }
    }

    /** Step D under the lock (package-info "Mutator paths"): waits while held, then leaves the registry. */
    private static void deregisterLocked(Safepoints sp, Mutator m) {
        assert sp.lock.isHeldByCurrentThread();
        for (;;) {
            int s = m.stateVolatile();
            if (s == Mutator.NEW) {
                return;
            }
            if (s == Mutator.RUNNING || s == Mutator.PARKED) {
                if (m.casState(s, Mutator.DEAD)) {
                    if (s == Mutator.RUNNING) {
                        sp.addActive(m, -1);
                    }
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
            OperatorSlot.wakeLocked(sp);
        }
    }

    /** A RUNNING goroutine whose thread died without deregistering: deregister it now (the operator's scans). */
    static boolean abandonIfDead(Safepoints sp, Mutator m) {
        if (m.thread.isAlive() || !m.casState(Mutator.RUNNING, Mutator.DEAD)) {
            return false;
        }
        sp.addActive(m, -1);
        sp.lock.lock();
        try {
            sp.registry.removeLocked(m);
        } finally {
            sp.lock.unlock();
        }
        return true;
    }

    private static void checkOwn(Safepoints sp, String operation, Mutator m) {
        checkMine(sp, m);
        if (Thread.currentThread() != m.thread) {
            throw Errors.notOwnThread(operation, m);
        }
    }

    /** Refuses a null collection, or one with a goroutine of another runtime ({@link Safepoints#handshakeReport}). */
    static void checkAllMine(Safepoints sp, Collection<? extends Goroutine> goroutines) {
        Objects.requireNonNull(goroutines, "goroutines");
        for (Goroutine g : goroutines) {
            checkMine(sp, g.mutator());
        }
    }

    /** Refuses a mutator made by another Safepoints (or null). */
    static void checkMine(Safepoints sp, Mutator m) {
        Objects.requireNonNull(m, "mutator");
        if (m.safepoints != sp) {
            throw Errors.foreignMutator(m);
        }
    }
}
