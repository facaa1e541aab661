package dev.goheap.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A C allocator's {@code malloc}, {@code calloc} and {@code free}, called through FFM downcalls.
 *
 * <p>Pointers cross the boundary as {@code long}s, declared {@code JAVA_LONG} rather than
 * {@code ADDRESS}: on LP64 (SysV x86-64, AArch64) a {@code void *} and a {@code size_t} travel in the
 * same integer registers, and a {@code long} return does not wrap the address in a
 * {@link MemorySegment} object. The comparison then measures the allocator and the downcall, not
 * the Java objects around it, and matches goheap's own {@code long} pointers.
 *
 * <p>This is a record on purpose: HotSpot trusts a record's final fields as constants, so when an
 * instance sits in a {@code static final} field the JIT folds the method handles and inlines the
 * downcall stubs, as it would for handles in {@code static final} fields. The downcalls are plain
 * ones (no {@code Linker.Option.critical}): the thread-state transition is part of what any FFM
 * user of malloc pays.
 *
 * <p><b>Thread safety:</b> as thread-safe as the C allocator (both glibc and jemalloc are).
 * <b>Ownership:</b> a pointer from {@link #malloc} or {@link #calloc} is freed with {@link #free}
 * of the same instance; nothing frees it otherwise.
 *
 * <p>Restricted methods ({@link Linker#downcallHandle}, {@link SymbolLookup#libraryLookup}) are
 * used here and in {@code dev.goheap.jmh.realtime} only, never in core or gc: the jmh module's
 * JVMs run with {@code --enable-native-access=ALL-UNNAMED}.
 */
public record NativeMalloc(String name, MethodHandle mallocHandle, MethodHandle callocHandle,
                           MethodHandle freeHandle) {

    /** glibc's allocator: the process's own {@code malloc}, from the linker's default lookup. */
    public static final NativeMalloc GLIBC = of("glibc", Linker.nativeLinker().defaultLookup());

    /** Debian's shared jemalloc library (package {@code libjemalloc2}), which exports unprefixed names. */
    public static final String JEMALLOC_LIBRARY = "libjemalloc.so.2";

    /** The tunable without which glibc refuses to dlopen() libjemalloc into a running JVM. */
    public static final String JEMALLOC_TUNABLE = "glibc.rtld.optional_static_tls=16384";

    /** Looks up {@code malloc}, {@code calloc} and {@code free} in {@code lookup}. */
    public static NativeMalloc of(String name, SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        return new NativeMalloc(name,
                linker.downcallHandle(find(lookup, name, "malloc"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG)),
                linker.downcallHandle(find(lookup, name, "calloc"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG)),
                linker.downcallHandle(find(lookup, name, "free"), FunctionDescriptor.ofVoid(JAVA_LONG)));
    }

    /**
     * jemalloc, or empty with {@link #jemallocUnavailableReason()} saying why. The library is loaded
     * once per JVM into {@link Arena#global()} and never unloaded: unloading a malloc is unsafe while
     * any pointer from it is alive, and the handles must sit in a {@code static final} field to be
     * inlined (see the class comment).
     */
    public static Optional<NativeMalloc> jemalloc() {
        return Optional.ofNullable(JemallocHolder.JEMALLOC);
    }

    /** Returns jemalloc or throws {@link IllegalStateException} with what to do about it. */
    public static NativeMalloc requireJemalloc() {
        NativeMalloc jemalloc = JemallocHolder.JEMALLOC;
        if (jemalloc == null) {
            throw new IllegalStateException(jemallocUnavailableReason());
        }
        return jemalloc;
    }

    /** Why {@link #jemalloc()} is empty, or {@code null} if it is not. */
    public static String jemallocUnavailableReason() {
        return JemallocHolder.FAILURE;
    }

    /** {@code malloc(byteSize)}: not zeroed; throws {@link OutOfMemoryError} on {@code NULL}. */
    public long malloc(long byteSize) {
        long address;
        try {
            address = (long) mallocHandle.invokeExact(byteSize);
        } catch (Throwable t) {
            throw new AssertionError("malloc downcall failed", t);
        }
        if (address == 0) {
            throw new OutOfMemoryError(name + " malloc: " + byteSize + " bytes");
        }
        return address;
    }

    /** {@code calloc(1, byteSize)}: zeroed, like goheap's allocate; {@link OutOfMemoryError} on {@code NULL}. */
    public long calloc(long byteSize) {
        long address;
        try {
            address = (long) callocHandle.invokeExact(1L, byteSize);
        } catch (Throwable t) {
            throw new AssertionError("calloc downcall failed", t);
        }
        if (address == 0) {
            throw new OutOfMemoryError(name + " calloc: " + byteSize + " bytes");
        }
        return address;
    }

    /** {@code free(address)}. */
    public void free(long address) {
        try {
            freeHandle.invokeExact(address);
        } catch (Throwable t) {
            throw new AssertionError("free downcall failed", t);
        }
    }

    private static MemorySegment find(SymbolLookup lookup, String library, String symbol) {
        return lookup.find(symbol).orElseThrow(
                () -> new IllegalStateException(library + ": symbol not found: " + symbol));
    }

    /** Loads jemalloc on first use, so a JVM that never asks for it never tries. */
    private static final class JemallocHolder {
        static final NativeMalloc JEMALLOC;
        static final String FAILURE;

        static {
            NativeMalloc jemalloc = null;
            String failure = null;
            try {
                jemalloc = of("jemalloc", SymbolLookup.libraryLookup(JEMALLOC_LIBRARY, Arena.global()));
            } catch (IllegalArgumentException | IllegalStateException e) {
                String tunables = System.getenv("GLIBC_TUNABLES");
                failure = JEMALLOC_LIBRARY + " could not be loaded (" + e.getMessage() + "): install Debian's"
                        + " libjemalloc2 (apt-get install libjemalloc2) and start the JVM with GLIBC_TUNABLES="
                        + JEMALLOC_TUNABLE + " (now: " + (tunables == null ? "unset" : tunables) + "),"
                        + " or leave jemalloc out with -e _jemalloc";
            }
            JEMALLOC = jemalloc;
            FAILURE = failure;
        }

        private JemallocHolder() {
        }
    }
}
