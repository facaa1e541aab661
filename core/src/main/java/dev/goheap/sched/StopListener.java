package dev.goheap.sched;

/**
 * Told just before a stop of the world is requested and once it is released, for scheduling
 * the machine around the pause. goheap's use: the threads a stop waits for run at real-time
 * priority from just before the request to the release, so that no other thread (the JIT's
 * compiler threads above all) takes their CPU inside a pause ({@code
 * dev.goheap.jmh.realtime.RealtimeStops} in the jmh module, which needs {@code Linker}, a
 * restricted method that core and gc do without: DESIGN decision 1).
 *
 * <p>Each {@link #beforeStop()} is followed by exactly one {@link #afterRelease()} before the
 * next stop's {@code beforeStop}: after a completed stop, a stop that missed its deadline and a
 * stop whose work a goroutine ran alike. Handshakes are not stops and call neither.
 *
 * <p><b>Thread safety:</b> the calls come one at a time (a stop's operator holds the
 * operation from before the first call to after the second), each seeing what the one before it
 * wrote. {@link #beforeStop()} runs on the operator's thread (the collector's), holding no lock,
 * before the stop's start time is taken: the world still runs, and its time is not the pause's.
 * {@link #afterRelease()} runs under the safepoints' lock on the releasing thread: the operator,
 * or the goroutine that ran the stop's posted work and released the world; the world runs
 * again by then (after an abandoned stop, since the abandon: package-info "Abandon"). Keep both
 * to a few system calls: never block, never use the runtime (no allocation, no safepoint, no
 * stop). Neither should throw; if one does, the stop goes on as if it had returned and the
 * first such exception is kept ({@link Safepoints#stopListenerFailure()}).
 */
public interface StopListener {
    /**
     * A stop is about to be requested: called on the operator's thread before any goroutine is
     * asked to stop, holding no lock.
     */
    void beforeStop();

    /**
     * The world runs again: called under the safepoints' lock on the releasing thread, after
     * every stopped goroutine was released and woken and after the release time was taken.
     */
    void afterRelease();
}
