package dev.goheap.jmh.realtime;

import dev.goheap.demo.BinaryTrees;

/**
 * goheap's demo ({@link BinaryTrees}, the same arguments) with {@link RealtimeStops}: the threads a
 * stop waits for at real-time priority from each stop's request to its release. Run with {@code
 * --enable-native-access=ALL-UNNAMED}, as root or with {@code CAP_SYS_NICE} or {@code ulimit -r 2}
 * (README, "Collector figures"; {@code jmh/compare-collectors.sh} runs it as the {@code goheap-rt}
 * row).
 */
public final class RealtimeBinaryTrees {
    private RealtimeBinaryTrees() {}

    public static void main(String[] args) throws InterruptedException {
        try (RealtimeStops stops = RealtimeStops.startOrExit()) {
            BinaryTrees.runWith(stops, args);
        }
    }
}
