/**
 * goheap's collector: concurrent tri-colour mark-sweep with pauses bounded by a budget (Go's
 * {@code mgc.go}, {@code mbarrier.go}, {@code mgcpacer.go}, {@code mgcsweep.go}).
 *
 * <h2>Names</h2>
 * <pre>
 *   Go                      goheap
 *   gcStart / STW sweep term {@code CycleRunner} step 1-2, {@code HeapForGc.startMark}
 *   gcDrain, work.full       {@code Marker}, {@code WorkQueue}
 *   scanobject, greyobject   {@code HeapForGc.Scanner} (core's {@code MarkScan}: a batch at a time)
 *   gcAssistAlloc, bgScanCredit {@code Assists}, {@code MarkWork}
 *   gcParkAssist, assistQueue {@code AssistParks}, {@code AssistQueue}
 *   wbBuf, shade             {@code GreyBuffer}, {@code Barrier.shade}
 *   gcMarkDone/Termination   {@code CycleRunner} step 4, {@code HeapForGc.finishMark}
 *   sweepgen, bgsweep        {@code CycleState} (core), {@code HeapForGc.sweepSome}
 *   gcControllerState        {@code Pacer}
 *   work.cycles, gcWaitOnMark {@code CycleSequence} (forced cycles, {@code Collector.gc})
 *   (none: Go has no bound)  {@code Pauses}, {@code dev.goheap.gc.pause.PauseScheduler}
 *   runtime.MemStats         {@link dev.goheap.gc.MemStats}
 *   cgo.Handle               {@link dev.goheap.gc.Collector#pin}
 *   (sysMap ahead of need)   {@code SpareChunks}, {@code HeapForGc.prepareSpareChunk}
 *   entersyscall (mmap)      {@code MutatorHooks.whileParked} (a goroutine maps a chunk parked)
 *   mallocgc's GC hooks      {@code MutatorHooks} (poll, assist charge, trigger, heap limit)
 * </pre>
 *
 * <h2>Colours</h2>
 * White: mark bit clear. Grey: mark bit set, fields not scanned yet (in a {@code GreyBuffer} or
 * the {@code WorkQueue}). Black: mark bit set, fields scanned (or no pointer fields: noscan
 * objects are black as soon as they are marked). Mark bits live in span metadata
 * ({@code Span.markBits}, one bit per slot), set with atomic bit operations by the marker, the
 * write barriers and allocate-black.
 *
 * <h2>A cycle (on the collector thread; see {@code CycleRunner})</h2>
 * <ol>
 *   <li><b>Sweep termination</b> (concurrent): every span of the last cycle is swept.</li>
 *   <li><b>Mark start</b> (pause): allocate-black and the write barrier on.</li>
 *   <li><b>Concurrent mark</b>: shade the {@code data} segment's pointer slots and the pins;
 *       a handshake has every running goroutine scan its own stack at its next safepoint (the
 *       collector scans the stacks of parked goroutines, holding them parked); drain the grey
 *       set. Goroutines that allocate meanwhile assist when allocation outruns marking: they
 *       drain grey objects too (see "Assists").</li>
 *   <li><b>Mark termination</b> (pause): move the mutators' grey buffers to the queue and drain it
 *       within the pause budget. If it does not fit, resume the world and go back to concurrent
 *       marking (never overrun). Else the barrier goes off and a new sweep generation begins:
 *       every span in use becomes unswept at once, and the spans in thread caches are swept
 *       right here, so allocation never takes a slot from an unswept span.</li>
 *   <li><b>Sweep</b> (concurrent, lazy): a cache that needs a span sweeps unswept ones of its
 *       class first; the collector sweeps the rest in the background. Freed slots go back to
 *       their span, empty spans to the page heap, whole free chunks to the OS (the scavenger).</li>
 * </ol>
 * Between these steps, and between batches of concurrent marking and of sweeping (never inside
 * a pause), the collector maps the heap's spare chunk when the heap asks for one ({@code
 * SpareChunks}), so that a goroutine that grows the heap does not zero-fill 4 MiB in the middle
 * of an allocation while a stop waits for it.
 *
 * <h2>The barrier</h2>
 * See {@code Barrier}: while marking, every pointer store through the API shades the old and
 * the new value (both halves of Go's hybrid barrier, unconditionally: a frame pop has no
 * barrier, so the insertion half cannot depend on whether the stack is scanned yet).
 *
 * <h2>Roots and the mutator contract (DESIGN decision 3)</h2>
 * Roots are the pointer slots of live frames, of the {@code data} segment, and pins. A pointer
 * only in a Java local is valid until its goroutine's next safepoint (allocation, push, pop,
 * explicit poll). With a collector running, only goroutines may use the heap: a thread that is
 * not one is refused its first thread cache and its first barrier buffer
 * ({@link java.lang.IllegalStateException}).
 *
 * <h2>The pause bound</h2>
 * Every pause counts from the stop request to the release, time to safepoint included, and is
 * recorded ({@link dev.goheap.gc.Collector#pauses}). Before each pause the scheduler computes
 * the longest pause that keeps every window within budget given the recorded past; the stop
 * gets a quarter of it to reach the safepoints (half after three aborted stops in a row; else
 * it is abandoned and retried later), the
 * work runs until half of it, and the other half is kept in reserve for a release that comes
 * late because the collector thread lost its CPU; termination work that does not fit is
 * abandoned, not finished late. See {@code dev.goheap.gc.pause} for the proof and for MMU.
 *
 * <h2>Pacing</h2>
 * See {@code Pacer}: the goal is {@code marked * (1 + GOGC/100)} (at least 4 MiB * GOGC/100),
 * capped by the soft memory limit. The trigger adapts, as Go's since 1.18: each mark's end
 * measures the bytes the mutators allocated per byte of mark work done without assists
 * (cons/mark, in wall time: the collector is one thread on a CPU of its own, its share
 * observed rather than set), and the next cycle starts that many bytes per byte of expected
 * work before the goal (the largest ratio of the last five cycles), between 25 % and 95 % of
 * the way from the marked bytes to the goal; the first cycle starts at 70 %. The collector
 * compares the trigger with the bytes in use only once the last cycle's spans are swept. At
 * the heap limit, an allocation forces a whole cycle and retries once before
 * {@link dev.goheap.OutOfHeapMemoryException}.
 *
 * <h2>Assists</h2>
 * See {@code Assists}: while marking, the heap charges each goroutine's allocation at span refill
 * and large allocation (never per object) to an assist debt, converted to mark work at Go's ratio
 * (remaining mark work over remaining distance to the goal, {@code Pacer.assistWorkPerByte}).
 * The debt is paid from unclaimed work first (the collector thread's, and the shades of the
 * goroutines' write barriers and stack scans, which count as mark work: {@code MarkWork}), else
 * by draining grey objects for at most {@link dev.goheap.gc.GcConfig#maxAssist} (200 us by
 * default) per assist,
 * with no heap lock held and no safepoint inside. Several drainers share the grey set: a taken
 * batch counts as held until its drainer has handed back what it greyed ({@code WorkQueue}), so
 * the collector never reports the grey set empty while an assist holds work, and mark
 * termination, with the world stopped, finds no held batch (checked). Assists are mutator time
 * lost, not stops: the pause bound ignores them, {@link dev.goheap.gc.MemStats} counts them,
 * {@link dev.goheap.gc.Collector#assists} records their busy periods, and
 * {@link dev.goheap.gc.Collector#mutatorUtilisation} reports MMU with and without them.
 * Once the heap is past the goal, an assist that finds the grey set dry with debt left makes its
 * goroutine wait, parked at its next allocation's poll (a safepoint: stops do not wait for it),
 * until the collector's credit covers the debt ({@code AssistQueue}, flushed at every batch the
 * collector drains), the cycle ends or the collector stops, at most 10 ms (Go's
 * {@code gcParkAssist}), so the heap stays within the hard goal.
 */
package dev.goheap.gc;
