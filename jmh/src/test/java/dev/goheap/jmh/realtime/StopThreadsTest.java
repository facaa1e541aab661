package dev.goheap.jmh.realtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopThreadsTest {
    @TempDir
    Path tasks;

    private void task(String tid, String comm) throws IOException {
        Path dir = Files.createDirectories(tasks.resolve(tid));
        if (comm != null) {
            Files.writeString(dir.resolve("comm"), comm + "\n");
        }
    }

    @Test
    void shouldFindTheCarriersAndTheCollectorByTheirNamesFirstBytes() throws IOException {
        task("101", "ForkJoinPool-1-"); // ForkJoinPool-1-worker-1, cut to 15 bytes
        task("102", "goheap-gc");
        task("103", "C2 CompilerThre");
        task("104", "ForkJoinPool.co"); // the common pool: no carrier
        task("105", null); // ended while listed: no comm any more
        task("106", "ForkJoinPool-1-");

        int[] found = new StopThreads(tasks, StopThreads.DEFAULT_PREFIXES).scan();
        Arrays.sort(found);
        assertArrayEquals(new int[] {101, 102, 106}, found);
    }

    @Test
    void shouldMatchOnlyTheGivenPrefixes() {
        StopThreads threads = new StopThreads(tasks, StopThreads.DEFAULT_PREFIXES);
        assertTrue(threads.matches("ForkJoinPool-3-"));
        assertTrue(threads.matches("goheap-gc"));
        assertFalse(threads.matches("ForkJoinPool.co"));
        assertFalse(threads.matches("main"));
        assertFalse(threads.matches("C1 CompilerThre"));
    }

    @Test
    void shouldTakeTheCarriersPoolFromAVirtualThreadsName() {
        assertEquals("ForkJoinPool-1-", StopThreads.carrierPrefix("ForkJoinPool-1-worker-1"));
        assertEquals("ForkJoinPool-12", StopThreads.carrierPrefix("ForkJoinPool-123-worker-7"), "cut as comm is");
        assertEquals("ForkJoinPool-", StopThreads.carrierPrefix("my-scheduler-3"), "not a pool worker's: any pool");
        assertEquals("ForkJoinPool-", StopThreads.carrierPrefix(null));

        String carrier = StopThreads.carrierName(); // this JVM's virtual-thread scheduler
        assertTrue(carrier != null && carrier.startsWith("ForkJoinPool-") && carrier.contains("-worker-"), carrier);
        StopThreads threads = StopThreads.ofThisProcess();
        assertTrue(threads.matches(StopThreads.carrierPrefix(carrier)));
        assertTrue(threads.matches("goheap-gc"));
        assertFalse(threads.matches("ForkJoinPool.co"));
    }

    @Test
    void shouldFailClearlyWhenTheTaskDirectoryIsMissing() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new StopThreads(tasks.resolve("none"), StopThreads.DEFAULT_PREFIXES).scan());
        assertTrue(e.getMessage().contains("none"), e.getMessage());
    }
}
