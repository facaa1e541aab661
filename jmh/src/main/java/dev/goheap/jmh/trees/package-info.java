/**
 * The collector comparison: the Benchmarks Game's binary-trees under the JVM's collectors (G1, G1
 * with a 10 ms pause goal, generational ZGC, Parallel), under goheap, and on Go's runtime (the
 * demo written in Go), one table.
 *
 * <h2>Structures</h2>
 * <pre>
 *   CollectorComparison   options, the configurations in table order, the table, the JSON file
 *     Workload            one configuration: JVM options + how to start its main (-cp or --module)
 *     ForkedRun           forks one Workload under JFR and makes a Row of what it left behind
 *       JfrPauses         the recording's GC pauses (jdk.GCPhasePause), and the same widened to
 *                         their safepoints (jdk.SafepointBegin .. jdk.SafepointEnd)
 *       PauseFigures      count, max, p99, total, MMU(10 ms), MMU(50 ms), max stopped in 50 ms
 *     Row                 one line of the table and one object of the JSON file
 *   PlainBinaryTrees      the workload on plain Java objects; prints the reference output + RESULT
 *   GoRun                 the Go row: builds binarytrees.go (a resource) with the machine's go, runs
 *                         it with GODEBUG=gctrace=1, its pauses from the gctrace lines
 * </pre>
 *
 * <h2>One run, step by step</h2>
 * <ol>
 *   <li>Fork {@code java} — this JVM's own executable, i.e. the JDK 22+ that Maven's toolchains
 *       plugin selected — with {@code -Xmx2g}, the configuration's options and
 *       {@code -XX:StartFlightRecording} using {@code gc-pauses.jfc} (GC pause and safepoint events
 *       only, threshold 0: no sampling that would perturb the run).</li>
 *   <li>The program prints binary-trees' output, then {@code RESULT {json}} with its wall time, the
 *       wall-clock bounds of the run and the GarbageCollectorMXBeans' counts.</li>
 *   <li>Check the output against {@link dev.goheap.jmh.trees.PlainBinaryTrees#expectedOutput}
 *       (node counts are fixed for a depth).</li>
 *   <li>Pauses: the RESULT line's own {@code pauses} if present; otherwise the recording's
 *       {@code jdk.GCPhasePause} events that overlap the run. Compute the figures.</li>
 * </ol>
 *
 * <h2>Which JFR events, and why</h2>
 * Checked on JDK 25.0.3 with {@code jfr print}: {@code jdk.GCPhasePause} (the level-0 phase) is one
 * event per stop-the-world pause for all three collectors — G1 "GC Pause" (young and full),
 * "Pause Remark", "Pause Cleanup"; Parallel "GC Pause"; ZGC "Pause Mark Start" (also "… (Major)"),
 * "Pause Mark End", "Pause Relocate Start". {@code jdk.GarbageCollection} is per collection: for
 * G1's concurrent cycle and for ZGC it spans the concurrent work and carries only
 * {@code sumOfPauses}/{@code longestPause}, so it cannot place pauses in a window; it serves as a
 * cross-check (its {@code sumOfPauses} and the {@code jdk.GCPhasePause} durations add up to the same
 * total, and the table warns if they do not). A {@code jdk.GCPhasePause} leaves out the time to
 * reach the safepoint and to release it; goheap counts a pause from the stop request to the release
 * (DESIGN decision 7), so a second table gives the JVM pauses widened to their safepoints.
 *
 * <h2>What a program in goheap's slot prints</h2>
 * goheap's row runs {@code dev.goheap.demo.BinaryTrees} from module {@code dev.goheap.gc} as soon as
 * that class exists (the jmh module depends on goheap-gc; the module path is built from the explicit
 * modules on the class path). It is called with {@code depth threads} and must
 * <ol>
 *   <li>print binary-trees' reference output on stdout (other lines may come between; a gctrace is
 *       better on stderr);</li>
 *   <li>end with one line {@code RESULT {json}} holding {@code wallMillis} (the run, stretch tree to
 *       last check), {@code pauses} as {@code [[startNanos, lengthNanos], ...]} (every stop-the-world
 *       pause of the run, stop request to release, any one clock such as {@code System.nanoTime()}),
 *       {@code runStartNanos} and {@code runEndNanos} in that same clock (without them the run's
 *       place is guessed: pauses that all end within {@code wallMillis} are taken as timed from the
 *       run's start), and {@code jvmGcCount}/{@code jvmGcMillis} (the Java heap's collections during
 *       the run). Optional: {@code runStartEpochNanos}/{@code runEndEpochNanos} place the Java heap's
 *       own JFR pauses in the run; any other member is kept in the JSON file;</li>
 *   <li>exit with status 0.</li>
 * </ol>
 * Integers in the line are read exactly (as {@code long}).
 *
 * <h2>Arithmetic</h2>
 * {@link dev.goheap.jmh.trees.PauseFigures} computes MMU exactly from the merged pause intervals,
 * delegating to {@code dev.goheap.gc.pause.Mmu}, so the table and goheap's own figures use one
 * computation.
 */
package dev.goheap.jmh.trees;
