/**
 * Real-time stops: a {@link dev.goheap.sched.StopListener} that raises the threads a goheap stop
 * waits for to {@code SCHED_FIFO} from just before the stop's request to its release ({@link
 * dev.goheap.jmh.realtime.RealtimeStops}), the threads found by name ({@link
 * dev.goheap.jmh.realtime.StopThreads}), and the demo and the adversarial runs with it ({@link
 * dev.goheap.jmh.realtime.RealtimeBinaryTrees}, {@link
 * dev.goheap.jmh.realtime.RealtimeAdversarial}). Here rather than in gc because it calls the C
 * library through {@code Linker}, a restricted method (DESIGN decision 1 keeps core and gc free
 * of them); the jmh module's JVMs run with {@code --enable-native-access=ALL-UNNAMED}.
 */
package dev.goheap.jmh.realtime;
