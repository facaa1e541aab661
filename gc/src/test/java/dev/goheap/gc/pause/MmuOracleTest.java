package dev.goheap.gc.pause;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Mmu} against a brute force that slides the window in 1 µs steps over small random runs.
 * With every time a whole number of microseconds, each breakpoint lies on the 1 µs grid and the
 * brute force is exact, so the results must be equal. With arbitrary nanoseconds, the brute
 * force samples the window positions every 1 µs; the stopped time in the window changes by at
 * most 1 ns per ns of shift, so it may miss the maximum by at most 1 µs, never exceed it.
 *
 * <p>Replay a failure with the seed it prints: {@code ./mvnw -o -pl gc test -Dtest=MmuOracleTest
 * -Dgoheap.test.argLine=-Dgoheap.seed=SEED}.
 */
class MmuOracleTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    private final long seed = Long.getLong("goheap.seed", System.nanoTime());

    @Test
    void shouldEqualTheBruteForceWhenTimesAreWholeMicroseconds() {
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < 300; c++) {
            Case k = Case.random(random, US, true);
            try {
                check(k, true);
            } catch (Throwable t) {
                throw new AssertionError("case " + c + " " + k + " (seed " + seed + ", replay with -Dgoheap.seed="
                        + seed + ")", t);
            }
        }
    }

    @Test
    void shouldStayWithinOneMicrosecondOfTheBruteForceWhenTimesAreArbitraryNanoseconds() {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int c = 0; c < 100; c++) {
            Case k = Case.random(random, 1, random.nextBoolean());
            try {
                check(k, false);
            } catch (Throwable t) {
                throw new AssertionError("case " + c + " " + k + " (seed " + seed + ", replay with -Dgoheap.seed="
                        + seed + ")", t);
            }
        }
    }

    /** A random run: pauses (maybe overlapping, maybe outside the run), a run, a window. */
    record Case(long[] starts, long[] lengths, long runStart, long runEnd, long window) {
        static Case random(SplittableRandom r, long unit, boolean overlapping) {
            long runUs = 1_000 + r.nextLong(20_000); // 1 .. 21 ms
            long runStart = unit * r.nextLong(-1_000_000_000L, 1_000_000_000L); // nanoTime-like, any sign
            long runEnd = runStart + runUs * US;
            int n = r.nextInt(25);
            long[] starts = new long[n];
            long[] lengths = new long[n];
            long cursor = runStart - 3 * MS;
            for (int i = 0; i < n; i++) {
                long length = r.nextInt(8) == 0 ? 0 : r.nextInt(4) == 0 ? r.nextLong(4 * MS) : r.nextLong(200 * US);
                length = length / unit * unit;
                if (overlapping) {
                    starts[i] = (runStart - 3 * MS + r.nextLong(runUs * US + 6 * MS)) / unit * unit;
                } else {
                    cursor += r.nextLong(runUs * US / Math.max(1, n)); // in order, then shuffled below
                    starts[i] = cursor;
                    cursor += length;
                }
                lengths[i] = length;
            }
            shuffle(r, starts, lengths);
            long window = Math.max(unit, r.nextLong(runUs * US + 5 * MS) / unit * unit);
            return new Case(starts, lengths, runStart, runEnd, window);
        }

        private static void shuffle(SplittableRandom r, long[] a, long[] b) {
            for (int i = a.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                long t = a[i];
                a[i] = a[j];
                a[j] = t;
                t = b[i];
                b[i] = b[j];
                b[j] = t;
            }
        }

        @Override
        public String toString() {
            return "Case[starts=" + Arrays.toString(starts) + ", lengths=" + Arrays.toString(lengths) + ", run=["
                    + runStart + ", " + runEnd + "], window=" + window + "]";
        }
    }

    private static void check(Case k, boolean exact) {
        long w = Math.min(k.window, k.runEnd - k.runStart);
        long bruteInRun = bruteMaxStopped(k, w, k.runStart, k.runEnd - w);
        double mmu = Mmu.mmu(k.starts, k.lengths, k.runStart, k.runEnd, k.window);
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < k.starts.length; i++) {
            lo = Math.min(lo, k.starts[i] - k.window);
            hi = Math.max(hi, k.starts[i] + k.lengths[i]);
        }
        long bruteAnywhere = k.starts.length == 0 ? 0 : bruteMaxStopped(k, k.window, lo, hi);
        long maxStopped = Mmu.maxStoppedInWindow(k.starts, k.lengths, k.window);
        if (exact) {
            assertEquals((double) (w - bruteInRun) / w, mmu, 0.0, "mmu");
            assertEquals(bruteAnywhere, maxStopped, "maxStoppedInWindow");
        } else {
            double slack = (double) US / w;
            assertTrue(mmu <= (double) (w - bruteInRun) / w, "mmu " + mmu + " above a sampled window's "
                    + (double) (w - bruteInRun) / w);
            assertTrue(mmu >= (double) (w - bruteInRun) / w - slack - 1e-12, "mmu " + mmu + " too far below "
                    + (double) (w - bruteInRun) / w);
            assertTrue(maxStopped >= bruteAnywhere, "maxStopped " + maxStopped + " below a sampled " + bruteAnywhere);
            assertTrue(maxStopped <= bruteAnywhere + US, "maxStopped " + maxStopped + " too far above " + bruteAnywhere);
        }
    }

    /**
     * The most stopped time in {@code [x, x + w)} for x from {@code lo} to {@code hi} in 1 µs steps
     * (and {@code hi} itself), counting each nanosecond covered by any pause once.
     */
    private static long bruteMaxStopped(Case k, long w, long lo, long hi) {
        long[][] merged = naiveUnion(k.starts, k.lengths);
        long best = 0;
        for (long x = lo; ; x = Math.min(x + US, hi)) {
            long stopped = 0;
            for (long[] p : merged) {
                stopped += Math.max(0, Math.min(p[1], x + w) - Math.max(p[0], x));
            }
            best = Math.max(best, stopped);
            if (x == hi) {
                return best;
            }
        }
    }

    /** The union as disjoint intervals, built the slow way: insert each, absorbing what it touches. */
    private static long[][] naiveUnion(long[] starts, long[] lengths) {
        long[][] out = new long[0][];
        for (int i = 0; i < starts.length; i++) {
            long s = starts[i];
            long e = starts[i] + lengths[i];
            if (s == e) {
                continue;
            }
            long[][] kept = new long[0][];
            for (long[] p : out) {
                if (p[1] < s || p[0] > e) {
                    kept = Arrays.copyOf(kept, kept.length + 1);
                    kept[kept.length - 1] = p;
                } else {
                    s = Math.min(s, p[0]);
                    e = Math.max(e, p[1]);
                }
            }
            out = Arrays.copyOf(kept, kept.length + 1);
            out[out.length - 1] = new long[] {s, e};
        }
        return out;
    }
}
