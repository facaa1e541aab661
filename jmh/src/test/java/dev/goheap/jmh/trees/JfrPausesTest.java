package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.goheap.jmh.trees.JfrPauses.Pause;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JfrPausesTest {
    @Test
    void shouldWidenEachPauseToItsSafepointWhenOneHoldsIt() {
        List<Pause> pauses = List.of(new Pause(100, 10, "GC Pause"), new Pause(500, 5, "Pause Remark"),
                new Pause(900, 10, "GC Pause"));
        Map<Long, long[]> safepoints = Map.of(
                1L, new long[] {90, 115},    // holds the first pause
                2L, new long[] {300, 400},   // a safepoint without a GC pause
                3L, new long[] {498, 506},   // holds the second
                4L, new long[] {905, 0});    // its end was not recorded: the third stays as it is
        assertEquals(List.of(new Pause(90, 25, "GC Pause"), new Pause(498, 8, "Pause Remark"), new Pause(900, 10, "GC Pause")),
                JfrPauses.widenToSafepoints(pauses, safepoints));
    }

    @Test
    void shouldKeepPausesThatOverlapTheRunWhenCutToIt() {
        List<Pause> pauses = List.of(new Pause(0, 10, "a"), new Pause(15, 10, "b"), new Pause(95, 10, "c"), new Pause(110, 1, "d"));
        JfrPauses all = new JfrPauses(pauses, pauses, 0);
        assertEquals(List.of("b", "c"), all.within(20, 100).pauses().stream().map(Pause::name).toList());
        assertEquals(Map.of("a", 1, "b", 1, "c", 1, "d", 1), all.countsByName());
    }
}
