package dev.goheap.jmh.trees;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The comparison's "Go" row: the demo's binary-trees on Go's own runtime and collector, measured
 * in the same run as goheap's, so that the "wall time at or below Go's on the same
 * machine" is a ratio of one run rather than a figure from another day.
 *
 * <p>Steps:
 * <ol>
 *   <li>find {@code go} ({@code --go}, else {@code PATH}, else {@code /usr/lib/go/bin} and
 *       {@code /usr/local/go/bin}); without one the row says how to get it (Debian:
 *       {@code apt-get install golang-go}, Go 1.19 on the build machine, the Go);</li>
 *   <li>build {@code binarytrees.go} (a resource beside this class: the demo written in Go, the
 *       same nodes, the same order of allocation, the same split of each depth's trees over the
 *       workers) into the work directory;</li>
 *   <li>run it with {@code GODEBUG=gctrace=1} ({@code GOGC} as set, like the demo; {@code
 *       GOMAXPROCS} as set, default every CPU) and check its output as {@link ForkedRun} does;</li>
 *   <li>take the pauses from the gctrace lines ({@link #parseGctrace}) and compute {@link
 *       PauseFigures} for them over the run.</li>
 * </ol>
 *
 * <p><b>The pauses.</b> A gctrace line reads {@code gc N @Ts P%: A+B+C ms clock, ...}: cycle N
 * began T seconds after the program started, A is its stop-the-world sweep termination, B its
 * concurrent mark, C its stop-the-world mark termination, in wall-clock milliseconds (Go times
 * A from before it stops the world, so the time to stop is in it, as in goheap's pauses). The
 * pauses are {@code [T, T + A)} and {@code [T + A + B, T + A + B + C)}: their lengths are known to
 * a microsecond, their starts to a millisecond (T's resolution), which moves the MMU windows by
 * at most that much.
 */
final class GoRun {
    /** The id of this row in {@code --only} and in {@link CollectorComparison#CONFIG_IDS}. */
    static final String ID = "Go";
    static final String SOURCE_RESOURCE = "binarytrees.go";
    /** The start of a gctrace line, Go 1.5 through 1.25: cycle, start, and the clock phases. */
    static final Pattern GCTRACE = Pattern.compile(
            "^gc (\\d+) @(\\d+(?:\\.\\d+)?)s \\d+%: (\\d+(?:\\.\\d+)?)\\+(\\d+(?:\\.\\d+)?)\\+(\\d+(?:\\.\\d+)?) ms clock.*?(?:, (\\d+) P)?(?: \\(forced\\))?$");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The stop-the-world pauses of a gctrace, in nanoseconds since the program started.
     *
     * @param starts     pause starts
     * @param lengths    pause lengths
     * @param cycles     the gctrace lines read (two pauses each)
     * @param gomaxprocs the "N P" of the last line (0 if absent)
     */
    record Pauses(long[] starts, long[] lengths, int cycles, int gomaxprocs) {
    }

    private GoRun() {
    }

    /** The gctrace lines among {@code lines} (other lines are skipped), as pauses. */
    static Pauses parseGctrace(List<String> lines) {
        List<long[]> pauses = new ArrayList<>();
        int cycles = 0;
        int procs = 0;
        for (String line : lines) {
            Matcher m = GCTRACE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            cycles++;
            long start = nanos(m.group(2), 1e9);
            long sweepTermination = nanos(m.group(3), 1e6);
            long mark = nanos(m.group(4), 1e6);
            long markTermination = nanos(m.group(5), 1e6);
            pauses.add(new long[] {start, sweepTermination});
            pauses.add(new long[] {start + sweepTermination + mark, markTermination});
            if (m.group(6) != null) {
                procs = Integer.parseInt(m.group(6));
            }
        }
        long[] starts = new long[pauses.size()];
        long[] lengths = new long[pauses.size()];
        for (int i = 0; i < pauses.size(); i++) {
            starts[i] = pauses.get(i)[0];
            lengths[i] = pauses.get(i)[1];
        }
        return new Pauses(starts, lengths, cycles, procs);
    }

    private static long nanos(String decimal, double unitNanos) {
        return Math.round(Double.parseDouble(decimal) * unitNanos);
    }

    /**
     * The {@code go} command: {@code explicit} if given (it must be executable), else the first on
     * {@code PATH}, else Go's usual install places; {@code null} if there is none.
     */
    static Path findGo(String explicit, String pathVariable) {
        if (explicit != null) {
            Path go = Path.of(explicit);
            return Files.isExecutable(go) ? go : null;
        }
        List<Path> candidates = new ArrayList<>();
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "go"));
                }
            }
        }
        candidates.add(Path.of("/usr/lib/go/bin/go"));
        candidates.add(Path.of("/usr/local/go/bin/go"));
        for (Path go : candidates) {
            if (Files.isRegularFile(go) && Files.isExecutable(go)) {
                return go;
            }
        }
        return null;
    }

    /**
     * Builds and runs binary-trees in Go at {@code depth} with {@code workers} worker goroutines,
     * writing {@code Go.out}, {@code Go.err} and the build into {@code workDir}.
     */
    static Row run(String explicitGo, int depth, int workers, Path workDir, Duration timeout, String expectedOutput)
            throws IOException, InterruptedException {
        Path go = findGo(explicitGo, System.getenv("PATH"));
        if (go == null) {
            return Row.unavailable(ID, List.of(), explicitGo != null ? explicitGo + " is not an executable"
                    : "no go on PATH (Debian: apt-get install golang-go; or --go PATH)");
        }
        workDir = workDir.toAbsolutePath().normalize();
        Path dir = workDir.resolve("go");
        Files.createDirectories(dir);
        Path source = dir.resolve(SOURCE_RESOURCE);
        try (InputStream in = GoRun.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + SOURCE_RESOURCE);
            }
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve("binarytrees");
        Path buildLog = dir.resolve("build.log");
        Files.deleteIfExists(binary); // a failed build must not leave the last one to run
        List<String> build = List.of(go.toString(), "build", "-o", binary.toString(), source.toString());
        ProcessBuilder builder = new ProcessBuilder(build).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(buildLog.toFile());
        Map<String, String> env = builder.environment();
        if (env.get("GOCACHE") == null && env.get("XDG_CACHE_HOME") == null && env.get("HOME") == null) {
            env.put("GOCACHE", dir.resolve("cache").toString()); // go build needs a cache directory
        }
        String version = goVersion(go);
        String name = version != null ? "Go " + version : ID;
        if (!ForkedRun.waitOrKill(builder.start(), BUILD_TIMEOUT)) {
            return Row.failed(name, List.of(), build, "go build: no exit within " + BUILD_TIMEOUT.toMinutes() + " min");
        }
        if (!Files.isExecutable(binary)) {
            return Row.failed(name, List.of(), build, "go build failed; see " + buildLog);
        }

        Path out = workDir.resolve(ID + ".out");
        Path err = workDir.resolve(ID + ".err");
        List<String> command = List.of(binary.toString(), String.valueOf(depth), String.valueOf(workers));
        ProcessBuilder runner = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        String godebug = runner.environment().get("GODEBUG");
        runner.environment().put("GODEBUG", godebug == null || godebug.isBlank() ? "gctrace=1" : godebug + ",gctrace=1");
        Process process = runner.start();
        if (!ForkedRun.waitOrKill(process, timeout)) {
            return Row.failed(name, List.of(), command, "no exit within " + timeout.toSeconds() + " s (killed)");
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        Map<?, ?> result = ForkedRun.resultLine(lines);
        if (process.exitValue() != 0 || result == null || !(result.get("wallMillis") instanceof Number wall)) {
            String why = process.exitValue() != 0 ? "exit code " + process.exitValue() : "no RESULT line with wallMillis";
            return Row.failed(name, List.of(), command, why + "; see " + out + " and " + err);
        }
        Pauses pauses = parseGctrace(Files.readAllLines(err, StandardCharsets.UTF_8));
        double wallMillis = wall.doubleValue();
        // gctrace's clock starts at the runtime's start, the wall time at main's: the run is the
        // wall time, moved later if a pause ends after it (ForkedRun.guessRun).
        long[] run = ForkedRun.guessRun(pauses.starts(), pauses.lengths(), wallMillis);
        PauseFigures figures = PauseFigures.of(pauses.starts(), pauses.lengths(), run[0], run[1]);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("command", command);
        details.put("go", go.toString());
        details.put("goVersion", version);
        details.put("gcCycles", pauses.cycles());
        details.put("gomaxprocs", pauses.gomaxprocs());
        details.put("gogc", System.getenv().getOrDefault("GOGC", "100 (default)"));
        details.put("result", result);
        boolean outputOk = ForkedRun.containsInOrder(lines, expectedOutput.lines().toList());
        return new Row(name, List.of(), true, null, wallMillis, "gctrace", figures, null, Double.NaN, Double.NaN,
                outputOk, details);
    }

    /** {@code go env GOVERSION} without its "go" prefix ("1.19.8"), or null if it cannot tell. */
    private static String goVersion(Path go) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(go.toString(), "env", "GOVERSION").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!ForkedRun.waitOrKill(p, Duration.ofSeconds(30)) || p.exitValue() != 0 || !text.startsWith("go")) {
            return null;
        }
        return text.substring(2);
    }
}
