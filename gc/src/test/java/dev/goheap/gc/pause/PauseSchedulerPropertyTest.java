package dev.goheap.gc.pause;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A greedy collector on a fake clock asks for pauses of random length as often as the scheduler
 * allows, cuts each at its budget, and records it; after 10 s of simulated time, {@link Mmu}
 * checks the bound over the whole log: no window of W holds more than B, no pause exceeds B. Along
 * the way every {@code earliestStartNanos} answer is checked to be the first instant with enough
 * budget. Nothing sleeps: the clock is a {@code long}.
 *
 * <p>Replay a failure with the seed it prints: {@code ./mvnw -o -pl gc test
 * -Dtest=PauseSchedulerPropertyTest -Dgoheap.test.argLine=-Dgoheap.seed=SEED}.
 */
class PauseSchedulerPropertyTest {
    static final long MS = 1_000_000L;
    static final long RUN_NANOS = 10_000 * MS;
    static final int RUNS = 3;

    private final long seed = Long.getLong("goheap.seed", System.nanoTime());

    /** Whether the mutator leaves gaps between pauses, and how long the collector's shortest useful pause is. */
    private enum Mutator { BUSY, RANDOM_GAPS, LONG_SHORTEST_USEFUL }

    @Test
    void shouldKeepEveryWindowWithinTheBudgetWhenAGreedyCollectorRunsForTenSeconds() {
        PauseBudget[] budgets = {
            PauseBudget.DEFAULT, new PauseBudget(2 * MS, 5 * MS), new PauseBudget(5 * MS, 5 * MS),
            new PauseBudget(MS, 100 * MS), new PauseBudget(7_777, 1_300_013)
        };
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int run = 0; run < RUNS; run++) {
            for (PauseBudget budget : budgets) {
                for (Mutator mutator : Mutator.values()) {
                    long runSeed = seeds.nextLong();
                    try {
                        simulate(budget, mutator, new SplittableRandom(runSeed));
                    } catch (Throwable t) {
                        throw new AssertionError("failed for " + budget + ", " + mutator + " (test seed " + seed
                                + ", replay with -Dgoheap.seed=" + seed + ")", t);
                    }
                }
            }
        }
    }

    private static void simulate(PauseBudget budget, Mutator mutator, SplittableRandom random) {
        long b = budget.budgetNanos();
        long w = budget.windowNanos();
        PauseLog log = new PauseLog();
        PauseScheduler scheduler = new PauseScheduler(log, budget);
        long runStart = random.nextLong(-RUN_NANOS, RUN_NANOS); // nanoTime may be negative
        long now = runStart;
        // A real collector never starts a pause shorter than its time-to-safepoint; without such a
        // floor a greedy one would take a 1 ns pause each time 1 ns of old pause slid out of the window.
        long shortestUseful = 1 + b / 100 + random.nextLong(
                mutator == Mutator.LONG_SHORTEST_USEFUL ? b / 4 + 1 : b / 100 + 1);
        while (now - runStart < RUN_NANOS) {
            long wanted = 1 + random.nextLong(2 * b); // sometimes more than the budget: cut
            long allowed = scheduler.budgetNanos(now);
            assertTrue(allowed <= b, "budget " + allowed + " above B");
            if (allowed < shortestUseful) {
                long target = Math.min(b, Math.max(Math.max(allowed + 1, shortestUseful), wanted / 2));
                long start = scheduler.earliestStartNanos(now, target);
                assertTrue(start > now, "a pause of " + target + " cannot start at " + now + " with " + allowed);
                assertTrue(scheduler.budgetNanos(start) >= target, "enough budget at the earliest start");
                assertTrue(scheduler.budgetNanos(start - 1) < target, "not enough budget 1 ns earlier");
                now = random.nextInt(4) == 0 ? now + random.nextLong(start - now) + 1 : start; // or poll early
                continue;
            }
            long length = Math.min(wanted, allowed); // the collector cuts at the deadline
            PauseKind kind = wanted > allowed ? PauseKind.ABORTED_STOP
                    : random.nextBoolean() ? PauseKind.MARK_START : PauseKind.MARK_TERMINATION;
            log.record(kind, now, length);
            now += length;
            if (mutator != Mutator.BUSY && random.nextBoolean()) {
                now += random.nextLong(3 * w / 50 + 1); // up to 3 ms with the default window
            }
        }

        PauseSnapshot pauses = log.snapshot();
        assertTrue(pauses.size() > 0);
        assertTrue(pauses.maxNanos() <= b, "longest pause " + pauses.maxNanos() + " above B " + b);
        long maxStopped = Mmu.maxStoppedInWindow(pauses, w);
        assertTrue(maxStopped <= b, "a window of " + w + " ns holds " + maxStopped + " ns stopped, above " + b);
        double mmu = Mmu.mmu(pauses, runStart, now, w);
        assertTrue(mmu >= budget.minimumUtilisation() - 1e-12, "MMU(W) " + mmu + " below the bound");
        if (mutator == Mutator.BUSY) {
            // Greedy and never idle: the first budget is spent back to back until less than the
            // shortest useful pause is left, so the bound is nearly tight.
            assertTrue(maxStopped > b - shortestUseful, "the scheduler wasted budget: " + maxStopped + " of " + b);
        }
    }
}
