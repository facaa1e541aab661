/**
 * Pause accounting for the collector: the log of stop-the-world pauses, the scheduler that keeps
 * them within the bound, and minimum mutator utilisation (DESIGN decision 7). Everything here is
 * pure: times come in as {@link java.lang.System#nanoTime()} values from the caller, so tests run
 * on simulated time and nothing sleeps.
 *
 * <h2>The bound</h2>
 * With budget B and window W (a {@link dev.goheap.gc.pause.PauseBudget}; 10 ms and 50 ms by default):
 * <ul>
 *   <li>in every window of W wall-clock time, wherever it starts, the world is stopped for at
 *       most B in total;</li>
 *   <li>so no single pause is longer than B.</li>
 * </ul>
 * A pause counts from the stop request to the release: time-to-safepoint is part of it, and so is
 * a stop that is given up ({@link dev.goheap.gc.pause.PauseKind#ABORTED_STOP}).
 *
 * <h2>Structures</h2>
 * <pre>
 *   PauseLog        kinds[] starts[] lengths[]  (append-only, in order, never overlapping)
 *                   totals, max, HdrHistogram of lengths (p50 .. p999)
 *      |  snapshot(), last(256)                       |  stoppedNanosIn(a, b)
 *      v                                              v
 *   PauseSnapshot  --&gt;  Mmu (static; also takes plain arrays, e.g. JVM pauses from JFR)
 *                                                 PauseScheduler(log, PauseBudget)
 *                                                    budgetNanos(now), earliestStartNanos(now, len)
 * </pre>
 *
 * <h2>How the collector keeps the bound (each stop)</h2>
 * <ol>
 *   <li>{@code start = nanoTime()}; {@code budget = scheduler.budgetNanos(start)}, that is
 *       {@code min(B, B - stopped(start - W, start))}.</li>
 *   <li>If the budget is below the shortest useful pause, wait until
 *       {@code scheduler.earliestStartNanos(now, shortestUseful)} (marking goes on meanwhile) and
 *       go to 1.</li>
 *   <li>Request the stop with the deadline {@code start + budget}. If the world is not stopped by
 *       then, or the work is not done, release at the deadline and return to concurrent marking:
 *       the collector never overruns to finish.</li>
 *   <li>After the release, {@code log.record(kind, start, release - start)}.</li>
 * </ol>
 *
 * <h2>Why it holds</h2>
 * For any window, let P be the last pause intersecting it, started at t. Every other pause
 * intersecting the window ended by t and lies, as far as it is in the window, in
 * {@code [t - W, t)}; so the window's total is at most {@code stopped(t - W, t) + len(P)}, and
 * {@code len(P) <= budget(t) = B - stopped(t - W, t)} makes it at most B. The full argument is in
 * {@link dev.goheap.gc.pause.PauseScheduler}. It rests on two things the scheduler cannot check:
 * the collector cuts every pause at its deadline (step 3), and records it before the next budget
 * (step 4). The log checks that pauses come in order and do not overlap.
 *
 * <h2>MMU, two ways</h2>
 * Minimum mutator utilisation at window w ({@link dev.goheap.gc.pause.Mmu}): the smallest share of
 * any window of w, over the run, in which the mutator was not held up. The bound is exactly
 * {@code MMU(W) >= 1 - B/W} (0.8 by default). The runtime reports it two ways:
 * <ol>
 *   <li><b>Stopped only</b>: from the pause log. This is what the bound promises, and what the tests
 *       check with {@link dev.goheap.gc.pause.Mmu#maxStoppedInWindow}.</li>
 *   <li><b>With assists</b>: what a mutator feels. The collector records assist intervals in a
 *       second {@link dev.goheap.gc.pause.PauseLog} ({@code Collector.assists()}, kind
 *       {@link dev.goheap.gc.pause.PauseKind#ASSIST}, the same in-order, non-overlapping contract:
 *       for example an interval from the moment some goroutine starts assisting to the moment none
 *       is), and computes MMU over the stopped and the assist intervals together: {@code Mmu} merges
 *       overlaps, so time that is both counts once. This is the pessimistic view of a mutator that
 *       is held whenever any assist runs; the scheduler never reads the assist log, and assists are
 *       not bounded by B.</li>
 * </ol>
 * MMU for a curve of windows ({@link dev.goheap.gc.pause.Mmu#reportWindowsNanos}: 1 ms to 1 s) goes
 * into reports and the JMH harness, which computes the same curve for G1's and ZGC's pauses.
 *
 * <h2>Thread safety</h2>
 * {@code PauseLog} guards everything with one lock: one collector thread writes, any thread reads;
 * readers get copies. {@code PauseScheduler}, {@code PauseBudget}, {@code PauseSnapshot} and
 * {@code PauseRecord} hold no mutable state; {@code Mmu} is static. No lock here is held while
 * another is taken, so this package adds nothing to the runtime's lock order.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>The log keeps every pause (17 bytes each) rather than a ring: the run's MMU needs all of
 *       them, and pauses are few (a couple per cycle).</li>
 *   <li>Percentiles come from an HdrHistogram at 3 significant digits (within 0.1 %); the maximum
 *       and the totals are exact.</li>
 *   <li>The scheduler does not cut pauses: the collector owns the deadline, since only it can
 *       release the world.</li>
 * </ul>
 */
package dev.goheap.gc.pause;
