package dev.goheap.sched;

/**
 * The count of active goroutines ({@code Safepoints.active}: RUNNING or STOPPED), split into
 * stripes so that goroutines parking and unparking at once on different cores do not write one
 * cache line. A goroutine's stripe is fixed when its {@link Mutator} is made ({@link #stripeOf}
 * its id) and every add for it goes there: its park, its unpark (U1's +1 and its undo, U2's +1),
 * its end while running and the operator's removal of it when its thread died. The count is the
 * sum of the stripes, which only a stop's test ({@code WorldStop.allStopped}, S2) and tests read.
 *
 * <pre>
 *   ActiveCount
 *     stripes: ActiveStripe[n]              n a power of two, 4..64 (DEFAULT_STRIPES)
 *   ActiveStripe (one object per stripe; Mutator.activeStripe points at its goroutine's)
 *     | header, index | p1..p16: 128 B | value: volatile int | q1..q16: 128 B |
 * </pre>
 * Why 128 bytes and not 64: Intel's spatial prefetcher fetches lines in 128-byte pairs, so two
 * stripes 64 bytes apart would still share a pair's traffic; wherever the collector puts two
 * stripes, their values are at least 256 bytes apart. Why an object per stripe, which each
 * {@code Mutator} points at, rather than a padded {@code long[]} at a stride of 16 longs: the
 * array cost park+unpark on one thread 15.5 ns against 11-12 ns before striping (an extra
 * dependent load, the index arithmetic and a bounds check on each of the three adds); the
 * object costs one load of the mutator's field, as the single counter cost one of {@code
 * Safepoints}'. Why striped: with one padded counter, park+unpark on two threads of one runtime
 * cost 60-71 ns against 12.5 ns on one thread ({@code ParkUnparkSharedBenchmark}).
 *
 * <p><b>Why the sum is exact enough for S2</b> (package-info "Stop", race 3). A goroutine is
 * counted in its own stripe from its +1 to its -1: U1 and U2 add before their CAS to RUNNING (U2
 * in a stop of its own too, which has stopped waiting); a park and an end subtract after leaving
 * RUNNING. A goroutine's stripe never changes and its own adds alternate +1, -1, so
 * whenever a stop reads a stripe, its value is the number of its goroutines that are RUNNING or
 * STOPPED, plus U1 increments in flight (not yet confirmed by U1's second read of pending, or not
 * yet undone) and parks and ends not yet subtracted: never less. The stop reads the stopped count
 * first, then each stripe with a volatile read, one after the other:
 * <ol>
 *   <li>A goroutine that parks or ends between two stripe reads may be counted in a stripe read
 *       before its -1: the sum is too high, never too low, and the stop looks again.</li>
 *   <li>A goroutine that stops after the stopped count was read is in the sum (a stopped one
 *       stays active) but not in the stopped count, so the test cannot be true early.</li>
 *   <li>A goroutine that unparks (U1) adds +1 to its stripe, then reads {@code pending}; the
 *       stopper wrote STOP before it read the stripes. Both are sequentially consistent (an
 *       atomic add and volatile reads and writes), so for that stripe either the stopper's read
 *       sees the +1 (the goroutine is counted and the stop waits for its next safepoint) or the
 *       goroutine's read sees STOP (it undoes its +1 and waits in U2, never RUNNING). U2 adds
 *       and reads in the same order.</li>
 * </ol>
 * So when the test holds (stopped count + the operator's own == sum), every goroutine in the
 * sum but the operator's had stopped by the stopped count's read, and every other one was not
 * counted when its stripe was read: parked, ended, or in U1 bound to see STOP.
 *
 * <p><b>Thread safety:</b> atomic adds and volatile reads only. A stripe is written by the
 * goroutines that hash to it and by the operator for a dead one; the sum is racy by design, as
 * the three cases above allow.
 */
final class ActiveCount {
    /** At least this many stripes: with fewer, consecutive ids could share one ({@link #stripeOf}). */
    static final int MIN_STRIPES = 4;
    /** At most this many stripes: the stop reads every one at every look. */
    static final int MAX_STRIPES = 64;
    /** The default stripe count: max(4, the next power of two of 2 * CPUs), at most {@link #MAX_STRIPES}. */
    static final int DEFAULT_STRIPES = defaultStripeCount(Runtime.getRuntime().availableProcessors());

    private final ActiveStripe[] stripes;
    /** 64 - log2(stripeCount): {@link #stripeOf} keeps the hash's top bits. */
    private final int hashShift;

    /** Returns a count of {@link #DEFAULT_STRIPES} stripes. */
    ActiveCount() {
        this(DEFAULT_STRIPES);
    }

    /**
     * Returns a count of {@code stripeCount} stripes, all zero.
     *
     * @throws IllegalArgumentException if {@code stripeCount} is not a power of two in [{@link
     *     #MIN_STRIPES}, {@link #MAX_STRIPES}]
     */
    ActiveCount(int stripeCount) {
        if (stripeCount < MIN_STRIPES || stripeCount > MAX_STRIPES || Integer.bitCount(stripeCount) != 1) {
            throw new IllegalArgumentException("stripeCount: " + stripeCount
                    + " (expected: a power of two in [" + MIN_STRIPES + ", " + MAX_STRIPES + "])");
        }
        this.hashShift = 64 - Integer.numberOfTrailingZeros(stripeCount);
        this.stripes = new ActiveStripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new ActiveStripe(i);
        }
    }

    /** max(4, nextPow2(2 * cpus)), at most {@link #MAX_STRIPES}. */
    static int defaultStripeCount(int cpus) {
        int wanted = Math.max(MIN_STRIPES, 2 * Math.max(1, cpus));
        return wanted >= MAX_STRIPES ? MAX_STRIPES : Integer.highestOneBit(wanted - 1) << 1;
    }

    int stripeCount() {
        return stripes.length;
    }

    /**
     * The stripe of the goroutine with id {@code id}, the one its {@link Mutator} keeps: the
     * stripe at the top log2(stripeCount) bits of {@code
     * id} times 2^64 / φ, mod 2^64 (Fibonacci hashing). Consecutive ids, as a runtime hands them
     * out, never share a stripe: their products differ by 0.618 * 2^64, at least 0.38 * 2^64 apart
     * around the circle, more than a stripe's 2^64 / 4 or less. Ids a stride apart spread too.
     */
    ActiveStripe stripeOf(long id) {
        return stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> hashShift)];
    }

    /** Stripe {@code index}. */
    ActiveStripe stripe(int index) {
        return stripes[index];
    }

    /**
     * The count: the sum of the stripes, each read volatile, in order. Not a snapshot (see the
     * class comment for why S2 may use it): exact only when no goroutine parks or unparks.
     */
    int sumVolatile() {
        int sum = 0;
        for (ActiveStripe s : stripes) {
            sum += s.getVolatile();
        }
        return sum;
    }
}
