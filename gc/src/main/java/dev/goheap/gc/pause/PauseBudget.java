package dev.goheap.gc.pause;

import java.time.Duration;

/**
 * The pause bound: in every window of {@code windowNanos} of wall-clock time the world is stopped
 * for at most {@code budgetNanos} in total, and so no single pause is longer than
 * {@code budgetNanos}. The default, {@link #DEFAULT}, is 10 ms in every 50 ms (DESIGN decision 7),
 * a minimum mutator utilisation of 80 % at 50 ms.
 *
 * <p><b>Thread safety:</b> a record of immutable values.
 *
 * @param budgetNanos the most stopped time per window, {@code 0 < budgetNanos <= windowNanos}
 * @param windowNanos the window's length
 */
public record PauseBudget(long budgetNanos, long windowNanos) {
    /** 10 ms stopped at most in every 50 ms window. */
    public static final PauseBudget DEFAULT = new PauseBudget(10_000_000L, 50_000_000L);

    /**
     * Checks the bound.
     *
     * @throws IllegalArgumentException if {@code budgetNanos <= 0} or {@code budgetNanos > windowNanos}
     */
    public PauseBudget {
        if (budgetNanos <= 0) {
            throw Errors.bad("budgetNanos", budgetNanos + " ns", "> 0 ns; the collector must be able to stop"
                    + " the world to start and end a cycle");
        }
        if (budgetNanos > windowNanos) {
            throw Errors.bad("budgetNanos", budgetNanos + " ns", "<= windowNanos, " + windowNanos
                    + " ns; a window cannot be stopped for longer than it lasts");
        }
    }

    /**
     * Returns the bound {@code budget} in every {@code window}.
     *
     * @throws IllegalArgumentException if {@code budget <= 0}, {@code budget > window}, or either does
     *                                  not fit in a {@code long} of nanoseconds
     */
    public static PauseBudget of(Duration budget, Duration window) {
        return new PauseBudget(nanos("budget", budget), nanos("window", window));
    }

    /**
     * Returns the minimum mutator utilisation at {@link #windowNanos()} that the bound guarantees:
     * {@code 1 - budgetNanos / windowNanos} (0.8 for the default).
     */
    public double minimumUtilisation() {
        return 1.0 - (double) budgetNanos / windowNanos;
    }

    private static long nanos(String what, Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            throw Errors.bad(what, duration, "at most " + Long.MAX_VALUE + " ns");
        }
    }
}
