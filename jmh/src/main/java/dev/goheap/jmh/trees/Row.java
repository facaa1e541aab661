package dev.goheap.jmh.trees;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration's outcome: its figures, or why it has none.
 *
 * @param name             the configuration's label
 * @param jvmArgs          the configuration's own JVM options (none for the Go row)
 * @param ran              whether it ran to the end and printed a RESULT line
 * @param problem          why it did not run or failed ({@code null} if it ran)
 * @param wallMillis       binary-trees' wall time from its RESULT line
 * @param pauseSource      where the pauses came from: {@code "RESULT"}, {@code "JFR jdk.GCPhasePause"} or
 *                         {@code "gctrace"} (the Go row)
 * @param figures          the pauses' figures
 * @param safepointFigures the JFR pauses widened to their safepoints ({@code null} for RESULT pauses)
 * @param jvmGcCount       the Java heap's collections from the RESULT line (NaN if absent)
 * @param jvmGcMillis      their accumulated time as the MXBeans report it (NaN if absent)
 * @param outputOk         whether the output held binary-trees' expected lines
 * @param details          everything else for the JSON file (command, RESULT, recording, ...)
 */
record Row(String name, List<String> jvmArgs, boolean ran, String problem, double wallMillis, String pauseSource,
           PauseFigures figures, PauseFigures safepointFigures, double jvmGcCount, double jvmGcMillis, boolean outputOk,
           Map<String, Object> details) {

    static Row unavailable(Workload workload, String why) {
        return unavailable(workload.name(), workload.jvmArgs(), why);
    }

    static Row unavailable(String name, List<String> jvmArgs, String why) {
        return new Row(name, jvmArgs, false, "not available: " + why, Double.NaN, null, null, null,
                Double.NaN, Double.NaN, false, Map.of());
    }

    static Row failed(Workload workload, List<String> command, String why) {
        return failed(workload.name(), workload.jvmArgs(), command, why);
    }

    static Row failed(String name, List<String> jvmArgs, List<String> command, String why) {
        return new Row(name, jvmArgs, false, "failed: " + why, Double.NaN, null, null, null,
                Double.NaN, Double.NaN, false, Map.of("command", command));
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("config", name);
        json.put("jvmArgs", jvmArgs);
        json.put("ran", ran);
        if (!ran) {
            json.put("problem", problem);
            json.putAll(details);
            return json;
        }
        json.put("wallMillis", wallMillis);
        json.put("outputOk", outputOk);
        json.put("pauseSource", pauseSource);
        json.put("pauses", ForkedRun.figuresJson(figures));
        if (safepointFigures != null) {
            json.put("pausesWithTimeToSafepoint", ForkedRun.figuresJson(safepointFigures));
        }
        json.put("jvmGcCount", jvmGcCount);
        json.put("jvmGcMillis", jvmGcMillis);
        json.putAll(details);
        return json;
    }
}
