package dev.goheap.heap;

/**
 * Frees into an owned span by threads that do not own it (package-info, "Why the fast path
 * needs no lock"): only the owner writes the span's {@code allocBits}, so another thread parks
 * its free in {@code remoteFreeBits} under the central lock, and the parked frees become free
 * slots under that lock when the owner's span runs out, when the span goes back to its central
 * list, or when it is swept. The state is {@link Span}'s {@code remoteFreeBits} and
 * {@code remoteFreeCount}.
 */
final class RemoteFrees {
    private RemoteFrees() {}

    /** Under the central lock, owned span: records a free from another thread; false if double. */
    static boolean park(Span s, int slot) {
        int w = slot >>> 6;
        long mask = 1L << slot;
        if (!s.isAllocated(slot) || (s.remoteFreeBits[w] & mask) != 0) {
            return false;
        }
        s.remoteFreeBits[w] |= mask;
        s.remoteFreeCount = s.remoteFreeCount + 1;
        return true;
    }

    /**
     * Under the central lock, by the owner or for an unowned span: turns parked remote frees into
     * free slots.
     */
    static void merge(Span s) {
        if (s.remoteFreeCount == 0) {
            return;
        }
        long[] remoteFreeBits = s.remoteFreeBits;
        long[] allocBits = s.allocBits;
        int merged = 0;
        for (int w = 0; w < remoteFreeBits.length; w++) {
            long parked = remoteFreeBits[w];
            if (parked != 0) {
                // Count only bits that are still set: a racing double free by the owner (a data
                // race in the caller) must not make allocCount drift.
                merged += Long.bitCount(parked & allocBits[w]);
                allocBits[w] &= ~parked;
                remoteFreeBits[w] = 0;
                if (w < s.freeWord) {
                    s.freeWord = w;
                }
            }
        }
        s.allocCount -= merged;
        s.frees += merged;
        s.remoteFreeCount = 0;
    }
}
