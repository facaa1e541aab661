package dev.goheap.gc;

import dev.goheap.gc.pause.PauseKind;

/**
 * Thrown on the collector thread when a closing collector gives up the cycle in progress
 * instead of retrying a stop or handshake that a goroutine keeps from completing (it neither
 * reaches a safepoint nor parks). Caught by {@link CycleRunner}; {@code Collector.close} then
 * reports it.
 */
final class CycleAbandonedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CycleAbandonedException(PauseKind waitingFor) {
        super("gave up the cycle while retrying its " + waitingFor.name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ') + " (the collector is closing)", null, false, false);
    }

    CycleAbandonedException(String waitingFor) {
        super("gave up the cycle while retrying its " + waitingFor + " (the collector is closing)", null, false,
                false);
    }
}
