package dev.goheap.jmh.trees;

import dev.goheap.jmh.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs binary-trees under G1, G1 with a 10 ms pause goal, ZGC, Parallel and goheap, one forked JVM
 * each, and on Go's runtime ({@link GoRun}: the demo written in Go), and prints one table: wall
 * time, pauses (count, max, p99, total), MMU at 10 ms and 50 ms, the most stopped time in a 50 ms
 * window, and the Java heap's collection count. The same figures go to a JSON file. See {@link
 * ForkedRun} for how one configuration is measured, {@link JfrPauses} for which JFR events are
 * read, and {@link PauseFigures} for the arithmetic.
 *
 * <p>goheap's row runs {@code dev.goheap.demo.BinaryTrees} (module {@code dev.goheap.gc}) when that
 * class is on this JVM's class path (the jmh module depends on goheap-gc) or on {@code --goheap-path};
 * otherwise the row says "not available". Any main class that prints binary-trees' output and a
 * {@code RESULT {json}} line can take the slot ({@code --goheap-main}); pauses in that line
 * ({@code "pauses":[[startNanos, lengthNanos], ...]}) take precedence over the recording's. The
 * goheap-rt row runs the same demo with real-time stops ({@link
 * dev.goheap.jmh.realtime.RealtimeBinaryTrees}, from this JVM's class path, with goheap's JVM options
 * and arguments): it fails with the kernel's refusal where {@code SCHED_FIFO} is not allowed.
 *
 * <p>Usage: {@code java -cp CLASSPATH dev.goheap.jmh.trees.CollectorComparison [depth [threads]]
 * [options]}; {@code jmh/compare-collectors.sh} runs it with the JDK the build selects. Options:
 * <pre>
 *   --depth N            binary-trees depth (default 21)          --threads N      threads (default 1)
 *   --heap SIZE          -Xmx of every run (default 2g)           --timeout S      per run (default 900)
 *   --only IDS           a subset of G1,G1-10ms,ZGC,Parallel,goheap,goheap-rt,Go (comma-separated)
 *   --jvm-arg ARG        one more JVM option for every run (repeatable)
 *   --goheap-main M      MODULE/CLASS or CLASS (default dev.goheap.gc/dev.goheap.demo.BinaryTrees)
 *   --goheap-path PATH   class or module path to find it on (default: this JVM's class path)
 *   --goheap-jvm-args S  JVM options of goheap's run (space-separated; default -Xmn256m, as the demo)
 *   --goheap-args S      its program arguments (default "DEPTH THREADS")
 *   --go PATH            the go command of the Go row (default: go on PATH; the row says if there is none)
 *   --out FILE           JSON (default target/compare-collectors.json)
 *   --work-dir DIR       recordings, outputs (default target/compare-collectors)
 *   --gaps S             seconds of the machine's CPU-gap anchor before the runs (default 10; 0: none), see {@link CpuGaps}
 * </pre>
 */
public final class CollectorComparison {
    static final List<String> CONFIG_IDS = List.of("G1", "G1-10ms", "ZGC", "Parallel", "goheap", "goheap-rt", GoRun.ID);
    /** The goheap-rt row's main: the demo with real-time stops (needs SCHED_FIFO; says so otherwise). */
    static final String REALTIME_MAIN = "dev.goheap.jmh.realtime.RealtimeBinaryTrees";
    /** The demo's own JVM option (gc/pom.xml): a young generation the JVM does not fill in a run. */
    static final String DEMO_JVM_ARGS = "-Xmn256m";

    /** The parsed command line. */
    record Options(int depth, int threads, String heap, List<String> only, List<String> extraJvmArgs, String goheapMain,
                   String goheapPath, List<String> goheapJvmArgs, List<String> goheapArgs, String go, Path out,
                   Path workDir, Duration timeout, int gapsSeconds) {
    }

    private CollectorComparison() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("CollectorComparison: " + e.getMessage());
            System.exit(2);
            return;
        }
        String header = header(options);
        System.out.println(header);
        System.out.println("load average before the runs: " + loadAverage());
        CpuGaps.Figures gaps = null;
        if (options.gapsSeconds() > 0) {
            System.out.printf("measuring the machine's CPU gaps for %d s%n", options.gapsSeconds());
            gaps = CpuGaps.measure(Runtime.getRuntime().availableProcessors(), options.gapsSeconds() * 1_000_000_000L);
            System.out.println("  " + gaps.describe());
        }
        String expected = PlainBinaryTrees.expectedOutput(options.depth());
        List<String> common = new ArrayList<>(List.of("-Xmx" + options.heap()));
        common.addAll(options.extraJvmArgs());
        List<Row> rows = new ArrayList<>();
        Map<String, Workload> jvmWorkloads = workloads(options);
        for (String id : CONFIG_IDS) {
            Row row;
            if (id.equals(GoRun.ID) && options.only().contains(id)) {
                System.out.printf("running Go: binarytrees.go, GODEBUG=gctrace=1%n");
                row = GoRun.run(options.go(), options.depth(), options.threads(), options.workDir(), options.timeout(),
                        expected);
            } else if (jvmWorkloads.get(id) instanceof Workload w) {
                System.out.printf("running %s: %s%n", w.name(), w.available() ? String.join(" ", w.jvmArgs()) : w.unavailable());
                row = ForkedRun.run(w, common, options.workDir(), id, options.timeout(), expected);
            } else {
                continue;
            }
            rows.add(row);
            System.out.println(row.ran()
                    ? String.format(Locale.ROOT, "  %.2f s, %d pauses, max %s ms", row.wallMillis() / 1e3,
                            row.figures().count(), millis(row.figures().maxNanos()))
                    : "  " + row.problem());
        }
        System.out.println();
        print(header, rows, System.out);
        if (gaps != null) {
            System.out.println(gaps.describe());
            System.out.println("  (a goheap pause that meets such a gap on a running goroutine's CPU lasts at least as long)");
        }
        writeJson(options, header, common, rows, gaps);
        System.out.println();
        System.out.println("JSON: " + options.out().toAbsolutePath().normalize());
    }

    /** The configurations to run, by id, in table order. */
    static Map<String, Workload> workloads(Options o) {
        List<String> programArgs = List.of(String.valueOf(o.depth()), String.valueOf(o.threads()));
        Map<String, Workload> all = new LinkedHashMap<>();
        all.put("G1", Workload.plain("G1", List.of("-XX:+UseG1GC"), programArgs));
        all.put("G1-10ms", Workload.plain("G1 MaxGCPauseMillis=10/50",
                List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10", "-XX:GCPauseIntervalMillis=50"), programArgs));
        all.put("ZGC", Workload.plain("ZGC (generational)", List.of("-XX:+UseZGC"), programArgs));
        all.put("Parallel", Workload.plain("Parallel", List.of("-XX:+UseParallelGC"), programArgs));
        List<String> goheapArgs = o.goheapArgs() != null ? o.goheapArgs() : withResult(programArgs);
        all.put("goheap", Workload.ofMain("goheap", o.goheapMain(), o.goheapPath(), o.goheapJvmArgs(), goheapArgs));
        List<String> realtimeJvmArgs = new ArrayList<>(o.goheapJvmArgs());
        realtimeJvmArgs.add("--enable-native-access=ALL-UNNAMED"); // sched_setscheduler through Linker
        all.put("goheap-rt", Workload.ofMain("goheap, real-time stops", REALTIME_MAIN, null,
                List.copyOf(realtimeJvmArgs), goheapArgs));
        all.keySet().retainAll(o.only());
        return all;
    }

    /** goheap's demo prints its RESULT line (its own pause record) only when asked. */
    private static List<String> withResult(List<String> programArgs) {
        List<String> args = new ArrayList<>(programArgs);
        args.add("--result");
        return List.copyOf(args);
    }

    static Options parse(String[] args) {
        int depth = 21;
        int threads = 1;
        String heap = "2g";
        List<String> only = CONFIG_IDS;
        List<String> extra = new ArrayList<>();
        String goheapMain = Workload.GOHEAP_MAIN;
        String goheapPath = null;
        List<String> goheapJvmArgs = List.of(DEMO_JVM_ARGS); // as the README's demo command runs it
        List<String> goheapArgs = null;
        String go = null;
        Path out = Path.of("target", "compare-collectors.json");
        Path workDir = Path.of("target", "compare-collectors");
        Duration timeout = Duration.ofSeconds(900);
        int gapsSeconds = 10;
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                switch (positional++) {
                    case 0 -> depth = integer("depth", arg);
                    case 1 -> threads = integer("threads", arg);
                    default -> throw new IllegalArgumentException("argument: " + arg + " (expected: [depth [threads]] [options])");
                }
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + arg + ": missing its value");
            }
            String value = args[++i];
            switch (arg) {
                case "--depth" -> depth = integer("depth", value);
                case "--threads" -> threads = integer("threads", value);
                case "--heap" -> heap = value;
                case "--only" -> only = Arrays.stream(value.split(",")).map(String::trim).toList();
                case "--jvm-arg" -> extra.add(value);
                case "--goheap-main" -> goheapMain = value;
                case "--goheap-path" -> goheapPath = value;
                case "--goheap-jvm-args" -> goheapJvmArgs = words(value);
                case "--goheap-args" -> goheapArgs = words(value);
                case "--go" -> go = value;
                case "--out" -> out = Path.of(value);
                case "--work-dir" -> workDir = Path.of(value);
                case "--timeout" -> timeout = Duration.ofSeconds(integer("timeout", value));
                case "--gaps" -> gapsSeconds = integer("gaps", value);
                default -> throw new IllegalArgumentException("option: " + arg + " (expected: one of --depth --threads --heap "
                        + "--only --jvm-arg --goheap-main --goheap-path --goheap-jvm-args --goheap-args --go --out --work-dir --timeout --gaps)");
            }
        }
        if (depth < 0 || depth > 30) {
            throw new IllegalArgumentException("depth: " + depth + " (expected: 0 to 30)");
        }
        if (gapsSeconds < 0) {
            throw new IllegalArgumentException("gaps: " + gapsSeconds + " (expected: seconds >= 0)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        for (String id : only) {
            if (!CONFIG_IDS.contains(id)) {
                throw new IllegalArgumentException("--only: " + id + " (expected: some of " + String.join(",", CONFIG_IDS) + ")");
            }
        }
        return new Options(depth, threads, heap, only, extra, goheapMain, goheapPath, goheapJvmArgs, goheapArgs, go, out,
                workDir, timeout, gapsSeconds);
    }

    /** Prints the table of {@code rows} under {@code header}. */
    static void print(String header, List<Row> rows, PrintStream out) {
        out.println(header);
        String columns = String.format(Locale.ROOT, "%-26s %7s %8s %8s %8s %10s %7s %7s %19s %8s  %s",
                "config", "wall s", "pauses", "max ms", "p99 ms", "paused ms", "MMU10", "MMU50", "max 50ms-window ms",
                "JVM GCs", "output");
        out.println(columns);
        for (Row r : rows) {
            if (!r.ran()) {
                out.printf(Locale.ROOT, "%-26s %s%n", r.name(), r.problem());
                continue;
            }
            PauseFigures f = r.figures();
            out.printf(Locale.ROOT, "%-26s %7.2f %8d %8s %8s %10s %7s %7s %19s %8s  %s%n", r.name(), r.wallMillis() / 1e3,
                    f.count(), millis(f.maxNanos()), millis(f.p99Nanos()), millis(f.totalNanos()), percent(f.mmu10()),
                    percent(f.mmu50()), millis(f.maxIn50msNanos()),
                    Double.isNaN(r.jvmGcCount()) ? "-" : String.valueOf((long) r.jvmGcCount()), r.outputOk() ? "ok" : "WRONG");
        }
        out.println("pauses: JVM collectors: JFR jdk.GCPhasePause events inside the run (stop-the-world time once at the");
        out.println("  safepoint); goheap: the pauses of its RESULT line; Go: the two stop-the-world phases of each gctrace");
        out.println("  line (from the stop request). JVM GCs: collections the GarbageCollectorMXBeans counted during the run");
        out.println("  (ZGC: cycles). output: binary-trees' check lines as expected.");
        for (Row r : rows) {
            if (r.details().get("jfrCrossCheck") instanceof Map<?, ?> check
                    && check.get("gcPhasePauseMillis") instanceof Double phases
                    && check.get("garbageCollectionSumOfPausesMillis") instanceof Double sums
                    && Math.abs(phases - sums) > 0.01 * Math.max(phases, sums) + 0.01) {
                out.printf(Locale.ROOT, "warning: %s: jdk.GCPhasePause events add up to %.3f ms, jdk.GarbageCollection's"
                        + " sumOfPauses to %.3f ms%n", r.name(), phases, sums);
            }
        }
        if (rows.stream().anyMatch(r -> r.safepointFigures() != null)) {
            out.println();
            out.println("the same JVM pauses widened to their safepoints (stop request to release, time to safepoint included,"
                    + " as goheap counts its own):");
            out.println(String.format(Locale.ROOT, "%-26s %8s %8s %10s %7s %7s %19s", "config", "max ms", "p99 ms",
                    "paused ms", "MMU10", "MMU50", "max 50ms-window ms"));
            for (Row r : rows) {
                PauseFigures f = r.safepointFigures();
                if (f != null) {
                    out.printf(Locale.ROOT, "%-26s %8s %8s %10s %7s %7s %19s%n", r.name(), millis(f.maxNanos()),
                            millis(f.p99Nanos()), millis(f.totalNanos()), percent(f.mmu10()), percent(f.mmu50()),
                            millis(f.maxIn50msNanos()));
                }
            }
        }
    }

    private static void writeJson(Options o, String header, List<String> common, List<Row> rows, CpuGaps.Figures gaps)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", header);
        json.put("date", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        json.put("depth", o.depth());
        json.put("threads", o.threads());
        json.put("heap", o.heap());
        json.put("commonJvmArgs", common);
        json.put("javaVersion", Runtime.version().toString());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("loadAverageBefore", loadAverage());
        if (gaps != null) {
            json.put("cpuGaps", gaps.toJson());
        }
        json.put("rows", rows.stream().map(Row::toJson).toList());
        Path parent = o.out().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(o.out(), Json.write(json) + "\n", StandardCharsets.UTF_8);
    }

    static String header(Options o) {
        return String.format(Locale.ROOT, "binary-trees depth %d, %d thread%s, -Xmx%s (JDK %s, %d CPUs)", o.depth(),
                o.threads(), o.threads() == 1 ? "" : "s", o.heap(), Runtime.version().version().stream()
                        .map(String::valueOf).reduce((a, b) -> a + "." + b).orElse("?"),
                Runtime.getRuntime().availableProcessors());
    }

    /** Milliseconds with three significant digits down to microseconds: 165.0, 2.41, 0.035. */
    static String millis(long nanos) {
        double ms = nanos / 1e6;
        return String.format(Locale.ROOT, ms >= 10 ? "%.1f" : ms >= 1 ? "%.2f" : "%.3f", ms);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return String.join(" ", Arrays.copyOf(parts, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static int integer(String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: an integer)");
        }
    }

    private static List<String> words(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }
}
