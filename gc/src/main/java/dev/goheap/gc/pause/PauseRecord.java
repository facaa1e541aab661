package dev.goheap.gc.pause;

import java.util.Objects;

/**
 * One pause: it ran from {@code startNanos} (the stop request) for {@code lengthNanos} (to the
 * release), in {@link System#nanoTime()} units.
 *
 * <p><b>Thread safety:</b> a record of immutable values.
 *
 * @param kind        why the world was stopped
 * @param startNanos  when the stop was requested
 * @param lengthNanos how long until the release, {@code >= 0}
 */
public record PauseRecord(PauseKind kind, long startNanos, long lengthNanos) {
    /**
     * Checks the pause.
     *
     * @throws NullPointerException     if {@code kind == null}
     * @throws IllegalArgumentException if {@code lengthNanos < 0} or {@code startNanos + lengthNanos}
     *                                  overflows
     */
    public PauseRecord {
        Objects.requireNonNull(kind, "kind");
        Intervals.checkInterval("lengthNanos", startNanos, lengthNanos);
    }

    /** Returns when the world was released: {@code startNanos + lengthNanos}. */
    public long endNanos() {
        return startNanos + lengthNanos;
    }
}
