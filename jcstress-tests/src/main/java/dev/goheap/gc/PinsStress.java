package dev.goheap.gc;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/*
 * Races on the pin table (Collector.pin, cgo's handles) while the collector marks: a pin is a
 * root, so pinning and unpinning during the mark shade the object (Pins' class note), because
 * the collector's scan of the table may come before or after either.
 *
 *   ./mvnw -Pjcstress -pl jcstress-tests -am verify -Djcstress.tests=PinsStress
 *
 * Both tests run with the heap's write barrier OFF, so that only the pin table's own shading
 * can keep the object: with it on, the barrier would hide a pin or unpin that forgot to shade
 * (GcStress.LostObjectWithoutBarrier shows that a race of this shape, unshaded, loses X). The
 * collector's steps are driven by hand on a heap per state, as in GcStress (its Cycle class).
 */
public final class PinsStress {
    private PinsStress() {}

    @JCStressTest
    @Description("Marking: a mutator takes white X out of grey G and pins it (read G.ref, pin X, "
            + "G.ref = nil, no write barrier) while the marker scans G. If the scan comes after the "
            + "clear, only the pin's shade keeps X.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The scan saw X in G; X marked, survives, still pinned.")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The scan saw G.ref already nil; the pin shaded X.")
    @Outcome(expect = FORBIDDEN, desc = "X lost (unmarked, or freed by the sweep while pinned), a stray "
            + "value (r1 = 2), or an exception (-1 mutator, -2 marker, -3 arbiter).")
    @State
    public static class PinWhileMarking extends GcStress.LostObjectGraph {
        final Pins pins = new Pins();
        long handle; // mutator, then arbiter

        public PinWhileMarking() {
            super(false);
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                long p = c.heap.readPointer(g, GcStress.REF);
                handle = pins.pin(c.heap, p, c.barrier); // CycleRunner passes the barrier while marking
                c.heap.writePointer(g, GcStress.REF, 0);
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Actor
        public void marker(III_Result r) {
            try {
                r.r1 = scanGrey();
            } catch (RuntimeException e) {
                r.r1 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            int mutatorFailed = r.r3;
            try {
                c.drainGrey();
                r.r2 = c.gc.isMarked(x) ? 1 : 0;
                c.terminate();
                c.gc.finishSweep();
                r.r3 = mutatorFailed < 0 ? mutatorFailed : c.alive(x) && pins.get(handle) == x ? 1 : 0;
            } catch (RuntimeException e) {
                r.r2 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }

    @JCStressTest
    @Description("Marking: X is reachable only through a pin made before the mark. A mutator unpins X "
            + "and stores it into black H (no write barrier) while the collector scans the pin table "
            + "(the roots). If the unpin comes first, the scan misses X: only the unpin's shade keeps it.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "X marked and survives, H points to it, no pin left.")
    @Outcome(expect = FORBIDDEN, desc = "X lost (r1 = 0: unmarked; r2 = 0: freed or H changed), the pin "
            + "table still counting it (r3 = 0), or an exception (-1 mutator, -2 root scan, -3 arbiter).")
    @State
    public static class UnpinVsRootScan {
        final GcStress.Cycle c = new GcStress.Cycle();
        final Pins pins = new Pins();
        final long h = c.heap.newObject(GcStress.CELL);
        final long x = c.heap.newObject(GcStress.CELL);
        final long handle = pins.pin(c.heap, x, null); // before the mark: no shade

        public UnpinVsRootScan() {
            c.startMark(false);
            c.gc.mark(h); // black: its one field is nil, nothing to scan
        }

        @Actor
        public void mutator(III_Result r) {
            try {
                long p = pins.unpin(handle, c.barrier);
                c.heap.writePointer(h, GcStress.REF, p);
            } catch (RuntimeException e) {
                r.r3 = -1;
            }
        }

        @Actor
        public void rootScan(III_Result r) {
            try {
                pins.forEach(c.barrier::shade); // CycleRunner.markRoots
            } catch (RuntimeException e) {
                r.r3 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            int failed = r.r3;
            try {
                c.drainGrey();
                r.r1 = c.gc.isMarked(x) ? 1 : 0;
                c.terminate();
                c.gc.finishSweep();
                r.r2 = c.alive(x) && c.heap.readPointer(h, GcStress.REF) == x ? 1 : 0;
                r.r3 = failed < 0 ? failed : pins.count() == 0 ? 1 : 0;
            } catch (RuntimeException e) {
                r.r1 = -3;
            } finally {
                c.sweepVerifyClose();
            }
        }
    }
}
