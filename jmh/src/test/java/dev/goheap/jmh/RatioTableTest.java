package dev.goheap.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTableTest {
    private static String entry(String benchmark, int threads, String size, double score, double gcNorm) {
        return """
                { "benchmark" : "%s", "mode" : "avgt", "threads" : %d, "params" : { "size" : "%s" },
                  "primaryMetric" : { "score" : %s, "scoreError" : "NaN", "scoreUnit" : "ns/op" },
                  "secondaryMetrics" : { "gc.alloc.rate.norm" : { "score" : %s, "scoreUnit" : "B/op" } } }"""
                .formatted(benchmark, threads, size, score, gcNorm);
    }

    private static final String HEAP = "dev.goheap.heap.HeapAllocFreeBenchmark.";
    private static final String HEAP2 = "dev.goheap.heap.HeapAllocFreeTwoThreadsBenchmark.";
    private static final String JSON = "[" + String.join(",",
            entry(HEAP + "allocFree_goheap", 1, "00064", 10.0, 0.001),
            entry(HEAP + "allocFree_jemalloc", 1, "00064", 25.0, 0.0),
            entry(HEAP + "callocFree_malloc", 1, "00064", 40.0, 0.0),
            entry(HEAP2 + "allocFree_goheap", 2, "00064", 12.0, 0.002),
            entry("dev.goheap.heap.HeapCrossThreadBenchmark.producerConsumer_goheap", 2, "04096", 80.0, 1.5)) + "]";

    @Test
    void shouldMapCallocToTheAllocFreeRowsWhenReading() {
        List<RatioTable.Result> results = RatioTable.read(JSON);
        assertEquals(5, results.size());
        RatioTable.Result calloc = results.get(2);
        assertEquals("allocFree", calloc.row());
        assertEquals("calloc", calloc.column());
        assertEquals(1, calloc.threads());
        assertEquals(40.0, calloc.nsPerOp());
        assertTrue(Double.isNaN(calloc.error()));
        assertEquals("producerConsumer", results.get(4).row());
    }

    private static String entryWithForks(String benchmark, int threads, String size, double score, String rawData) {
        return """
                { "benchmark" : "%s", "mode" : "avgt", "threads" : %d, "params" : { "size" : "%s" },
                  "primaryMetric" : { "score" : %s, "scoreError" : "NaN", "scoreUnit" : "ns/op", "rawData" : %s },
                  "secondaryMetrics" : { "gc.alloc.rate.norm" : { "score" : 0.001, "scoreUnit" : "B/op" } } }"""
                .formatted(benchmark, threads, size, score, rawData);
    }

    @Test
    void shouldFailTheTwoThreadTargetWhenOneForkIsSlowThoughTheMeanPasses() {
        String json = "[" + String.join(",",
                entryWithForks(HEAP + "allocFree_goheap", 1, "00064", 12.0, "[[12.0, 12.0], [12.0, 12.0]]"),
                entryWithForks(HEAP2 + "allocFree_goheap", 2, "00064", 13.0, "[[12.0, 12.2], [11.8, 12.0], [12.5, 12.5], "
                        + "[11.9, 12.1], [11.8, 11.7], [12.0, 12.0], [11.0, 11.0], [12.0, 12.0], [11.5, 12.5], [38.0, 36.0]]"))
                + "]";
        List<RatioTable.Result> results = RatioTable.read(json);
        assertEquals(10, results.get(1).forkMeans().length);
        assertEquals(37.0, results.get(1).slowestForkNs(), 1e-9);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RatioTable.print(results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("FAIL  goheap 00064 B, 2 threads <= 1.1 x 1 thread (per-thread cost): 13.0 / 12.0 ns = 1.08;"
                + " slowest of 10 forks 37.0 ns = 3.08"), table);
    }

    @Test
    void shouldSayOneForkCannotShowEveryLayoutWhenThereIsOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RatioTable.print(RatioTable.read(JSON), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("(one fork: run -f 5 or more to see every layout)"));
    }

    @Test
    void shouldPrintRatiosAndVerdictsWhenGivenResults() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RatioTable.print(RatioTable.read(JSON), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("25.0 (2.50x)"), table);
        assertTrue(table.contains("40.0 (4.00x)"), table);
        assertTrue(table.contains("PASS  goheap 64 B alloc+free <= 0.5 x jemalloc"), table);
        assertTrue(table.contains("FAIL  goheap 00064 B, 2 threads <= 1.1 x 1 thread"), table);
        assertTrue(table.contains("FAIL  gc.alloc.rate.norm < 1 B/op on every goheap path (3 paths): worst 1.500"), table);
    }
}
