package dev.goheap.gc.pause;

import java.util.Arrays;

/**
 * The union of a set of time intervals, as disjoint sorted intervals with prefix sums, so that
 * the stopped time before any instant is one binary search away. {@link Mmu} builds one per call.
 *
 * <pre>
 *   starts  s0      s1          s2 ...      (sorted; e(i) &lt; s(i+1): touching intervals are merged)
 *   ends      e0       e1          e2
 *   prefix  0  |e0-s0| |+e1-s1| ...         prefix[i] = stopped time of intervals 0 .. i-1
 *   C(y)    = stopped time in (-inf, y) = prefix[k-1] + min(y, e(k-1)) - s(k-1),
 *             k = number of intervals with s &lt; y
 *   F(x)    = stopped time in the window [x, x + w) = C(x + w) - C(x)
 * </pre>
 *
 * <p><b>Thread safety:</b> immutable after construction; no method writes.
 */
final class Intervals {
    private final long[] starts;
    private final long[] ends;
    private final long[] prefix; // prefix.length == starts.length + 1

    private Intervals(long[] starts, long[] ends, long[] prefix) {
        this.starts = starts;
        this.ends = ends;
        this.prefix = prefix;
    }

    /**
     * Returns the union of the intervals {@code [starts[i], starts[i] + lengths[i])}, which may be
     * unsorted and overlap; the arrays are not modified.
     *
     * @throws IllegalArgumentException if the lengths differ, a length is negative, or an end overflows
     */
    static Intervals union(long[] starts, long[] lengths) {
        if (starts.length != lengths.length) {
            throw Errors.lengthMismatch(starts.length, lengths.length);
        }
        int n = starts.length;
        long[][] byStart = new long[n][];
        for (int i = 0; i < n; i++) {
            checkInterval("lengths[" + i + "]", starts[i], lengths[i]);
            byStart[i] = new long[] {starts[i], starts[i] + lengths[i]};
        }
        Arrays.sort(byStart, (a, b) -> Long.compare(a[0], b[0]));
        long[] s = new long[n];
        long[] e = new long[n];
        int m = 0;
        for (long[] interval : byStart) {
            if (interval[1] == interval[0]) {
                continue; // an empty interval stops nothing
            }
            if (m > 0 && interval[0] <= e[m - 1]) {
                e[m - 1] = Math.max(e[m - 1], interval[1]);
            } else {
                s[m] = interval[0];
                e[m] = interval[1];
                m++;
            }
        }
        long[] prefix = new long[m + 1];
        for (int i = 0; i < m; i++) {
            prefix[i + 1] = prefix[i] + (e[i] - s[i]);
        }
        return new Intervals(Arrays.copyOf(s, m), Arrays.copyOf(e, m), prefix);
    }

    /**
     * Checks one interval.
     *
     * @throws IllegalArgumentException if {@code lengthNanos < 0} or {@code startNanos + lengthNanos} overflows
     */
    static void checkInterval(String what, long startNanos, long lengthNanos) {
        if (lengthNanos < 0) {
            throw Errors.negativeLength(what, lengthNanos);
        }
        if (startNanos + lengthNanos < startNanos) {
            throw Errors.endOverflows(what, startNanos, lengthNanos);
        }
    }

    /** Returns the number of disjoint intervals in the union. */
    int size() {
        return starts.length;
    }

    /** Returns the stopped time of the whole union. */
    long totalNanos() {
        return prefix[starts.length];
    }

    /** Returns C(y): the stopped time in {@code (-inf, y)}. */
    long stoppedBefore(long y) {
        int k = countStartsBelow(y);
        if (k == 0) {
            return 0;
        }
        int i = k - 1;
        return prefix[i] + Math.min(y, ends[i]) - starts[i];
    }

    /** Returns F(x): the stopped time in the window {@code [x, x + windowNanos)} (saturated at the end of time). */
    long stoppedInWindow(long x, long windowNanos) {
        return stoppedBefore(saturatedAdd(x, windowNanos)) - stoppedBefore(x);
    }

    /**
     * Returns the largest F(x) for {@code lo <= x <= hi}, exactly. F is continuous and piecewise
     * linear; its slope is {@code [x + w in a pause] - [x in a pause]}, so it falls only while the
     * left edge is inside a pause and rises only while the right edge is. Going right along a
     * stretch where F is largest, F stops being largest only where it starts to fall: where the
     * left edge enters a pause ({@code x = s}) or at {@code hi}. Going left, where the right edge
     * leaves a pause ({@code x = e - w}) or at {@code lo}. Either family of points holds the maximum;
     * both are evaluated, each in O(log n).
     */
    long maxStoppedInWindow(long windowNanos, long lo, long hi) {
        assert lo <= hi && windowNanos > 0;
        long best = Math.max(stoppedInWindow(lo, windowNanos), stoppedInWindow(hi, windowNanos));
        for (int i = 0; i < starts.length; i++) {
            best = Math.max(best, candidate(starts[i], windowNanos, lo, hi));
            best = Math.max(best, candidate(saturatedAdd(ends[i], -windowNanos), windowNanos, lo, hi));
        }
        return best;
    }

    private long candidate(long x, long windowNanos, long lo, long hi) {
        return x < lo || x > hi ? 0 : stoppedInWindow(x, windowNanos);
    }

    private int countStartsBelow(long y) {
        int lo = 0;
        int hi = starts.length; // answer in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < y) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
