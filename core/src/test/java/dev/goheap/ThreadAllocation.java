package dev.goheap;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;

/**
 * The calling thread's Java-heap allocation so far ({@code com.sun.management.ThreadMXBean}), for
 * the tests of DESIGN decision 8 (nothing on the Java heap per operation); a JVM without the
 * counter aborts the test rather than failing it. By reflection: the core module does not read
 * {@code java.management}.
 */
public final class ThreadAllocation {
    private static final Method BYTES = method();
    private static final Object BEAN = bean();

    private ThreadAllocation() {}

    /** Returns the bytes the calling thread has allocated on the Java heap so far. */
    public static long bytes() {
        try {
            return (long) BYTES.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("reading the thread's allocation counter", e);
        }
    }

    private static Method method() {
        try {
            return Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static Object bean() {
        try {
            return Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Aborts the calling test if this JVM has no per-thread allocation counter. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(BYTES != null && BEAN != null, "no per-thread allocation counter in this JVM");
    }
}
