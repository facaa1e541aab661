package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forks small runs (a second or two each) and checks what {@link ForkedRun} makes of their output
 * and recordings. No assertion depends on how long anything takes.
 */
class ForkedRunTest {
    static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** A small heap makes a depth-14 run collect several times. */
    static final List<String> SMALL_HEAP = List.of("-Xmx24m");

    @TempDir
    Path workDir;

    @Test
    void shouldReadWholePausesFromTheRecordingWhenPlainTreesRunUnderG1() throws Exception {
        Row row = ForkedRun.run(Workload.plain("G1", List.of("-XX:+UseG1GC"), List.of("14", "1")), SMALL_HEAP, workDir,
                "g1", TIMEOUT, PlainBinaryTrees.expectedOutput(14));

        assertTrue(row.ran(), row.problem());
        assertTrue(row.outputOk());
        assertEquals("JFR jdk.GCPhasePause", row.pauseSource());
        PauseFigures f = row.figures();
        assertTrue(f.count() >= 1, "pauses: " + f.count());
        assertTrue(Math.abs(f.count() - row.jvmGcCount()) <= 1, f.count() + " pauses, " + row.jvmGcCount() + " GCs");
        assertTrue(f.maxNanos() <= f.totalNanos() && f.p99Nanos() <= f.maxNanos());
        assertTrue(f.mmu10() >= 0 && f.mmu10() <= f.mmu50() && f.mmu50() <= 1);
        assertEquals(Map.of("GC Pause", f.count()), row.details().get("pauseNames"));
        Map<?, ?> check = (Map<?, ?>) row.details().get("jfrCrossCheck");
        assertEquals((Double) check.get("gcPhasePauseMillis"), (Double) check.get("garbageCollectionSumOfPausesMillis"), 1e-3);
        PauseFigures widened = row.safepointFigures();
        assertEquals(f.count(), widened.count());
        assertTrue(widened.maxNanos() >= f.maxNanos() && widened.totalNanos() >= f.totalNanos());
    }

    @Test
    void shouldFindZgcsPausesWhenPlainTreesRunUnderZgc() throws Exception {
        Row row = ForkedRun.run(Workload.plain("ZGC", List.of("-XX:+UseZGC"), List.of("14", "2")), SMALL_HEAP, workDir,
                "zgc", TIMEOUT, PlainBinaryTrees.expectedOutput(14));

        assertTrue(row.ran(), row.problem());
        assertTrue(row.outputOk());
        Map<?, ?> names = (Map<?, ?>) row.details().get("pauseNames");
        assertFalse(names.isEmpty());
        for (Object name : names.keySet()) {
            assertTrue(((String) name).startsWith("Pause Mark Start") || name.equals("Pause Mark End")
                    || name.equals("Pause Relocate Start"), "ZGC pause name: " + name);
        }
    }

    @Test
    void shouldTakeThePausesOfTheResultLineWhenTheProgramPrintsThem() throws Exception {
        Workload w = Workload.ofMain("goheap", ResultLineBinaryTrees.class.getName(), null, List.of(), List.of("8"));
        Row row = ForkedRun.run(w, List.of(), workDir, "result", TIMEOUT, PlainBinaryTrees.expectedOutput(8));

        assertTrue(row.ran(), row.problem());
        assertTrue(row.outputOk());
        assertEquals("RESULT", row.pauseSource());
        assertNull(row.safepointFigures());
        assertEquals(100.0, row.wallMillis());
        PauseFigures f = row.figures();
        assertEquals(2, f.count());
        assertEquals(5_000_000, f.maxNanos());
        assertEquals(7_000_000, f.totalNanos());
        assertEquals(0.5, f.mmu10(), 1e-12);  // [55, 65] ms holds the 5 ms pause
        assertEquals(0.9, f.mmu50(), 1e-12);  // no 50 ms window holds both pauses
        assertEquals(5_000_000, f.maxIn50msNanos());
        assertNotNull(row.details().get("javaHeapPauses"));
    }

    @Test
    void shouldFlagTheOutputWhenAProgramPrintsWrongChecks() throws Exception {
        Workload w = Workload.ofMain("goheap", ResultLineBinaryTrees.class.getName(), null, List.of(), List.of("8", "wrong"));
        Row row = ForkedRun.run(w, List.of(), workDir, "wrong", TIMEOUT, PlainBinaryTrees.expectedOutput(8));

        assertTrue(row.ran(), row.problem());
        assertFalse(row.outputOk());
    }

    @Test
    void shouldReportNotAvailableWhenTheMainClassIsMissing() throws Exception {
        Workload w = Workload.ofMain("goheap", "dev.goheap.gc/dev.goheap.demo.NoSuchBinaryTrees", null, List.of(), List.of("8"));
        Row row = ForkedRun.run(w, List.of(), workDir, "missing", TIMEOUT, PlainBinaryTrees.expectedOutput(8));

        assertFalse(row.ran());
        assertEquals("not available: dev.goheap.demo.NoSuchBinaryTrees is not on the class path", row.problem());
    }

    @Test
    void shouldReportTheFailureWhenTheProgramExitsWithAnError() throws Exception {
        Row row = ForkedRun.run(Workload.plain("bad", List.of(), List.of("-1")), List.of(), workDir, "bad", TIMEOUT,
                PlainBinaryTrees.expectedOutput(8));

        assertFalse(row.ran());
        assertTrue(row.problem().startsWith("failed: exit code 1"), row.problem());
    }

    @Test
    void shouldGuessRunBoundsThatHoldEveryPauseWhenTheResultLineHasNone() {
        // pauses timed from the run's start
        assertEquals(List.of(0L, 100_000_000L), List.of(box(ForkedRun.guessRun(new long[] {5}, new long[] {10}, 100))));
        // pauses on some other clock: a span of the wall time that holds them
        long[] run = ForkedRun.guessRun(new long[] {7_000_000_000L, 7_050_000_000L}, new long[] {1_000_000, 1_000_000}, 100);
        assertEquals(100_000_000L, run[1] - run[0]);
        assertTrue(run[0] <= 7_000_000_000L && run[1] >= 7_051_000_000L);
        assertEquals(List.of(0L, 3_000_000L), List.of(box(ForkedRun.guessRun(new long[0], new long[0], 3))));
    }

    @Test
    void shouldFindExpectedLinesInOrderWhenOtherLinesComeBetween() {
        assertTrue(ForkedRun.containsInOrder(List.of("a", "x", "b", "c"), List.of("a", "b", "c")));
        assertFalse(ForkedRun.containsInOrder(List.of("b", "a", "c"), List.of("a", "b", "c")));
        assertNull(ForkedRun.resultLine(List.of("RESULT {not json")));
        assertEquals(Map.of("a", 1L), ForkedRun.resultLine(List.of("RESULT {\"a\":0}", "x", "RESULT {\"a\":1}")));
    }

    private static Long[] box(long[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Long[]::new);
    }
}
