/**
 * Support for goheap's JMH suite, which compares goheap with the allocators a Java program could use
 * instead, side by side in one run. The benchmarks themselves sit in the package they exercise
 * ({@code dev.goheap.heap}: {@code HeapAllocFreeBenchmark}, {@code HeapAllocFreeTwoThreadsBenchmark},
 * {@code HeapCrossThreadBenchmark}). The collector comparison (binary-trees under G1, ZGC,
 * Parallel and goheap; {@code jmh/compare-collectors.sh}) is in {@link dev.goheap.jmh.trees}.
 *
 * <h2>Running</h2>
 * <pre>
 *   jmh/compare-allocators.sh                        # the whole comparison (~15 min on 2 cores) + ratio table
 *   jmh/compare-allocators.sh -p size=00064          # one size
 *   jmh/compare-allocators.sh --table-only [file]    # reprint the table of an earlier run
 *   ./mvnw -Pjmh -pl jmh -am verify -DskipTests -Djmh.args="HeapAllocFree -p size=00064 -prof gc"
 * </pre>
 * The {@code jmh} profile runs {@code java -jar target/benchmarks.jar ${jmh.args}} through
 * exec-maven-plugin with the JDK 22+ that the toolchains plugin selected (Maven itself may run on an
 * older JDK), with {@code GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384} in the environment
 * (JMH's forks inherit it; Debian's jemalloc cannot be dlopen()ed into a JVM without it). With
 * {@code -Djmh.table.skip=false -Djmh.table.file=result.json} it then prints {@link
 * dev.goheap.jmh.RatioTable}.
 *
 * <h2>The anchors, and what makes the comparison fair</h2>
 * <ol>
 *   <li><b>Same work.</b> Each method allocates one block of the {@code size} parameter and frees it
 *       (or hands it to the consumer thread, which frees it). goheap, {@code calloc}, {@code Arena}
 *       and {@code byte[]} return zeroed memory; {@code malloc}, jemalloc and Netty do not: compare
 *       goheap with {@code calloc} too.</li>
 *   <li><b>Same calling cost.</b> malloc and jemalloc are called through plain FFM downcalls whose
 *       method handles the JIT sees as constants ({@link dev.goheap.jmh.NativeMalloc}); pointers
 *       travel as {@code long}s like goheap's, so no Java object is made per call.</li>
 *   <li><b>Netty in two labelled configurations</b> (leak detection off in both):
 *       {@code nettyDefault} is Netty 4.2 as it runs on JDK 25 by default (no {@code sun.misc.Unsafe},
 *       no per-thread cache for threads that are not Netty's); {@code nettyUnsafe} adds
 *       {@code --sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false
 *       -Dio.netty.allocator.useCacheForAllThreads=true} (see {@link dev.goheap.jmh.ForkArgs}). Each
 *       fork prints a {@code netty:} line that shows which one it really ran.</li>
 *   <li><b>The Java heap is fixed and pre-touched</b> (512 MiB) in every fork: touching fresh pages
 *       costs microseconds on these VMs, which would otherwise land in {@code byte[]}'s score.</li>
 *   <li><b>Zero garbage for goheap.</b> Run with {@code -prof gc}: {@code gc.alloc.rate.norm}
 *       should be about 0 B/op on every goheap path (DESIGN decision 8).</li>
 * </ol>
 *
 * <h2>Restricted methods</h2>
 * {@link dev.goheap.jmh.NativeMalloc} is the one place in goheap that calls restricted methods
 * ({@code Linker.downcallHandle}, {@code SymbolLookup.libraryLookup}); every fork runs with
 * {@code --enable-native-access=ALL-UNNAMED}. goheap itself ({@code core}, {@code gc}) uses none.
 */
package dev.goheap.jmh;
