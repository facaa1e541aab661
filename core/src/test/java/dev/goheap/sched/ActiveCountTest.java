package dev.goheap.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The striped count of active goroutines by itself ({@link ActiveCount}): its stripe count, the
 * stripe a goroutine id maps to, and the sum of signed adds spread over the stripes. The
 * protocol that reads it is tested by {@link SafepointsActiveCountTest} and jcstress
 * {@code SafepointStress.UnparkOnTwoStripes}.
 */
class ActiveCountTest {

    @Test
    void shouldPickAPowerOfTwoFromFourToSixtyFourWhenGivenTheCpuCount() {
        assertEquals(4, ActiveCount.defaultStripeCount(1));
        assertEquals(4, ActiveCount.defaultStripeCount(2));
        assertEquals(8, ActiveCount.defaultStripeCount(3));
        assertEquals(8, ActiveCount.defaultStripeCount(4));
        assertEquals(16, ActiveCount.defaultStripeCount(5));
        assertEquals(64, ActiveCount.defaultStripeCount(32));
        assertEquals(64, ActiveCount.defaultStripeCount(33));
        assertEquals(64, ActiveCount.defaultStripeCount(1024));
        int n = ActiveCount.DEFAULT_STRIPES;
        assertTrue(n >= 4 && n <= ActiveCount.MAX_STRIPES && Integer.bitCount(n) == 1, "default: " + n);
        assertEquals(n, new ActiveCount().stripeCount());
    }

    @Test
    void shouldRefuseAStripeCountWhenNotAPowerOfTwoInRange() {
        assertThrows(IllegalArgumentException.class, () -> new ActiveCount(0));
        assertThrows(IllegalArgumentException.class, () -> new ActiveCount(2));
        assertThrows(IllegalArgumentException.class, () -> new ActiveCount(6));
        assertThrows(IllegalArgumentException.class, () -> new ActiveCount(128));
    }

    @Test
    void shouldMapConsecutiveIdsToDifferentStripesWhenHashing() {
        for (int n = ActiveCount.MIN_STRIPES; n <= ActiveCount.MAX_STRIPES; n <<= 1) {
            ActiveCount c = new ActiveCount(n);
            int[] hits = new int[n];
            for (long id = 1; id <= 100_000; id++) {
                int s = c.stripeOf(id).index;
                assertTrue(s >= 0 && s < n, "stripe of " + id + ": " + s + " (expected: in [0, " + n + "))");
                assertEquals(s, c.stripeOf(id).index, "the same id, the same stripe");
                assertNotEquals(s, c.stripeOf(id + 1).index,
                        "ids " + id + " and " + (id + 1) + " with " + n + " stripes");
                hits[s]++;
            }
            for (int s = 0; s < n; s++) { // Fibonacci hashing spreads within a few per cent of even
                int even = 100_000 / n;
                assertTrue(Math.abs(hits[s] - even) < even / 20, n + " stripes, stripe " + s + ": " + hits[s]);
            }
        }
    }

    @Test
    void shouldChangeOnlyItsOwnStripeWhenOneStripeIsAddedTo() {
        ActiveCount c = new ActiveCount(8);
        for (int s = 0; s < 8; s++) {
            c.stripe(s).add(s + 1);
        }
        for (int s = 0; s < 8; s++) {
            assertEquals(s + 1, c.stripe(s).getVolatile(), "stripe " + s);
            assertEquals(s, c.stripe(s).index);
        }
        assertEquals(36, c.sumVolatile());
    }

    @Test
    void shouldSumSignedAddsWhenSpreadOverTheStripes() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        try {
            for (int n = ActiveCount.MIN_STRIPES; n <= ActiveCount.MAX_STRIPES; n <<= 1) {
                ActiveCount c = new ActiveCount(n);
                long[] model = new long[n];
                for (int i = 0; i < 10_000; i++) {
                    int s = random.nextInt(n);
                    int delta = random.nextInt(-3, 4);
                    c.stripe(s).add(delta);
                    model[s] += delta;
                }
                long sum = 0;
                for (int s = 0; s < n; s++) {
                    assertEquals(model[s], c.stripe(s).getVolatile(), "stripe " + s + " of " + n);
                    sum += model[s];
                }
                assertEquals((int) sum, c.sumVolatile(), n + " stripes");
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    @Test
    void shouldSumToWhatStaysActiveWhenThreadsAddToTheirOwnStripesAtOnce() throws Exception {
        ActiveCount c = new ActiveCount(4);
        int threads = 4;
        int rounds = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ActiveStripe stripe = c.stripeOf(t + 1);
            ts[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                stripe.add(1); // registered and running
                for (int i = 0; i < rounds; i++) {
                    stripe.add(-1); // park
                    stripe.add(1); // unpark
                }
            });
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(threads, c.sumVolatile());
        for (int t = 0; t < threads; t++) {
            assertEquals(1, c.stripeOf(t + 1).getVolatile(), "ids 1-4 have a stripe each");
        }
    }
}
