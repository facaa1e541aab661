package dev.goheap.gc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger of one cycle's mark work, in bytes marked by the drainers (Go's
 * {@code heapScanWork} and {@code bgScanCredit}): how much is done, for the assist ratio
 * ({@link Pacer#assistWorkPerByte}), and how much of the collector thread's part no assist has
 * claimed yet, which assisting goroutines take before they mark themselves.
 *
 * <p>Work counts the bytes the drainers mark while scanning (and the roots the collector
 * shades): the same unit as the expected work, the bytes marked by shading last cycle. Barrier
 * shades by mutators are not counted until they reach a drainer's count at termination; the
 * estimate errs towards more assisting, never less.
 *
 * <p><b>Thread safety:</b> atomic counters; added to once per drained batch, not per object.
 * {@link #reset} runs at mark start, before any drainer of the new cycle.
 */
final class MarkWork {
    private final AtomicLong doneBytes = new AtomicLong();
    private final AtomicLong backgroundCreditBytes = new AtomicLong();

    /** Mark start: a new cycle owes its whole work again, and old credit is void. */
    void reset() {
        doneBytes.set(0);
        backgroundCreditBytes.set(0);
    }

    /** The collector thread did {@code bytes} of work: it counts, and assists may claim it. */
    void addBackground(long bytes) {
        if (bytes != 0) {
            doneBytes.addAndGet(bytes);
            backgroundCreditBytes.addAndGet(bytes);
        }
    }

    /** An assist did {@code bytes} of work (already credited to its goroutine). */
    void addAssist(long bytes) {
        if (bytes != 0) {
            doneBytes.addAndGet(bytes);
        }
    }

    /** Returns this cycle's work so far. */
    long doneBytes() {
        return doneBytes.get();
    }

    /** Returns the unclaimed background credit (for tests and reports). */
    long backgroundCreditBytes() {
        return backgroundCreditBytes.get();
    }

    /**
     * Claims up to {@code wantedBytes} of the collector's unclaimed work; returns how much was
     * claimed (0 if none is left). Lock-free: a claim never takes more than is there.
     */
    long steal(long wantedBytes) {
        while (true) {
            long credit = backgroundCreditBytes.get();
            if (credit <= 0 || wantedBytes <= 0) {
                return 0;
            }
            long stolen = Math.min(credit, wantedBytes);
            if (backgroundCreditBytes.compareAndSet(credit, credit - stolen)) {
                return stolen;
            }
        }
    }
}
