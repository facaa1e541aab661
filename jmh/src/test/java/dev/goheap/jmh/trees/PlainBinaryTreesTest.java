package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainBinaryTreesTest {
    /** The Benchmarks Game's published output for binary-trees 10. */
    static final String REFERENCE_10 = """
            stretch tree of depth 11\t check: 4095
            1024\t trees of depth 4\t check: 31744
            256\t trees of depth 6\t check: 32512
            64\t trees of depth 8\t check: 32704
            16\t trees of depth 10\t check: 32752
            long lived tree of depth 10\t check: 2047
            """;

    @Test
    void shouldPrintTheReferenceOutputWhenDepthIsTen() throws Exception {
        assertEquals(REFERENCE_10, output(10, 1));
        assertEquals(REFERENCE_10, PlainBinaryTrees.expectedOutput(10));
    }

    @Test
    void shouldPrintTheSameChecksWhenIterationsAreSplitAcrossThreads() throws Exception {
        assertEquals(REFERENCE_10, output(10, 2));
        assertEquals(REFERENCE_10, output(10, 3)); // 16 iterations over 3 threads: 6 + 5 + 5
        assertEquals(PlainBinaryTrees.expectedOutput(12), output(12, 5));
    }

    @Test
    void shouldRaiseSmallDepthsToSixWhenDepthIsBelowSix() throws Exception {
        assertEquals(PlainBinaryTrees.expectedOutput(6), output(2, 1));
        assertEquals(PlainBinaryTrees.expectedOutput(2), output(2, 1));
    }

    private static String output(int depth, int threads) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            PlainBinaryTrees.run(depth, threads, out);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
