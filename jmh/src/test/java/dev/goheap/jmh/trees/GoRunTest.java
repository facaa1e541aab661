package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoRunTest {
    @Test
    void shouldTakeBothStopTheWorldPhasesOfEveryCycleWhenReadingAGctrace() {
        GoRun.Pauses p = GoRun.parseGctrace(List.of(
                "stretch tree of depth 22\t check: 8388607", // not a gctrace line
                "gc 1 @0.010s 9%: 1.3+3.3+0.005 ms clock, 2.7+0.27/0/0+0.010 ms cpu, 3->4->0 MB, 4 MB goal, 0 MB stacks,"
                        + " 0 MB globals, 2 P",
                "gc 2 @12.345s 34%: 0.018+0.47+3.0 ms clock, 10+0.064/0.29/0+6.0 ms cpu, 3->3->0 MB, 4 MB goal, 2 P (forced)",
                "gc 3 @13s 1%: 0+1+0.25 ms clock, 0+0/0/0+0 ms cpu, 4->4->1 MB, 5 MB goal, 4 P", // whole numbers
                "scvg: 0 MB released")); // the scavenger's line: not a cycle
        assertEquals(3, p.cycles());
        assertEquals(4, p.gomaxprocs(), "the last line's P");
        // [T, T + A) and [T + A + B, T + A + B + C), in nanoseconds since the program started
        assertArrayEquals(new long[] {10_000_000, 10_000_000 + 1_300_000 + 3_300_000, 12_345_000_000L,
                12_345_000_000L + 18_000 + 470_000, 13_000_000_000L, 13_001_000_000L}, p.starts());
        assertArrayEquals(new long[] {1_300_000, 5_000, 18_000, 3_000_000, 0, 250_000}, p.lengths());
    }

    @Test
    void shouldFindNoPausesWhenTheOutputHoldsNoGctrace() {
        GoRun.Pauses p = GoRun.parseGctrace(List.of("RESULT {\"wallMillis\": 1.0}", "gc 1 @x: broken"));
        assertEquals(0, p.cycles());
        assertEquals(0, p.starts().length);
        assertEquals(0, p.gomaxprocs());
    }

    @Test
    void shouldLookOnThePathThenInGosInstallPlacesWhenFindingGo(@TempDir Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path go = Files.writeString(bin.resolve("go"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(go, GoRun.findGo(null, empty + File.pathSeparator + bin));
        assertEquals(go, GoRun.findGo(go.toString(), null), "an explicit go is taken as it is");
        assertNull(GoRun.findGo(empty.resolve("go").toString(), bin.toString()), "an explicit go that is not there");
        Path plain = Files.writeString(empty.resolve("go"), "not executable");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        Path found = GoRun.findGo(null, empty.toString());
        assertFalse(plain.equals(found), "a go that is not executable is passed over");
    }

    @Test
    void shouldShipTheGoProgramBesideTheRunner() throws IOException {
        try (InputStream in = GoRun.class.getResourceAsStream(GoRun.SOURCE_RESOURCE)) {
            assertNotNull(in, GoRun.SOURCE_RESOURCE);
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(source.contains("package main"));
            assertTrue(source.contains("RESULT {"), "it ends with the RESULT line the runner reads");
        }
    }

    /** Runs only where a go command is installed (the build machine: apt-get install golang-go). */
    @Test
    void shouldRunBinaryTreesInGoAndTakeItsPausesWhenGoIsInstalled(@TempDir Path dir) throws Exception {
        assumeTrue(GoRun.findGo(null, System.getenv("PATH")) != null, "no go command here");
        Row row = GoRun.run(null, 10, 2, dir, Duration.ofMinutes(5), PlainBinaryTrees.expectedOutput(10));
        assertTrue(row.ran(), row.problem());
        assertTrue(row.outputOk(), "the Go program prints binary-trees' lines");
        assertTrue(row.name().startsWith("Go "), row.name());
        assertEquals("gctrace", row.pauseSource());
        int cycles = ((Number) row.details().get("gcCycles")).intValue();
        assertEquals(2 * cycles, row.figures().count(), "two pauses per cycle");
        assertTrue(row.wallMillis() > 0);
    }
}
