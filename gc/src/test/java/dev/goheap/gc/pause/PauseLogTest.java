package dev.goheap.gc.pause;

import static dev.goheap.gc.pause.PauseKind.CHECK;
import static dev.goheap.gc.pause.PauseKind.MARK_START;
import static dev.goheap.gc.pause.PauseKind.MARK_TERMINATION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PauseLogTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    private final PauseLog log = new PauseLog();

    @Test
    void shouldBeEmptyWhenNothingIsRecorded() {
        assertEquals(0, log.count());
        assertEquals(0, log.totalNanos());
        assertEquals(0, log.maxNanos());
        assertEquals(0, log.percentileNanos(50));
        assertEquals(0, log.stoppedNanosIn(Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(0, log.snapshot().size());
    }

    @Test
    void shouldCountSumAndKeepTheMaximumWhenPausesAreRecorded() {
        log.record(MARK_START, 100, 30);
        log.record(MARK_TERMINATION, 200, 70);
        log.record(CHECK, 300, 0);

        assertEquals(3, log.count());
        assertEquals(100, log.totalNanos());
        assertEquals(70, log.maxNanos());
        PauseSnapshot all = log.snapshot();
        assertEquals(new PauseRecord(MARK_START, 100, 30), all.get(0));
        assertEquals(new PauseRecord(MARK_TERMINATION, 200, 70), all.get(1));
        assertEquals(CHECK, all.kind(2));
        assertEquals(300, all.startNanos(2));
        assertEquals(0, all.lengthNanos(2));
        assertEquals(270, all.get(1).endNanos());
        assertEquals(100, all.totalNanos());
        assertEquals(70, all.maxNanos());
    }

    @Test
    void shouldSumOnlyTheOverlapWhenPausesStraddleTheRangeEdges() {
        log.record(MARK_START, 10, 10); // [10, 20)
        log.record(MARK_TERMINATION, 30, 10); // [30, 40)
        log.record(MARK_START, 50, 10); // [50, 60)

        assertEquals(5 + 10 + 5, log.stoppedNanosIn(15, 55));
        assertEquals(30, log.stoppedNanosIn(0, 100));
        assertEquals(6, log.stoppedNanosIn(12, 18), "a range inside one pause");
        assertEquals(0, log.stoppedNanosIn(0, 10), "ends where the first pause starts");
        assertEquals(0, log.stoppedNanosIn(20, 30), "between two pauses, edges touching");
        assertEquals(0, log.stoppedNanosIn(60, 70));
        assertEquals(0, log.stoppedNanosIn(15, 15), "an empty range");
        assertEquals(1 + 1, log.stoppedNanosIn(19, 31), "1 ns of each of the first two");
    }

    @Test
    void shouldReturnTheLastPausesOldestFirstWhenAskedForTheLastN() {
        for (int i = 0; i < 300; i++) {
            log.record(MARK_START, i * 1000L, i);
        }
        PauseSnapshot last = log.last(256);
        assertEquals(256, last.size());
        assertEquals(44 * 1000L, last.startNanos(0));
        assertEquals(299, last.lengthNanos(255));
        assertEquals(0, log.last(0).size());
        assertEquals(300, log.last(1000).size());
        assertEquals(300, log.snapshot().size());
    }

    @Test
    void shouldKeepASnapshotUnchangedWhenMorePausesAreRecordedAfterIt() {
        log.record(MARK_START, 0, 5);
        PauseSnapshot before = log.snapshot();
        long[] starts = before.startsNanos();
        starts[0] = 999; // a copy: the snapshot must not change

        log.record(MARK_TERMINATION, 10, 5);

        assertEquals(1, before.size());
        assertEquals(0, before.startNanos(0));
        assertArrayEquals(new long[] {5}, before.lengthsNanos());
        assertThrows(IndexOutOfBoundsException.class, () -> before.get(1));
    }

    @Test
    void shouldKeepEveryPauseWhenTheArraysGrowPastTheirFirstCapacity() {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            log.record(i % 2 == 0 ? MARK_START : MARK_TERMINATION, i * 10L, i % 7);
        }
        PauseSnapshot all = log.snapshot();
        assertEquals(n, all.size());
        long total = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(i * 10L, all.startNanos(i));
            assertEquals(i % 7, all.lengthNanos(i));
            assertEquals(i % 2 == 0 ? MARK_START : MARK_TERMINATION, all.kind(i));
            total += i % 7;
        }
        assertEquals(total, log.totalNanos());
        assertEquals(total, log.stoppedNanosIn(Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @Test
    void shouldGivePercentilesWithinAPartPerThousandWhenLengthsAreKnown() {
        for (int i = 1; i <= 1000; i++) {
            log.record(MARK_START, i * 10 * MS, i * US); // 1 us .. 1000 us
        }
        assertWithin(500 * US, log.percentileNanos(50));
        assertWithin(900 * US, log.percentileNanos(90));
        assertWithin(990 * US, log.percentileNanos(99));
        assertWithin(999 * US, log.percentileNanos(99.9));
        assertEquals(1000 * US, log.percentileNanos(100), "p100 is the exact maximum");
        assertEquals(1000 * US, log.maxNanos());
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 1000, "expected " + expected + " within 0.1 %, got "
                + actual);
    }

    @Test
    void shouldAcceptAPauseWhenItStartsExactlyAtThePreviousEnd() {
        log.record(MARK_START, 0, 10);
        log.record(MARK_TERMINATION, 10, 10);
        assertEquals(20, log.stoppedNanosIn(0, 20));
    }

    @Test
    void shouldRejectAPauseAndStayUnchangedWhenItOverlapsThePreviousOne() {
        log.record(MARK_START, 0, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> log.record(MARK_TERMINATION, 9, 1));
        assertTrue(e.getMessage().startsWith("startNanos: 9 (expected: >= 10"), e.getMessage());
        assertEquals(1, log.count());
        assertEquals(10, log.totalNanos());
    }

    @Test
    void shouldRejectAPauseWhenItsLengthIsNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> log.record(MARK_START, 0, -1));
        assertTrue(e.getMessage().startsWith("lengthNanos: -1 ns (expected: >= 0 ns"), e.getMessage());
        assertEquals(0, log.count());
    }

    @Test
    void shouldRejectAPauseWhenItsEndOverflows() {
        assertThrows(IllegalArgumentException.class, () -> log.record(MARK_START, Long.MAX_VALUE - 5, 10));
        assertThrows(NullPointerException.class, () -> log.record(null, 0, 1));
        assertEquals(0, log.count());
    }

    @Test
    void shouldRejectBadQueriesWhenArgumentsAreOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> log.percentileNanos(-0.1));
        assertThrows(IllegalArgumentException.class, () -> log.percentileNanos(100.1));
        assertThrows(IllegalArgumentException.class, () -> log.percentileNanos(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> log.last(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.stoppedNanosIn(5, 4));
        assertTrue(e.getMessage().startsWith("[fromNanos, toNanos): [5, 4) (expected: from <= to"), e.getMessage());
    }

    @Test
    void shouldGiveReadersConsistentSnapshotsWhenAnotherThreadRecords() throws InterruptedException {
        int n = 50_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                long newest = -1; // index of the newest pause seen
                while (newest < n - 1) {
                    PauseSnapshot s = log.last(64); // O(1) per look, however long the log
                    for (int i = 0; i < s.size(); i++) {
                        assertEquals(3, s.lengthNanos(i));
                        if (i > 0) {
                            assertEquals(10, s.startNanos(i) - s.startNanos(i - 1), "consecutive pauses");
                        }
                    }
                    if (s.size() > 0) {
                        long index = s.startNanos(s.size() - 1) / 10;
                        assertTrue(index >= newest, "the log never shrinks");
                        newest = index;
                        assertEquals(3, log.stoppedNanosIn(index * 10, index * 10 + 3));
                    }
                    Thread.onSpinWait();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < n; i++) {
            log.record(MARK_START, i * 10L, 3);
        }
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertEquals(n, log.count());
        assertEquals(3L * n, log.totalNanos());
    }
}
