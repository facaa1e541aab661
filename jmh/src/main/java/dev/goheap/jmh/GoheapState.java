package dev.goheap.jmh;

import dev.goheap.GoRuntime;
import dev.goheap.heap.Heap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One goheap runtime per trial, shared by every benchmark thread (the heap is shared, as in a
 * service; each thread still gets its own cache in front of it).
 *
 * <p><b>Ownership:</b> opened in {@code @Setup(Trial)}, checked with {@link Heap#verify()} and closed
 * in {@code @TearDown(Trial)}, when no benchmark thread runs any more.
 */
@State(Scope.Benchmark)
public class GoheapState {
    public GoRuntime runtime;
    public Heap heap;

    @Setup(Level.Trial)
    public void open() {
        runtime = GoRuntime.builder().build();
        heap = runtime.heap();
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            heap.verify();
        } finally {
            runtime.close();
        }
    }
}
