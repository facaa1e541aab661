package dev.goheap.gc;

import java.util.List;

/**
 * A snapshot of the heap and the collector, named after Go's {@code runtime.MemStats}.
 *
 * @param heapSysBytes       bytes mapped from the OS for the heap
 * @param heapInUseBytes     bytes of spans in use
 * @param heapIdleBytes      bytes of free pages still mapped
 * @param heapReleasedBytes  bytes given back to the OS, cumulative
 * @param heapObjects        live objects (allocated and not yet freed or swept)
 * @param mallocs            objects allocated, cumulative
 * @param frees              objects freed (explicitly or by sweeping), cumulative
 * @param nextGcBytes        the heap goal of the next cycle ({@link Long#MAX_VALUE}: none)
 * @param lastMarkedBytes    bytes marked live by the last cycle
 * @param numGc              completed cycles
 * @param numForcedGc        of which forced ({@link Collector#gc}, or the heap limit)
 * @param pauseTotalNanos    stopped time of all pauses
 * @param recentPausesNanos  the last 256 pauses, oldest first
 * @param maxPauseNanos      the longest pause
 * @param gcCpuFraction      the collector's share of the CPUs since it started (Go's
 *                           {@code GCCPUFraction}): the collector thread's CPU time plus the
 *                           assists' time, over the wall time times the available processors
 * @param pins               pinned handles
 * @param assists            mutator assists so far: times a goroutine that allocated while the
 *                           collector marked had to mark itself ({@link GcConfig#assists})
 * @param assistTotalNanos   the time goroutines spent assisting, summed over goroutines: mutator
 *                           time lost, not stopped time (the pause figures exclude it)
 * @param assistMarkedBytes  the bytes assists marked
 * @param maxHeapOverGoal    the highest ratio, over the cycles so far, of the bytes in use when
 *                           marking ended (a cycle's peak) to that cycle's heap goal, or to the bytes
 *                           in use when marking started if that was more (a late start is the
 *                           stop's delay, not marking's): above 1, allocation outran marking
 *                           (what assists bound), or the live heap grew during the mark and
 *                           the assists' goal moved out (up to {@code 1 + GOGC/100} times, as
 *                           Go's); 0 before the first cycle or without a goal
 * @param assistParks        assists that found no grey work left past the heap goal and
 *                           waited, parked, for the collector's credit or the cycle's end
 *                           (Go's {@code gcParkAssist}); not counted in {@code assists}
 * @param assistParkNanos    the time those assists waited parked, summed over goroutines:
 *                           mutator time lost, not in {@code assistTotalNanos}
 */
public record MemStats(long heapSysBytes, long heapInUseBytes, long heapIdleBytes, long heapReleasedBytes,
        long heapObjects, long mallocs, long frees, long nextGcBytes, long lastMarkedBytes, long numGc,
        long numForcedGc, long pauseTotalNanos, List<Long> recentPausesNanos, long maxPauseNanos,
        double gcCpuFraction, int pins, long assists, long assistTotalNanos, long assistMarkedBytes,
        double maxHeapOverGoal, long assistParks, long assistParkNanos) {
    public MemStats {
        recentPausesNanos = List.copyOf(recentPausesNanos);
    }
}
