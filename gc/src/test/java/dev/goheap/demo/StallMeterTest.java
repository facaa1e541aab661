package dev.goheap.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StallMeter}: how much of a pause the machine's stalls cover ({@link
 * StallMeter#coveredNanos}), the schedstat field it reads, and which threads it watches.
 */
class StallMeterTest {
    @Test
    void shouldCountOverlappingStallsOnceAndOnlyWithinThePause() {
        long[] starts = {0, 5, 8, 30, 50};
        long[] ends = {10, 12, 9, 35, 60};
        // Within [4, 40): [4, 12) from the first three (merged), [30, 35): 8 + 5.
        assertEquals(13, StallMeter.coveredNanos(starts, ends, starts.length, 4, 40));
        assertEquals(0, StallMeter.coveredNanos(starts, ends, starts.length, 12, 30), "between the stalls");
        assertEquals(2, StallMeter.coveredNanos(starts, ends, 4, 33, 100), "only the first n stalls count");
    }

    @Test
    void shouldCountNestedAndUnsortedStallsOnce() {
        long[] starts = {20, 0, 2};
        long[] ends = {25, 10, 4};
        assertEquals(15, StallMeter.coveredNanos(starts, ends, 3, 0, 100));
    }

    @Test
    void shouldReadTheRunQueueDelayAsTheSecondField() {
        assertEquals(456789, StallMeter.secondField(ascii("123 456789 42\n")));
        assertEquals(0, StallMeter.secondField(ascii("5 0 1\n")));
        assertEquals(-1, StallMeter.secondField(ascii("123\n")), "no second field");
        assertEquals(-1, StallMeter.secondField(ascii("")), "empty");
    }

    @Test
    void shouldWatchTheCollectorAndTheCarriersOnly() {
        assertTrue(StallMeter.isWatchedName(ascii("goheap-gc\n")));
        assertTrue(StallMeter.isWatchedName(ascii("ForkJoinPool-1-\n")), "a carrier, its name cut at 15 characters");
        assertTrue(!StallMeter.isWatchedName(ascii("goheap-gc-x\n")), "another name");
        assertTrue(!StallMeter.isWatchedName(ascii("ForkJoinPool.co\n")), "the common pool");
        assertTrue(!StallMeter.isWatchedName(ascii("stall-meter\n")));
        assertTrue(!StallMeter.isWatchedName(ascii("")));
    }

    @Test
    void shouldFindAThreadToWatchOnLinux() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        CountDownLatch done = new CountDownLatch(1);
        Thread collector = Thread.ofPlatform().name("goheap-gc").start(() -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (StallMeter meter = new StallMeter()) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (meter.watchedCount() < 1 && System.nanoTime() - end < 0) {
                Thread.sleep(1);
            }
            assertTrue(meter.watchedCount() >= 1, "watches the thread named goheap-gc");
            assertTrue(meter.maxLateNanos() >= 0);
        } finally {
            done.countDown();
            collector.join();
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
