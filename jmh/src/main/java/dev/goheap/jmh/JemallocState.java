package dev.goheap.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Guards the jemalloc benchmarks: if {@code libjemalloc.so.2} cannot be loaded, the trial stops at
 * once with a message that says what to install and which environment the JVM needs, and JMH goes
 * on with the next benchmark. (compare-allocators.sh leaves jemalloc out before it comes to that.)
 */
@State(Scope.Benchmark)
public class JemallocState {
    public NativeMalloc jemalloc;

    @Setup(Level.Trial)
    public void load() {
        jemalloc = NativeMalloc.requireJemalloc();
    }
}
