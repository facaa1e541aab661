package dev.goheap.jmh.trees;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine's own anchor for pause figures: how often, and for how long, a thread that never
 * blocks loses its CPU anyway (to kernel threads, other processes, the hypervisor). One platform
 * thread per CPU spins on {@link System#nanoTime()} for a while; a gap between two reads is time
 * the thread was off its CPU (or the JVM stopped it: the spinners allocate nothing, so no
 * collection does).
 *
 * <p>Why it belongs beside the collectors' figures: a stop of goheap's world waits for every
 * running goroutine to reach a safepoint, and a goroutine off its CPU reaches none, so a pause
 * that meets such a gap lasts at least as long as it. Measured on the 2-CPU build machine
 * (session 17, a C spinner and {@code perf record -e sched:sched_switch}): 16 gaps over
 * 0.25 ms in 8 s, 11 of them to the kernel's {@code kdamond} (0.6-1.3 ms), the longest 2.0 ms.
 *
 * <p><b>Thread safety:</b> {@link #measure} runs its spinners and waits for them; a {@link Tally}
 * belongs to one thread.
 */
final class CpuGaps {
    /**
     * The gap lengths counted, shortest first; a gap under the first is the loop's own jitter (an
     * interrupt, a cache miss) and is not counted.
     */
    static final long[] THRESHOLDS_NANOS = {250_000, 500_000, 1_000_000, 2_000_000, 5_000_000};

    private CpuGaps() {
    }

    /** What the spinners saw: gaps over each of {@link #THRESHOLDS_NANOS}, summed over the spinners, and the longest. */
    record Figures(int spinners, long spunNanos, long[] countsOver, long maxNanos) {
        /** Gaps over {@code thresholdNanos} (one of {@link #THRESHOLDS_NANOS}) per second of one spinner's time. */
        double perSecondOver(long thresholdNanos) {
            return countOver(thresholdNanos) / (spunNanos / 1e9 * spinners);
        }

        long countOver(long thresholdNanos) {
            for (int i = 0; i < THRESHOLDS_NANOS.length; i++) {
                if (THRESHOLDS_NANOS[i] == thresholdNanos) {
                    return countsOver[i];
                }
            }
            throw new IllegalArgumentException("threshold " + thresholdNanos + " ns (expected: one of THRESHOLDS_NANOS)");
        }

        /** One line for the comparison's output. */
        String describe() {
            return String.format(Locale.ROOT, "the machine: %d spinning thread%s, %.1f s each, lost the CPU for > 0.5 ms %d"
                    + " times (%.2f/s per thread), > 1 ms %d, > 2 ms %d; longest %s ms", spinners, spinners == 1 ? "" : "s",
                    spunNanos / 1e9, countOver(500_000), perSecondOver(500_000), countOver(1_000_000),
                    countOver(2_000_000), CollectorComparison.millis(maxNanos));
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("spinners", spinners);
            json.put("seconds", spunNanos / 1e9);
            Map<String, Object> over = new LinkedHashMap<>();
            for (int i = 0; i < THRESHOLDS_NANOS.length; i++) {
                over.put(CollectorComparison.millis(THRESHOLDS_NANOS[i]), countsOver[i]);
            }
            json.put("gapsOverMillis", over);
            json.put("maxMillis", maxNanos / 1e6);
            return json;
        }
    }

    /** Counts one spinner's gaps. */
    static final class Tally {
        final long[] countsOver = new long[THRESHOLDS_NANOS.length];
        long maxNanos;

        void add(long gapNanos) {
            if (gapNanos > maxNanos) {
                maxNanos = gapNanos;
            }
            for (int i = 0; i < THRESHOLDS_NANOS.length && gapNanos > THRESHOLDS_NANOS[i]; i++) {
                countsOver[i]++;
            }
        }
    }

    /**
     * Spins {@code spinners} platform threads for {@code nanos} each and returns their gaps.
     *
     * @throws IllegalArgumentException if {@code spinners < 1} or {@code nanos <= 0}
     */
    static Figures measure(int spinners, long nanos) throws InterruptedException {
        if (spinners < 1 || nanos <= 0) {
            throw new IllegalArgumentException("spinners " + spinners + ", nanos " + nanos + " (expected: >= 1 and > 0)");
        }
        List<Tally> tallies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < spinners; i++) {
            Tally tally = new Tally();
            tallies.add(tally);
            threads.add(Thread.ofPlatform().name("cpu-gaps-" + i).daemon().start(() -> spin(tally, nanos)));
        }
        for (Thread t : threads) {
            t.join(); // the tally's writes happen-before join's return
        }
        long[] counts = new long[THRESHOLDS_NANOS.length];
        long max = 0;
        for (Tally t : tallies) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += t.countsOver[i];
            }
            max = Math.max(max, t.maxNanos);
        }
        return new Figures(spinners, nanos, counts, max);
    }

    private static void spin(Tally tally, long nanos) {
        long start = System.nanoTime();
        long previous = start;
        while (previous - start < nanos) {
            long now = System.nanoTime();
            tally.add(now - previous);
            previous = now;
        }
    }
}
