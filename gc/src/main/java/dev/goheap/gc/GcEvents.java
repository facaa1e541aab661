package dev.goheap.gc;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The collector's JFR events, so that its pauses and phases show up in JDK Mission Control next
 * to the JVM's own GC. Each is committed by the collector thread, except {@link Assist}, which
 * the assisting goroutine commits; disabled events cost a check.
 */
final class GcEvents {
    private GcEvents() {}

    /** One stop-the-world pause, from the stop request to the release. */
    @Name("dev.goheap.GcPause")
    @Label("goheap GC Pause")
    @Category({"goheap", "GC"})
    @Description("A stop-the-world pause of goheap's collector, time to safepoint included")
    @StackTrace(false)
    static final class Pause extends Event {
        @Label("Cycle")
        long cycle;
        @Label("Kind")
        String kind;
        @Label("Completed")
        @Description("False if the pause was cut at its budget and the world resumed")
        boolean completed;
        @Label("Length")
        @Description("From the stop request to the release, as in the pause record; the event's own duration"
                + " also covers the collector thread's way to the request and back")
        @Timespan
        long length;
        @Label("Time to Safepoint")
        @Timespan
        long timeToSafepoint;
        @Label("Last Goroutine")
        @Description("The goroutine the stop found safe last")
        long lastGoroutine;
        @Label("Its State at the Request")
        String lastState;
        @Label("It Arrived")
        @Description("From the stop request to its safepoint (or to being held, if it was parked)")
        @Timespan
        long lastArrived;
        @Label("Stack Sample")
        @Description("Where a late goroutine was (only with -Dgoheap.sched.sampleStopsAfterMicros)")
        String stackSample;
    }

    /** A concurrent phase of a cycle (mark or sweep). */
    @Name("dev.goheap.GcPhase")
    @Label("goheap GC Phase")
    @Category({"goheap", "GC"})
    @StackTrace(false)
    static final class Phase extends Event {
        @Label("Cycle")
        long cycle;
        @Label("Phase")
        String phase;
    }

    /** One mutator assist: a goroutine that allocated while the collector marked, marking in its stead. */
    @Name("dev.goheap.GcAssist")
    @Label("goheap GC Assist")
    @Category({"goheap", "GC"})
    @Description("A goroutine marking to pay for its allocation during a cycle: mutator time lost, not a stop")
    @StackTrace(false)
    static final class Assist extends Event {
        @Label("Cycle")
        long cycle;
        @Label("Debt")
        @Description("The mark work the goroutine owed when it started")
        @DataAmount
        long debtBytes;
        @Label("Work")
        @Description("The bytes it marked")
        @DataAmount
        long workBytes;
        @Label("Objects Scanned")
        long objects;
    }

    /** A whole cycle, with the heap before and after. */
    @Name("dev.goheap.GcCycle")
    @Label("goheap GC Cycle")
    @Category({"goheap", "GC"})
    @StackTrace(false)
    static final class Cycle extends Event {
        @Label("Cycle")
        long cycle;
        @Label("Forced")
        boolean forced;
        @Label("Heap Before")
        @DataAmount
        long heapBeforeBytes;
        @Label("Heap Marked")
        @DataAmount
        long markedBytes;
        @Label("Heap Goal")
        @DataAmount
        long goalBytes;
    }
}
