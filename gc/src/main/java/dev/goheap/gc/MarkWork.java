package dev.goheap.gc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger of one cycle's mark work, in bytes marked by shading (Go's {@code heapScanWork}
 * and {@code bgScanCredit}): how much is done, for the assist ratio
 * ({@link Pacer#assistWorkPerByte}), and how much of it no assist has claimed yet, which
 * assisting goroutines take before they mark themselves.
 *
 * <p>Work counts every byte marked by shading, whoever shades it: the same unit as the expected
 * work, all the bytes marked by shading last cycle. The collector thread's drains and root
 * shades ({@link #addBackground}), the assists' drains ({@link #addAssist}), and the mutators'
 * own shades: their write barriers and their stack scans ({@link #addMutator}, published when
 * the goroutine next refills a span during the mark, and at its stack scan). The shades of a
 * goroutine that does not allocate again before termination stay uncounted until then: the
 * ratio errs towards more assisting, never less. Work that is not an assist's is credit any
 * assist may claim: it is marking that nobody's allocation has paid for yet.
 *
 * <p><b>Thread safety:</b> atomic counters; added to once per drained batch, not per object.
 * {@link #reset} runs at mark start, before any drainer of the new cycle.
 */
final class MarkWork {
    private final AtomicLong doneBytes = new AtomicLong();
    private final AtomicLong backgroundCreditBytes = new AtomicLong();
    private final AtomicLong assistBytes = new AtomicLong();

    /** Mark start: a new cycle owes its whole work again, and old credit is void. */
    void reset() {
        doneBytes.set(0);
        backgroundCreditBytes.set(0);
        assistBytes.set(0);
    }

    /** The collector thread did {@code bytes} of work: it counts, and assists may claim it. */
    void addBackground(long bytes) {
        if (bytes != 0) {
            doneBytes.addAndGet(bytes);
            backgroundCreditBytes.addAndGet(bytes);
        }
    }

    /**
     * A goroutine's write barriers or stack scan marked {@code bytes}: it counts, and assists may
     * claim it (the goroutine that publishes it, first).
     */
    void addMutator(long bytes) {
        addBackground(bytes);
    }

    /** An assist did {@code bytes} of work (already credited to its goroutine). */
    void addAssist(long bytes) {
        if (bytes != 0) {
            doneBytes.addAndGet(bytes);
            assistBytes.addAndGet(bytes);
        }
    }

    /** Returns the part of this cycle's work that assists did. */
    long assistBytes() {
        return assistBytes.get();
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
