package dev.goheap.gc.pause;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PauseBudgetTest {
    @Test
    void shouldBeTenMillisecondsInFiftyWhenDefault() {
        assertEquals(10_000_000L, PauseBudget.DEFAULT.budgetNanos());
        assertEquals(50_000_000L, PauseBudget.DEFAULT.windowNanos());
        assertEquals(0.8, PauseBudget.DEFAULT.minimumUtilisation(), 1e-12);
        assertEquals(PauseBudget.DEFAULT, PauseBudget.of(Duration.ofMillis(10), Duration.ofMillis(50)));
    }

    @Test
    void shouldAllowTheWholeWindowWhenBudgetEqualsWindow() {
        PauseBudget all = new PauseBudget(5, 5);
        assertEquals(0.0, all.minimumUtilisation());
    }

    @Test
    void shouldRejectTheBudgetWhenItExceedsTheWindow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PauseBudget(11, 10));
        assertEquals("budgetNanos: 11 ns (expected: <= windowNanos, 10 ns; a window cannot be stopped for longer"
                + " than it lasts)", e.getMessage());
    }

    @Test
    void shouldRejectTheBudgetWhenItIsZeroOrNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PauseBudget(0, 10));
        assertEquals("budgetNanos: 0 ns (expected: > 0 ns; the collector must be able to stop the world to start"
                + " and end a cycle)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PauseBudget(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new PauseBudget(-10, -5), "a negative window too");
    }

    @Test
    void shouldRejectDurationsWhenTheyDoNotFitInNanoseconds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PauseBudget.of(Duration.ofMillis(10), Duration.ofDays(365L * 1000)));
        assertEquals("window: PT8760000H (expected: at most 9223372036854775807 ns)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PauseBudget.of(Duration.ofMillis(-1), Duration.ofMillis(5)));
    }
}
