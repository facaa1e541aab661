package dev.goheap.gc;

import dev.goheap.fixed.FixedSegments;
import dev.goheap.sched.HandshakeResult;
import dev.goheap.sched.MutatorAction;
import dev.goheap.sched.Safepoints;
import dev.goheap.stack.PointerSlotVisitor;
import java.util.function.BooleanSupplier;

/**
 * The roots' shading at the start of concurrent marking ({@link CycleRunner} step 3, Go's
 * {@code markroot}): the data segment's pointer slots and the pins, shaded by the collector, and
 * every goroutine's stack, scanned at a handshake by the goroutine itself (which may shrink its
 * stack there, as Go does at a stack scan) or, while it is parked, by the collector.
 *
 * <p><b>Thread safety:</b> {@link #markRoots} on the collector thread only; the handshake's
 * action runs on goroutines too, each through its own grey buffer.
 */
final class RootMarking {
    /** How long a stack-scan handshake waits for slow goroutines before the collector marks meanwhile. */
    static final long HANDSHAKE_SLICE_NANOS = 10_000_000;

    private final FixedSegments data;
    private final Pins pins;
    private final Safepoints safepoints;
    private final Barrier barrier;
    private final Marker marker;
    private final MutatorAction scanStack;

    RootMarking(FixedSegments data, Pins pins, Safepoints safepoints, Barrier barrier, Marker marker, MarkWork markWork) {
        this.data = data;
        this.pins = pins;
        this.safepoints = safepoints;
        this.barrier = barrier;
        this.marker = marker;
        PointerSlotVisitor stackSlotShader = (handle, offset, value) -> barrier.shade(value);
        this.scanStack = g -> {
            g.forEachStackPointerSlot(stackSlotShader);
            g.shrinkStackIfOwner(); // Go shrinks stacks at their scan; only the owner may move its stack
            barrier.flushCurrent();
            markWork.addMutator(barrier.buffer().takeUnpublishedBytes()); // the scan's work counts now
        };
    }

    /**
     * Shades every root but the stacks' here, then has every goroutine's stack scanned; while
     * slow goroutines keep the handshake from completing, drains the grey set between its slices.
     *
     * @throws CycleAbandonedException if {@code givingUp} turns true while goroutines are still
     *     unscanned (the collector is closing)
     */
    void markRoots(BooleanSupplier givingUp) {
        data.forEachPointerSlot(offset -> barrier.shade(data.readPointerAcquireAt(offset)));
        pins.forEach(barrier::shade);
        HandshakeResult r = safepoints.handshakeReport(scanStack, System.nanoTime() + HANDSHAKE_SLICE_NANOS);
        while (!r.isComplete()) {
            if (givingUp.getAsBoolean()) {
                throw new CycleAbandonedException("stack-scan handshake");
            }
            marker.drain(System.nanoTime() + HANDSHAKE_SLICE_NANOS); // mark meanwhile, then ask the slow ones again
            r = safepoints.handshakeReport(r.notDone(), scanStack, System.nanoTime() + HANDSHAKE_SLICE_NANOS);
        }
    }
}
