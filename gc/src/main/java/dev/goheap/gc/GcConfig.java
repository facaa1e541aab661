package dev.goheap.gc;

import java.time.Duration;
import java.util.Objects;

/**
 * The collector's settings. Build with {@link #builder()}; every setting has Go's default.
 *
 * @param gogc              heap growth between cycles in percent of the live heap (Go's
 *                          {@code GOGC}); negative turns triggering by growth off
 * @param memoryLimitBytes  soft memory limit (Go's {@code GOMEMLIMIT}): cycles start earlier so
 *                          the heap stays under it; {@link Long#MAX_VALUE} for none
 * @param maxPause          the longest stop-the-world pause, and the most stopped time in any
 *                          {@code window}
 * @param window            the window the pause budget applies to
 * @param pauseGoal         the length the collector plans each pause for: a stop whose goroutines
 *                          have not all reached a safepoint by half of it is given up and tried
 *                          again (the mutators run meanwhile), and stopped work that does not fit
 *                          in three quarters of it goes back to concurrent marking; after stops
 *                          given up in a row, the plan doubles each time, up to half the budget
 *                          left in the window. A goal, not a bound: {@code maxPause} is the bound
 * @param gctrace           whether to log one line per cycle (Go's {@code GODEBUG=gctrace=1})
 *                          through {@link System.Logger} {@code dev.goheap.gc} at INFO
 * @param checking          whether each cycle ends with a stop-the-world check that no reachable
 *                          object was freed (slow; for tests and debugging)
 * @param assists           whether goroutines that allocate while the collector marks help mark
 *                          when allocation outruns marking (Go's mutator assists; {@code false}
 *                          only to compare: the heap may then overshoot its goal)
 * @param maxAssist         the longest one assist may mark: mutator time lost, counted by the MMU
 *                          with assists; an assist ends at the first batch of grey objects past it
 */
public record GcConfig(int gogc, long memoryLimitBytes, Duration maxPause, Duration window, Duration pauseGoal,
        boolean gctrace, boolean checking, boolean assists, Duration maxAssist) {
    /** Go's default GOGC. */
    public static final int DEFAULT_GOGC = 100;
    /** The default pause budget: 10 ms in every 50 ms window. */
    public static final Duration DEFAULT_MAX_PAUSE = Duration.ofMillis(10);
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(50);
    /**
     * The default pause goal: 1 ms, or {@code maxPause} if that is shorter. Measured on
     * binary-trees at depth 21 with two goroutines on 2 CPUs (docs/measurements.md "Session 9"):
     * MMU(50 ms) 93-96 % in four runs of five against 89-93 % with the plan at half the budget,
     * where a stop waited 2.5 ms for a goroutine that had lost its CPU.
     */
    public static final Duration DEFAULT_PAUSE_GOAL = Duration.ofMillis(1);
    /** The default longest assist: 200 us, a fiftieth of the default pause budget. */
    public static final Duration DEFAULT_MAX_ASSIST = Duration.ofNanos(200_000);

    /**
     * @throws IllegalArgumentException if {@code memoryLimitBytes <= 0}, {@code maxPause} is not
     *     positive, {@code maxPause > window}, {@code pauseGoal} is not positive or is longer than
     *     {@code maxPause}, or {@code maxAssist} is not positive
     */
    public GcConfig {
        Objects.requireNonNull(maxPause, "maxPause");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(pauseGoal, "pauseGoal");
        Objects.requireNonNull(maxAssist, "maxAssist");
        if (maxAssist.isNegative() || maxAssist.isZero()) {
            throw new IllegalArgumentException("maxAssist: " + maxAssist + " (expected: > 0)");
        }
        if (memoryLimitBytes <= 0) {
            throw new IllegalArgumentException("memoryLimitBytes: " + memoryLimitBytes + " (expected: > 0)");
        }
        if (maxPause.isNegative() || maxPause.isZero()) {
            throw new IllegalArgumentException("maxPause: " + maxPause + " (expected: > 0)");
        }
        if (maxPause.compareTo(window) > 0) {
            throw new IllegalArgumentException("maxPause: " + maxPause + " (expected: <= window " + window + ")");
        }
        if (pauseGoal.isNegative() || pauseGoal.isZero() || pauseGoal.compareTo(maxPause) > 0) {
            throw new IllegalArgumentException("pauseGoal: " + pauseGoal + " (expected: > 0 and <= maxPause " + maxPause + ")");
        }
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the default settings. */
    public static GcConfig defaults() {
        return builder().build();
    }

    /** Collects settings; see the record's components. */
    public static final class Builder {
        private int gogc = DEFAULT_GOGC;
        private long memoryLimitBytes = Long.MAX_VALUE;
        private Duration maxPause = DEFAULT_MAX_PAUSE;
        private Duration window = DEFAULT_WINDOW;
        private Duration pauseGoal; // null: DEFAULT_PAUSE_GOAL, capped at maxPause
        private boolean gctrace;
        private boolean checking;
        private boolean assists = true;
        private Duration maxAssist = DEFAULT_MAX_ASSIST;

        private Builder() {}

        public Builder gogc(int percent) {
            this.gogc = percent;
            return this;
        }

        /** Turns triggering by heap growth off (Go's {@code GOGC=off}). */
        public Builder gogcOff() {
            this.gogc = -1;
            return this;
        }

        public Builder memoryLimitBytes(long bytes) {
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder pauseBudget(Duration maxPause, Duration window) {
            this.maxPause = maxPause;
            this.window = window;
            return this;
        }

        /** Sets the pause goal (default {@link #DEFAULT_PAUSE_GOAL}, or {@code maxPause} if shorter). */
        public Builder pauseGoal(Duration goal) {
            this.pauseGoal = goal;
            return this;
        }

        public Builder gctrace(boolean on) {
            this.gctrace = on;
            return this;
        }

        public Builder checking(boolean on) {
            this.checking = on;
            return this;
        }

        /** Turns mutator assists on (the default) or off. */
        public Builder assists(boolean on) {
            this.assists = on;
            return this;
        }

        /** Sets the longest single assist (default {@link #DEFAULT_MAX_ASSIST}). */
        public Builder maxAssist(Duration length) {
            this.maxAssist = length;
            return this;
        }

        public GcConfig build() {
            Duration goal = pauseGoal;
            if (goal == null) {
                goal = maxPause != null && maxPause.compareTo(DEFAULT_PAUSE_GOAL) < 0 ? maxPause : DEFAULT_PAUSE_GOAL;
            }
            return new GcConfig(gogc, memoryLimitBytes, maxPause, window, goal, gctrace, checking, assists, maxAssist);
        }
    }
}
