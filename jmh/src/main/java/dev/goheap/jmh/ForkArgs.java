package dev.goheap.jmh;

/**
 * JVM options for the benchmark forks, as compile-time constants so that {@code @Fork} annotations
 * can list them.
 *
 * <p>Options given in a {@code @Fork(jvmArgsAppend = ...)} are replaced, not extended, by a
 * command-line {@code -jvmArgsAppend}: pass extra options with {@code -jvmArgs} instead (which
 * replaces only the options inherited from the host JVM).
 */
public final class ForkArgs {
    /** Downcalls to malloc and jemalloc are restricted methods. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** A fixed, pre-touched Java heap: touching a fresh page costs microseconds on these VMs. */
    public static final String HEAP_MIN = "-Xms512m";
    public static final String HEAP_MAX = "-Xmx512m";
    public static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";
    /**
     * Netty's leak detector samples one buffer in 128 and wraps it: debugging cost, not allocator
     * cost, so both Netty configurations turn it off (as Netty's own microbenchmarks do).
     */
    public static final String NETTY_NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    /** The "nettyUnsafe" configuration: sun.misc.Unsafe allowed (JDK 23+ option) and used ... */
    public static final String UNSAFE_MEMORY_ACCESS_ALLOW = "--sun-misc-unsafe-memory-access=allow";
    public static final String NETTY_USE_UNSAFE = "-Dio.netty.noUnsafe=false";
    /** ... and a per-thread cache for every thread, not only for Netty's FastThreadLocalThreads. */
    public static final String NETTY_CACHE_FOR_ALL_THREADS = "-Dio.netty.allocator.useCacheForAllThreads=true";

    private ForkArgs() {
    }
}
