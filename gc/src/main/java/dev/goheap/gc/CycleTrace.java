package dev.goheap.gc;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One cycle's timeline: wall and collector-CPU time per phase, heap sizes, for the gctrace line
 * (Go's {@code GODEBUG=gctrace=1}) and the JFR phase events.
 *
 * <pre>
 * gc 7 @1.234s 2%: 0.41+8.3+0.52 ms clock, 0.40+1.2/8.1+0.50 ms cpu, 41-&gt;43-&gt;12 MB, 20 MB trigger (c/m 1.6), 24 MB goal, 3 G, 5 assists, 0 retries
 *    |  |       |   start+concurrent mark+termination   assist/collector      |                    |                 |
 *    |  |       |                                                            |                    |                 this cycle's goal
 *    |  |       |                                                            |                    the trigger that started this cycle,
 *    |  |       |                                                            |                    and the cons/mark estimate it was set
 *    |  |       |                                                            |                    with ({@code Pacer}; "-": none yet)
 *    |  |       |                                                            in use at start-&gt;end of mark-&gt;marked
 *    |  |       GC CPU share since start (assists included)
 *    |  time since the collector started
 *    cycle
 * </pre>
 * "+" joins the mark-start pause, the concurrent mark and the termination pause(s) (the sweep
 * termination before the cycle and the sweep after it are not in the line, as in Go). The
 * concurrent mark's CPU is split as Go splits it: the time goroutines spent in assists (wall
 * time, summed over goroutines) / the collector thread's CPU. The goal is this cycle's, as in Go.
 *
 * <p><b>Thread safety:</b> collector thread only.
 */
final class CycleTrace {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long cycle;
    private final boolean forced;
    private final long collectorStartNanos;
    private final long heapBeforeBytes;
    private final long cycleGoalBytes;
    private final long cycleTriggerBytes;
    private final double consMark;
    private long assistCount;
    private long assistNanos;
    private final long cycleStartNanos;
    private final List<String> phases = new ArrayList<>(5);
    private final List<Long> wallNanos = new ArrayList<>(5);
    private final List<Long> cpuNanos = new ArrayList<>(5);
    private long lastWall;
    private long lastCpu;
    private int retries;
    private long markedBytes;
    private long heapAfterBytes;
    private int goroutines;
    private double cpuFraction;
    private GcEvents.Phase event;

    CycleTrace(long cycle, boolean forced, long collectorStartNanos, long heapBeforeBytes, long cycleTriggerBytes,
            double consMark, long cycleGoalBytes) {
        this.cycle = cycle;
        this.cycleGoalBytes = cycleGoalBytes;
        this.cycleTriggerBytes = cycleTriggerBytes;
        this.consMark = consMark;
        this.forced = forced;
        this.collectorStartNanos = collectorStartNanos;
        this.heapBeforeBytes = heapBeforeBytes;
        this.cycleStartNanos = System.nanoTime();
        this.lastWall = cycleStartNanos;
        this.lastCpu = THREADS.getCurrentThreadCpuTime();
        beginEvent();
    }

    /** Ends the phase {@code name} (it began where the last one ended). */
    void phase(String name) {
        long wall = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        phases.add(name);
        wallNanos.add(wall - lastWall);
        cpuNanos.add(cpu - lastCpu);
        lastWall = wall;
        lastCpu = cpu;
        event.end();
        if (event.shouldCommit()) {
            event.cycle = cycle;
            event.phase = name;
            event.commit();
        }
        beginEvent();
    }

    private void beginEvent() {
        event = new GcEvents.Phase();
        event.begin();
    }

    void retry() {
        retries++;
    }

    /** The cycle's assists: how many, and their time summed over goroutines. */
    void assists(long count, long nanos) {
        this.assistCount = count;
        this.assistNanos = nanos;
    }

    void done(long markedBytes, long heapAfterBytes, int goroutines, double cpuFraction) {
        this.markedBytes = markedBytes;
        this.heapAfterBytes = heapAfterBytes;
        this.goroutines = goroutines;
        this.cpuFraction = cpuFraction;
        GcEvents.Cycle e = new GcEvents.Cycle();
        if (e.shouldCommit()) {
            e.cycle = cycle;
            e.forced = forced;
            e.heapBeforeBytes = heapBeforeBytes;
            e.markedBytes = markedBytes;
            e.goalBytes = cycleGoalBytes;
            e.commit();
        }
    }

    /** Returns the wall time of phase {@code name} in nanoseconds (0 if it did not run). */
    long wallNanos(String name) {
        int i = phases.indexOf(name);
        return i < 0 ? 0 : wallNanos.get(i);
    }

    String line() {
        return String.format(Locale.ROOT,
                "gc %d @%.3fs %d%%: %s+%s+%s ms clock, %s+%s/%s+%s ms cpu, %d->%d->%d MB, %s MB trigger (c/m %s), %s MB goal,"
                        + " %d G, %d assists,"
                        + " %d retries%s",
                cycle, (cycleStartNanos - collectorStartNanos) / 1e9, Math.round(cpuFraction * 100),
                ms(wallNanos, "mark start"), ms(wallNanos, "concurrent mark"), ms(wallNanos, "mark termination"),
                ms(cpuNanos, "mark start"), ms(assistNanos), ms(cpuNanos, "concurrent mark"),
                ms(cpuNanos, "mark termination"),
                heapBeforeBytes >> 20, heapAfterBytes >> 20, markedBytes >> 20,
                cycleTriggerBytes == Long.MAX_VALUE ? "-" : Long.toString(cycleTriggerBytes >> 20),
                Double.isNaN(consMark) ? "-" : String.format(Locale.ROOT, "%.2f", consMark),
                cycleGoalBytes == Long.MAX_VALUE ? "-" : Long.toString(cycleGoalBytes >> 20), goroutines, assistCount,
                retries, forced ? " (forced)" : "");
    }

    private String ms(List<Long> values, String phase) {
        int i = phases.indexOf(phase);
        return ms(i < 0 ? 0 : values.get(i));
    }

    private static String ms(long nanos) {
        double v = nanos / 1e6;
        return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }
}
