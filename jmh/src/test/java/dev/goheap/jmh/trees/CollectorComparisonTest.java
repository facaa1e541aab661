package dev.goheap.jmh.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorComparisonTest {
    @Test
    void shouldUseTheIssuesSettingsWhenGivenNoArguments() {
        CollectorComparison.Options o = CollectorComparison.parse(new String[0]);
        assertEquals(21, o.depth());
        assertEquals(1, o.threads());
        assertEquals("2g", o.heap());
        assertEquals(CollectorComparison.CONFIG_IDS, o.only());
        assertEquals(Workload.GOHEAP_MAIN, o.goheapMain());
        assertEquals(List.of("-Xmn256m"), o.goheapJvmArgs(), "goheap runs as the README's demo command runs it");
        assertEquals(10, o.gapsSeconds(), "the machine's CPU gaps are measured first");
        assertEquals(null, o.go(), "the Go row looks for go on PATH");
        assertEquals("Go", CollectorComparison.CONFIG_IDS.getLast(), "Go's row comes last, after goheap's");
    }

    @Test
    void shouldReadPositionalAndNamedArgumentsWhenBothAreGiven() {
        CollectorComparison.Options o = CollectorComparison.parse(new String[] {"16", "2", "--only", "G1,goheap",
                "--jvm-arg", "-XX:+AlwaysPreTouch", "--goheap-jvm-args", " -Da=1  -Db=2 ", "--goheap-args", "16 2 x", "--gaps", "0",
                "--go", "/opt/go/bin/go"});
        assertEquals(16, o.depth());
        assertEquals(2, o.threads());
        assertEquals(List.of("-XX:+AlwaysPreTouch"), o.extraJvmArgs());
        assertEquals(List.of("-Da=1", "-Db=2"), o.goheapJvmArgs());
        assertEquals(List.of("16", "2", "x"), o.goheapArgs());
        assertEquals(0, o.gapsSeconds());
        assertEquals("/opt/go/bin/go", o.go());
        assertEquals(List.of("G1", "goheap"), List.copyOf(CollectorComparison.workloads(o).keySet()));
    }

    @Test
    void shouldThrowWhenAnArgumentIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"--only", "CMS"}));
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"--depth"}));
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"x"}));
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"1", "2", "3"}));
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"21", "0"}));
        assertThrows(IllegalArgumentException.class, () -> CollectorComparison.parse(new String[] {"--gaps", "-1"}));
    }

    @Test
    void shouldPlaceGoheapOnItsModulePathOrMarkItMissingWhenLookingForItsMainClass() {
        Workload w = CollectorComparison.workloads(CollectorComparison.parse(new String[] {"--only", "goheap"})).get("goheap");
        // until the collector lands, the class is not there; once it is, it runs from goheap's modules
        if (w.available()) {
            assertEquals(List.of("--module", Workload.GOHEAP_MAIN), w.launch().subList(2, 4));
        } else {
            assertEquals("dev.goheap.demo.BinaryTrees is not on the class path", w.unavailable());
        }
    }

    @Test
    void shouldRunTheDemoWithRealtimeStopsFromTheClassPathWithNativeAccessAsTheGoheapRtRow() {
        CollectorComparison.Options o = CollectorComparison.parse(new String[] {"18", "2", "--only", "goheap-rt"});
        Workload w = CollectorComparison.workloads(o).get("goheap-rt");
        assertTrue(w.available(), w.unavailable());
        assertEquals(List.of("-Xmn256m", "--enable-native-access=ALL-UNNAMED"), w.jvmArgs());
        assertEquals(List.of("-cp", CollectorComparison.REALTIME_MAIN), List.of(w.launch().get(0), w.launch().get(2)));
        assertEquals(List.of("18", "2", "--result"), w.programArgs());
        assertEquals(List.of("goheap", "goheap-rt", "Go"), CollectorComparison.CONFIG_IDS.subList(4, 7),
                "the real-time row right after goheap's");
    }

    @Test
    void shouldPrintOneLinePerConfigurationWhenSomeDidNotRun() {
        PauseFigures f = PauseFigures.of(new long[] {0, 200_000_000}, new long[] {165_000_000, 5_000_000}, 0, 5_310_000_000L);
        Row g1 = new Row("G1", List.of(), true, null, 5310, "JFR jdk.GCPhasePause", f, f, 42, 900, true, Map.of());
        Workload missing = new Workload("goheap", List.of(), List.of(), List.of(), "x is not on the class path");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CollectorComparison.print("title", List.of(g1, Row.unavailable(missing, missing.unavailable())),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("title", lines.get(0));
        assertTrue(lines.get(1).startsWith("config"));
        assertEquals(List.of("G1", "5.31", "2", "165.0", "165.0", "170.0", "0.0%", "0.0%", "50.0", "42", "ok"),
                List.of(lines.get(2).trim().split("\\s+")));
        assertEquals("goheap                     not available: x is not on the class path", lines.get(3));
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("warning")));
    }

    @Test
    void shouldFormatMillisecondsWithThreeSignificantDigitsWhenSmall() {
        assertEquals("165.0", CollectorComparison.millis(165_000_000));
        assertEquals("2.41", CollectorComparison.millis(2_410_000));
        assertEquals("0.035", CollectorComparison.millis(35_000));
        assertEquals("99.5%", CollectorComparison.percent(0.995));
    }
}
