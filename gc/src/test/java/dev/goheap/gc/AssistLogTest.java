package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.gc.pause.PauseKind;
import dev.goheap.gc.pause.PauseLog;
import dev.goheap.gc.pause.PauseSnapshot;
import org.junit.jupiter.api.Test;

class AssistLogTest {
    static final long MS = 1_000_000;

    @Test
    void shouldRecordOneBusyPeriodWhenAssistsOverlap() {
        AssistLog log = new AssistLog();
        long a = log.begin();
        long b = log.begin(); // a second goroutine starts while the first assists
        long aEnd = log.end();
        assertEquals(0, log.log().count(), "still busy: the second assist runs");
        long bEnd = log.end();
        PauseSnapshot s = log.log().snapshot();
        assertEquals(1, s.size());
        assertEquals(PauseKind.ASSIST, s.kind(0));
        assertEquals(a, s.get(0).startNanos());
        assertEquals(bEnd - a, s.get(0).lengthNanos());
        assertTrue(b >= a && aEnd >= b && bEnd >= aEnd);
        log.begin();
        log.end();
        assertEquals(2, log.log().count(), "a later assist is a period of its own");
    }

    @Test
    void shouldThrowWhenAnAssistEndsWithoutBeginning() {
        assertThrows(InternalError.class, () -> new AssistLog().end());
    }

    @Test
    void shouldCountAssistTimeAsLostWhenComputingMmuWithAssists() {
        PauseLog stops = new PauseLog();
        stops.record(PauseKind.MARK_START, 0, 10 * MS);
        PauseLog assists = new PauseLog();
        assists.record(PauseKind.ASSIST, 5 * MS, 10 * MS);  // half inside the stop: counts once
        assists.record(PauseKind.ASSIST, 30 * MS, 5 * MS);
        double[] with = AssistLog.mmuCurveWithAssists(stops.snapshot(), assists.snapshot(), 0, 100 * MS, 50 * MS, 100 * MS);
        // window [0, 50 ms): stopped or assisting for [0, 15) and [30, 35): 20 ms lost
        assertEquals(0.6, with[0], 1e-9);
        assertEquals(0.8, with[1], 1e-9);
        double[] without = AssistLog.mmuCurveWithAssists(stops.snapshot(), new PauseLog().snapshot(), 0, 100 * MS,
                50 * MS, 100 * MS);
        assertEquals(0.8, without[0], 1e-9);
        assertEquals(0.9, without[1], 1e-9);
    }
}
