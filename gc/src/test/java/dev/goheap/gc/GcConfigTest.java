package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GcConfigTest {
    @Test
    void shouldDefaultThePauseGoalToOneMillisecondOrTheMaxPauseIfShorter() {
        assertEquals(GcConfig.DEFAULT_PAUSE_GOAL, GcConfig.defaults().pauseGoal());
        GcConfig tight = GcConfig.builder().pauseBudget(Duration.ofNanos(500_000), Duration.ofMillis(5)).build();
        assertEquals(Duration.ofNanos(500_000), tight.pauseGoal());
        assertEquals(Duration.ofMillis(3), GcConfig.builder().pauseGoal(Duration.ofMillis(3)).build().pauseGoal());
    }

    @Test
    void shouldRefuseAPauseGoalThatIsNotPositiveOrLongerThanTheMaxPause() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofMillis(11)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GcConfig.builder().pauseGoal(bad).build());
            assertTrue(e.getMessage().startsWith("pauseGoal: "), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAMaxPauseLongerThanItsWindow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GcConfig.builder().pauseBudget(Duration.ofMillis(60), Duration.ofMillis(50)).build());
        assertTrue(e.getMessage().startsWith("maxPause: "), e.getMessage());
    }
}
