package dev.goheap.jmh.trees;

import dev.goheap.jmh.Json;
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
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link Workload} in a forked JVM under a JFR recording and turns what it left behind
 * (its output, its {@code RESULT} line, the recording) into a {@link Row}.
 *
 * <p>Steps:
 * <ol>
 *   <li>start {@code java} (this JVM's own executable: the JDK 22+ the build selected) with
 *       {@code -XX:StartFlightRecording} and {@code gc-pauses.jfc}; output and errors go to files
 *       beside the recording;</li>
 *   <li>wait for it (up to the timeout), then take the last {@code RESULT } line of its output;</li>
 *   <li>check that the lines before it hold binary-trees' expected output, in order (other lines,
 *       such as a gctrace, may come between);</li>
 *   <li>take the pauses: the RESULT line's {@code pauses} if it has them (goheap's collector knows
 *       its own pauses), otherwise the recording's {@code jdk.GCPhasePause} events inside the run;</li>
 *   <li>compute {@link PauseFigures} for them, and for the JFR pauses widened to their safepoints.</li>
 * </ol>
 */
final class ForkedRun {
    private ForkedRun() {
    }

    /**
     * Runs {@code workload}, writing {@code STEM.jfr}, {@code STEM.out} and {@code STEM.err} into
     * {@code workDir}.
     */
    static Row run(Workload workload, List<String> commonJvmArgs, Path workDir, String stem, Duration timeout,
                   String expectedOutput) throws IOException, InterruptedException {
        if (!workload.available()) {
            return Row.unavailable(workload, workload.unavailable());
        }
        workDir = workDir.toAbsolutePath().normalize();
        Files.createDirectories(workDir);
        Path settings = workDir.resolve(JfrPauses.SETTINGS_RESOURCE);
        try (InputStream in = ForkedRun.class.getResourceAsStream(JfrPauses.SETTINGS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + JfrPauses.SETTINGS_RESOURCE);
            }
            Files.write(settings, in.readAllBytes());
        }
        Path recording = workDir.resolve(stem + ".jfr");
        Path out = workDir.resolve(stem + ".out");
        Path err = workDir.resolve(stem + ".err");
        Files.deleteIfExists(recording);
        List<String> jvmArgs = new ArrayList<>(commonJvmArgs);
        jvmArgs.add("-XX:StartFlightRecording:filename=" + recording + ",settings=" + settings + ",dumponexit=true");
        jvmArgs.add("-Xlog:jfr+startup=off");
        List<String> command = workload.command(javaExecutable(), jvmArgs);

        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!waitOrKill(process, timeout)) {
            return Row.failed(workload, command, "no exit within " + timeout.toSeconds() + " s (killed)");
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        Map<?, ?> result = resultLine(lines);
        if (process.exitValue() != 0 || result == null) {
            String why = process.exitValue() != 0 ? "exit code " + process.exitValue() : "no RESULT line";
            return Row.failed(workload, command, why + "; see " + out + " and " + err + ": " + lastLine(err));
        }
        boolean outputOk = containsInOrder(lines, expectedOutput.lines().toList());
        double wallMillis = number(result, "wallMillis");

        JfrPauses jfr = Files.isRegularFile(recording) ? JfrPauses.read(recording) : null;
        long[] epochRun = bounds(result, "runStartEpochNanos", "runEndEpochNanos");
        JfrPauses jfrInRun = jfr == null ? null : epochRun == null ? jfr : jfr.within(epochRun[0], epochRun[1]);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("command", command);
        details.put("recording", recording.toString());
        details.put("result", result);
        String source;
        PauseFigures figures;
        PauseFigures safepointFigures = null;
        if (result.get("pauses") instanceof List<?> list) {
            source = "RESULT";
            long[] starts = new long[list.size()];
            long[] lengths = new long[list.size()];
            for (int i = 0; i < list.size(); i++) {
                List<?> pair = (List<?>) list.get(i);
                starts[i] = ((Number) pair.get(0)).longValue();
                lengths[i] = ((Number) pair.get(1)).longValue();
            }
            long[] run = bounds(result, "runStartNanos", "runEndNanos");
            if (run == null) {
                run = guessRun(starts, lengths, wallMillis);
                details.put("runBoundsGuessed", true);
            }
            figures = PauseFigures.of(starts, lengths, run[0], run[1]);
            if (jfrInRun != null) { // the Java heap's own pauses in that process, for the record
                details.put("javaHeapPauses", figuresJson(jfrFigures(jfrInRun.pauses(), epochRun, wallMillis)));
            }
        } else if (jfrInRun != null) {
            source = "JFR " + JfrPauses.PHASE_PAUSE;
            figures = jfrFigures(jfrInRun.pauses(), epochRun, wallMillis);
            safepointFigures = jfrFigures(jfrInRun.safepointPauses(), epochRun, wallMillis);
            details.put("pauseNames", jfrInRun.countsByName());
            // cross-check over the whole recording: one sum per event type
            details.put("jfrCrossCheck", Map.of("gcPhasePauseMillis", jfr.phasePauseSumNanos() / 1e6,
                    "garbageCollectionSumOfPausesMillis", jfr.sumOfPausesNanos() / 1e6));
            if (epochRun == null) {
                details.put("runBoundsGuessed", true);
            }
        } else {
            return Row.failed(workload, command, "no pauses in the RESULT line and no recording " + recording);
        }
        return new Row(workload.name(), workload.jvmArgs(), true, null, wallMillis, source, figures, safepointFigures,
                number(result, "jvmGcCount"), number(result, "jvmGcMillis"), outputOk, details);
    }

    private static PauseFigures jfrFigures(List<JfrPauses.Pause> pauses, long[] epochRun, double wallMillis) {
        long[] starts = JfrPauses.starts(pauses);
        long[] lengths = JfrPauses.lengths(pauses);
        long[] run = epochRun != null ? epochRun : guessRun(starts, lengths, wallMillis);
        return PauseFigures.of(starts, lengths, run[0], run[1]);
    }

    /**
     * Run bounds for pauses whose clock has no known run start: a span of the wall time that holds
     * every pause; pauses timed from the run's start (all of them end within the wall time) get
     * {@code [0, wall]}.
     */
    static long[] guessRun(long[] starts, long[] lengths, double wallMillis) {
        long wall = Math.max(1, Math.round(wallMillis * 1e6));
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < starts.length; i++) {
            first = Math.min(first, starts[i]);
            last = Math.max(last, starts[i] + lengths[i]);
        }
        if (starts.length == 0 || (first >= 0 && last <= wall)) {
            return new long[] {0, Math.max(wall, starts.length == 0 ? 0 : last)};
        }
        long start = Math.min(first, last - wall);
        return new long[] {start, Math.max(start + wall, last)};
    }

    static Map<String, Object> figuresJson(PauseFigures f) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", f.count());
        json.put("maxMillis", f.maxNanos() / 1e6);
        json.put("p99Millis", f.p99Nanos() / 1e6);
        json.put("totalMillis", f.totalNanos() / 1e6);
        json.put("mmu10ms", f.mmu10());
        json.put("mmu50ms", f.mmu50());
        json.put("maxIn50msWindowMillis", f.maxIn50msNanos() / 1e6);
        return json;
    }

    /** The JSON object of the last line that starts with {@code RESULT }, or {@code null}. */
    static Map<?, ?> resultLine(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(PlainBinaryTrees.RESULT_PREFIX)) {
                try {
                    return Json.parse(lines.get(i).substring(PlainBinaryTrees.RESULT_PREFIX.length())) instanceof Map<?, ?> m ? m : null;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    static boolean containsInOrder(List<String> lines, List<String> expected) {
        int next = 0;
        for (String line : lines) {
            if (next < expected.size() && line.equals(expected.get(next))) {
                next++;
            }
        }
        return next == expected.size();
    }

    private static long[] bounds(Map<?, ?> result, String startKey, String endKey) {
        if (result.get(startKey) instanceof Number start && result.get(endKey) instanceof Number end
                && end.longValue() > start.longValue()) {
            return new long[] {start.longValue(), end.longValue()};
        }
        return null;
    }

    private static double number(Map<?, ?> result, String key) {
        return result.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String lastLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.isEmpty() ? "(no output on stderr)" : lines.getLast();
    }

    /** Waits up to {@code timeout} for {@code process}; if it is still running then, kills it and returns false. */
    static boolean waitOrKill(Process process, Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.destroyForcibly().waitFor();
        return false;
    }

    /** This JVM's {@code java}: the JDK 22+ that Maven's toolchains plugin selected. */
    static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : ProcessHandle.current().info().command().orElse("java");
    }
}
