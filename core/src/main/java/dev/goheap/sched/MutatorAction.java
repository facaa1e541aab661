package dev.goheap.sched;

import dev.goheap.stack.Goroutine;

/**
 * What a handshake does for each goroutine ({@link Safepoints#handshake}): typically the
 * collector's stack scan, {@code g -> g.forEachStackPointerSlot(marker)}.
 *
 * <p>It runs exactly once per goroutine it is done for, either on the goroutine's own thread at
 * its next safepoint (then {@code Thread.currentThread() == g.thread()}) or on the handshake's
 * caller while the goroutine is parked or stopped and held, so it cannot unpark meanwhile. Either
 * way the goroutine is not running goheap code at the same time, and everything it did before
 * that safepoint or park is visible (package-info "Happens-before").
 *
 * <p>An action must be short and must not block on anything a goroutine does: it holds up the
 * goroutine, and on the caller's thread the rest of the handshake. It must not park, stop the
 * world or start a handshake. On the owner's thread it runs inside a safepoint (in a push, a pop,
 * an allocation, a poll or a park), so it must not push or pop on that goroutine's stack; it may
 * shrink it with {@link Goroutine#shrinkStackIfOwner}. What it throws is caught and rethrown by
 * the handshake when it ends; the goroutine goes on.
 */
@FunctionalInterface
public interface MutatorAction {
    /** Does the handshake's work for goroutine {@code g}. */
    void run(Goroutine g);
}
