package dev.goheap.jmh.trees;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The stop-the-world GC pauses of a JFR recording made with {@code gc-pauses.jfc}.
 *
 * <p><b>Which events.</b> Checked on JDK 25 with {@code jfr print}:
 * <ul>
 *   <li>{@code jdk.GCPhasePause} is the top-level (level 0) phase of every stop-the-world GC pause,
 *       one event per pause, for every collector: G1's young and full collections are named
 *       "GC Pause", its concurrent cycle's pauses "Pause Remark" and "Pause Cleanup"; Parallel's
 *       "GC Pause"; ZGC's "Pause Mark Start" (or "… (Major)"), "Pause Mark End" and "Pause Relocate
 *       Start". These are what we measure.</li>
 *   <li>{@code jdk.GarbageCollection} is one event per collection, not per pause: for G1's
 *       concurrent cycle ("G1Old") and for ZGC it spans the whole concurrent cycle and gives only
 *       {@code sumOfPauses} and {@code longestPause}, so it cannot place pauses in time. We read it
 *       as a cross-check: its {@code sumOfPauses} summed over the recording should equal the sum of
 *       the {@code jdk.GCPhasePause} durations.</li>
 *   <li>A {@code jdk.GCPhasePause} starts once the safepoint is reached and ends before the threads
 *       are released. {@code jdk.SafepointBegin} lasts from the stop request until every thread has
 *       stopped (the time to safepoint) and {@code jdk.SafepointEnd} covers the release, so the
 *       safepoint around a pause, begin to end, is the pause as a mutator feels it; goheap counts its
 *       pauses that way (DESIGN decision 7). We report both.</li>
 * </ul>
 *
 * @param pauses           each GC pause, as {@code jdk.GCPhasePause} times it
 * @param safepointPauses  the same pauses widened to their safepoints (begin of the stop request to
 *                         the end of the release); a pause with no matching safepoint stays as it is
 * @param sumOfPausesNanos the sum of {@code jdk.GarbageCollection}'s {@code sumOfPauses} over the
 *                         whole recording
 */
record JfrPauses(List<Pause> pauses, List<Pause> safepointPauses, long sumOfPausesNanos) {
    static final String PHASE_PAUSE = "jdk.GCPhasePause";
    static final String GARBAGE_COLLECTION = "jdk.GarbageCollection";
    static final String SAFEPOINT_BEGIN = "jdk.SafepointBegin";
    static final String SAFEPOINT_END = "jdk.SafepointEnd";
    /** The settings file, a resource beside this class. */
    static final String SETTINGS_RESOURCE = "gc-pauses.jfc";

    /** One pause; times are nanoseconds since the epoch, as JFR's event times are. */
    record Pause(long startNanos, long lengthNanos, String name) {
        long endNanos() {
            return startNanos + lengthNanos;
        }
    }

    /** Reads the GC pauses of {@code recording}. */
    static JfrPauses read(Path recording) throws IOException {
        List<Pause> pauses = new ArrayList<>();
        Map<Long, long[]> safepoints = new HashMap<>(); // safepointId -> {begin, end}
        long sumOfPauses = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            switch (event.getEventType().getName()) {
                case PHASE_PAUSE -> pauses.add(new Pause(epochNanos(event.getStartTime()),
                        event.getDuration().toNanos(), event.getString("name")));
                case GARBAGE_COLLECTION -> sumOfPauses += event.getDuration("sumOfPauses").toNanos();
                case SAFEPOINT_BEGIN -> safepoints.computeIfAbsent(event.getLong("safepointId"), id -> new long[2])[0] =
                        epochNanos(event.getStartTime());
                case SAFEPOINT_END -> safepoints.computeIfAbsent(event.getLong("safepointId"), id -> new long[2])[1] =
                        epochNanos(event.getEndTime());
                default -> {
                }
            }
        }
        pauses.sort(Comparator.comparingLong(Pause::startNanos));
        return new JfrPauses(pauses, widenToSafepoints(pauses, safepoints), sumOfPauses);
    }

    /** The pauses that overlap {@code [fromNanos, toNanos]}. */
    JfrPauses within(long fromNanos, long toNanos) {
        return new JfrPauses(overlapping(pauses, fromNanos, toNanos), overlapping(safepointPauses, fromNanos, toNanos),
                sumOfPausesNanos);
    }

    long phasePauseSumNanos() {
        return pauses.stream().mapToLong(Pause::lengthNanos).sum();
    }

    static long[] starts(List<Pause> pauses) {
        return pauses.stream().mapToLong(Pause::startNanos).toArray();
    }

    static long[] lengths(List<Pause> pauses) {
        return pauses.stream().mapToLong(Pause::lengthNanos).toArray();
    }

    /** How many pauses of each name, e.g. {@code {"GC Pause": 42}}. */
    Map<String, Integer> countsByName() {
        Map<String, Integer> counts = new TreeMap<>();
        pauses.forEach(p -> counts.merge(p.name(), 1, Integer::sum));
        return counts;
    }

    /** Each pause widened to the safepoint ({@code {begin, end}} by id) that holds it, if one does. */
    static List<Pause> widenToSafepoints(List<Pause> pauses, Map<Long, long[]> safepoints) {
        List<long[]> complete = safepoints.values().stream()
                .filter(s -> s[0] != 0 && s[1] != 0)
                .sorted(Comparator.comparingLong(s -> s[0]))
                .toList();
        List<Pause> widened = new ArrayList<>(pauses.size());
        int next = 0; // pauses and safepoints are both sorted by start: one pass
        for (Pause p : pauses) {
            while (next < complete.size() && complete.get(next)[1] < p.startNanos()) {
                next++;
            }
            if (next < complete.size() && complete.get(next)[0] <= p.startNanos() && p.endNanos() <= complete.get(next)[1]) {
                long[] s = complete.get(next);
                widened.add(new Pause(s[0], s[1] - s[0], p.name()));
            } else {
                widened.add(p);
            }
        }
        return widened;
    }

    private static List<Pause> overlapping(List<Pause> pauses, long fromNanos, long toNanos) {
        return pauses.stream().filter(p -> p.endNanos() > fromNanos && p.startNanos() < toNanos).toList();
    }

    static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
