package dev.goheap.jmh.realtime;

import dev.goheap.demo.Adversarial;

/**
 * goheap's adversarial runs ({@link Adversarial}, the same arguments: {@code [case|all [scale
 * [seconds]]]}) with {@link RealtimeStops} on each runtime. Run with {@code
 * --enable-native-access=ALL-UNNAMED}, as root or with {@code CAP_SYS_NICE} or {@code ulimit -r 2}
 * ({@code ./mvnw -q -Prealtime-demo -pl jmh -am verify -Drealtime.main=dev.goheap.jmh.realtime.RealtimeAdversarial
 * -Ddemo.args="all 1 5"}).
 */
public final class RealtimeAdversarial {
    private RealtimeAdversarial() {}

    public static void main(String[] args) throws InterruptedException {
        try (RealtimeStops stops = RealtimeStops.startOrExit()) {
            Adversarial.runWith(stops, args);
        }
    }
}
