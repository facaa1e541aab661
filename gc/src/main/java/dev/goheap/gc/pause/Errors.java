package dev.goheap.gc.pause;

/** Builds the pause package's exceptions in one place, so their wording stays consistent (STYLE "Errors"). */
final class Errors {
    private Errors() {}

    static IllegalArgumentException bad(String what, Object value, String expected) {
        return new IllegalArgumentException(what + ": " + value + " (expected: " + expected + ")");
    }

    static IllegalArgumentException negativeLength(String what, long lengthNanos) {
        return bad(what, lengthNanos + " ns", ">= 0 ns; a pause or interval has no negative length");
    }

    static IllegalArgumentException endOverflows(String what, long startNanos, long lengthNanos) {
        return bad(what, startNanos + " + " + lengthNanos + " ns",
                "an end that fits in a long; times are System.nanoTime() values, not offsets from 0");
    }

    static IllegalArgumentException outOfOrder(long startNanos, long previousEndNanos) {
        return bad("startNanos", startNanos, ">= " + previousEndNanos
                + ", the end of the previous pause; pauses are recorded in order, at their release, and never"
                + " overlap");
    }

    static IllegalArgumentException beforeLastPause(long nowNanos, long lastEndNanos) {
        return bad("nowNanos", nowNanos, ">= " + lastEndNanos
                + ", the end of the last recorded pause; record each pause at its release, before asking for"
                + " the next budget");
    }

    static IllegalArgumentException emptyRange(String what, long fromNanos, long toNanos) {
        return bad(what, "[" + fromNanos + ", " + toNanos + ")", "from <= to");
    }

    static IllegalArgumentException emptyRun(long runStartNanos, long runEndNanos) {
        return bad("run", "[" + runStartNanos + ", " + runEndNanos + "]", "runStart < runEnd");
    }

    static IllegalArgumentException lengthMismatch(int starts, int lengths) {
        return bad("lengths.length", lengths, starts + ", as starts.length; pause i is (starts[i], lengths[i])");
    }

    static IllegalArgumentException notPositive(String what, long valueNanos) {
        return bad(what, valueNanos + " ns", "> 0 ns");
    }

    static IllegalStateException full(int count) {
        return new IllegalStateException("pause log: " + count + " pauses (expected: fewer than "
                + PauseLog.MAX_PAUSES + "; the log keeps every pause of the run)");
    }
}
