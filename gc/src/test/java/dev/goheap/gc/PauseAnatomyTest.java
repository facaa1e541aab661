package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.gc.pause.PauseKind;
import org.junit.jupiter.api.Test;

/** {@link PauseAnatomy}: its checks and the line it prints. */
class PauseAnatomyTest {
    private static final long MS = 1_000_000;

    @Test
    void shouldSayWhereAPausesTimeWent() {
        PauseAnatomy a = new PauseAnatomy(PauseKind.MARK_TERMINATION, 0, 15 * MS, MS / 10, 3 * MS / 10, "goroutine-2", null);
        assertTrue(a.workRan());
        assertEquals(15 * MS - 3 * MS / 10, a.releaseNanos());
        assertEquals("mark_termination 15.000 ms, work on goroutine-2 0.100-0.300 ms, released 14.700 ms after the work",
                a.toString());
    }

    @Test
    void shouldSayAMissedStopRanNoWork() {
        PauseAnatomy a = new PauseAnatomy(PauseKind.ABORTED_STOP, 0, 2 * MS, -1, -1, "", null);
        assertFalse(a.workRan());
        assertEquals(0, a.releaseNanos());
        assertEquals("aborted_stop 2.000 ms, no work (the stop missed its deadline)", a.toString());
    }

    @Test
    void shouldRefuseWorkTimesOutOfOrderOrHalfMissing() {
        assertThrows(IllegalArgumentException.class,
                () -> new PauseAnatomy(PauseKind.MARK_START, 0, MS, 5, 4, "gc", null));
        assertThrows(IllegalArgumentException.class,
                () -> new PauseAnatomy(PauseKind.MARK_START, 0, MS, -1, 4, "gc", null));
        assertThrows(IllegalArgumentException.class,
                () -> new PauseAnatomy(PauseKind.MARK_START, 0, MS, 4, -1, "gc", null));
        assertThrows(IllegalArgumentException.class,
                () -> new PauseAnatomy(PauseKind.MARK_START, 0, -1, -1, -1, "", null));
        assertThrows(NullPointerException.class, () -> new PauseAnatomy(null, 0, MS, -1, -1, "", null));
    }
}
