package dev.goheap.heap;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The objects one {@link HeapStress} state owns, and the checks its arbiter runs on them.
 *
 * <p>Why stamps: a state can only look at its own objects, yet the worst allocator bug hands
 * one pointer to two states at once. So every allocating actor writes a stamp unique to its
 * state (from {@link #nextIds}) into the first and last word of what it got, and the arbiter
 * checks the stamp is still there before freeing. Two owners of one object:
 * 1) state A's actor gets p and stamps it, 2) state B's actor gets p too and stamps it,
 * 3) A's arbiter reads B's stamp ("stamp overwritten"), or, if A's arbiter ran first and freed
 * p, B's arbiter finds p free ("not live", "free threw"). Step 3 turns a silent double
 * ownership into a FORBIDDEN outcome.
 *
 * <p>Checks are cheap and local: {@link Heap#verify()} must not run while other threads
 * allocate, and jcstress runs the arbiters of one half of the states while the other actor
 * thread runs the other half's (and builds new states), so no arbiter may call it.
 *
 * <p><b>Thread safety:</b> an {@link Allocation} is written by one actor and read by the
 * arbiter after jcstress's barrier; a {@link Victim} is made by the state's constructor, freed
 * by one actor and checked by the arbiter. {@link #nextIds} is thread-safe.
 */
final class StressObjects {
    /** What a victim holds before it is freed: an allocation that hands it out unzeroed shows it. */
    static final long POISON = 0xDEAD_BEEF_DEAD_BEEFL;

    private static final AtomicLong IDS = new AtomicLong();
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");

    private StressObjects() {}

    /** Returns the first of {@code count} ids no other caller gets; all are positive. */
    static long nextIds(int count) {
        return IDS.getAndAdd(count) + 1;
    }

    /** Returns the first non-null problem, or null: arbiters report the first thing that broke. */
    static String first(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /**
     * Returns {@code role: Exception: message} with pointers masked, so that one kind of failure
     * is one outcome row, not one row per address.
     */
    static String describe(String role, Throwable e) {
        String message = e.getMessage() == null ? "" : ": " + HEX.matcher(e.getMessage()).replaceAll("0x_");
        return role + ": " + e.getClass().getSimpleName() + message;
    }

    /** Where {@code p} lies relative to the freed object {@code victim} of {@code victimBytes}. */
    static String whereFrom(long p, long victim, long victimBytes) {
        if (p == victim) {
            return "reused";
        }
        // Same chunk and inside the freed bytes: the page heap split the freed run.
        return p - victim > 0 && p - victim < victimBytes ? "carved" : "fresh";
    }

    /** One allocation by one actor: allocate, check it came zeroed, stamp it. */
    static final class Allocation {
        final long byteSize;
        final long stamp;
        long p;             // actor, then arbiter
        boolean zeroed;     // actor, then arbiter
        RuntimeException thrown; // actor, then arbiter

        Allocation(long byteSize, long stamp) {
            this.byteSize = byteSize;
            this.stamp = stamp;
        }

        /** Actor side. Never throws: a failure is kept for the arbiter. */
        void run(Heap heap) {
            try {
                long q = heap.allocate(byteSize);
                p = q;
                long mid = (byteSize / 2) & ~7L;
                long last = byteSize - 8;
                zeroed = heap.getLong(q, 0) == 0 && heap.getLong(q, mid) == 0 && heap.getLong(q, last) == 0;
                heap.setLong(q, 0, stamp);
                heap.setLong(q, last, stamp);
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        /**
         * Arbiter side: returns null if the allocation gave a live, zeroed object of
         * {@code byteSize} bytes that still holds this allocation's stamp, else the problem.
         */
        String problem(Heap heap, String role) {
            if (thrown != null) {
                return describe(role + " allocate", thrown);
            }
            if (p == 0) {
                return role + ": nil";
            }
            if (!zeroed) {
                return role + ": not zeroed";
            }
            try {
                heap.checkPointer(p);
            } catch (IllegalArgumentException e) {
                return role + ": not live";
            }
            try {
                long size = heap.sizeOf(p);
                if (size != byteSize) {
                    return role + ": sizeOf " + size + " (expected: " + byteSize + ")";
                }
                if (heap.getLong(p, 0) != stamp || heap.getLong(p, byteSize - 8) != stamp) {
                    return role + ": stamp overwritten";
                }
            } catch (RuntimeException e) {
                return describe(role + " check", e);
            }
            return null;
        }

        /** Arbiter side: frees the object if there is one; returns the problem, or null. */
        String free(Heap heap, String role) {
            if (p == 0) {
                return null;
            }
            try {
                heap.free(p);
                return null;
            } catch (RuntimeException e) {
                return describe(role + " free", e);
            }
        }
    }

    /** An object the state's constructor allocates and poisons, for an actor to free. */
    static final class Victim {
        final long p;
        final long byteSize;
        RuntimeException thrown; // freeing actor, then arbiter

        Victim(Heap heap, long byteSize) {
            this.byteSize = byteSize;
            this.p = heap.allocate(byteSize);
            heap.setLong(p, 0, POISON);
            heap.setLong(p, (byteSize / 2) & ~7L, POISON);
            heap.setLong(p, byteSize - 8, POISON);
        }

        /** Actor side. Never throws: a failure is kept for the arbiter. */
        void free(Heap heap) {
            try {
                heap.free(p);
            } catch (RuntimeException e) {
                thrown = e;
            }
        }

        /** Arbiter side: the free's problem, or null; a victim whose free failed is freed here. */
        String problem(Heap heap, String role) {
            if (thrown == null) {
                return null;
            }
            try {
                heap.free(p); // do not leak it: states are made millions of times
            } catch (RuntimeException ignored) {
                // already reported below
            }
            return describe(role + " free", thrown);
        }
    }
}
