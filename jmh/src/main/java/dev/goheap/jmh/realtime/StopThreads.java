package dev.goheap.jmh.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the threads of this process that a goheap stop waits for, by name, in {@code
 * /proc/self/task}: the carriers of virtual threads (goroutines run there) and the collector's
 * thread. Linux gives each thread's name as {@code comm}, its first 15 bytes; a pool numbered 10
 * or more is cut to its number's first digits there, so its prefix may also match a later pool.
 *
 * <p><b>Thread safety:</b> stateless; {@link #scan} may be called from any thread.
 */
final class StopThreads {
    /**
     * The names' beginnings when the virtual threads' scheduler cannot be told: any pool's
     * workers ({@code ForkJoinPool-N-worker-M}; the common pool's, {@code
     * ForkJoinPool.commonPool-worker-M}, do not match) and goheap's collector thread.
     */
    static final List<String> DEFAULT_PREFIXES = List.of("ForkJoinPool-", "goheap-gc");
    /** Linux keeps a thread's name to 15 bytes ({@code TASK_COMM_LEN} 16 with its NUL). */
    static final int COMM_LENGTH = 15;

    private final Path tasks;
    private final List<String> prefixes;

    StopThreads(Path tasks, List<String> prefixes) {
        this.tasks = tasks;
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * This process's carriers of virtual threads (the pool that a virtual thread started here
     * runs on, not any other pool's workers) and goheap's collector thread.
     */
    static StopThreads ofThisProcess() {
        String carrier = carrierPrefix(carrierName());
        return new StopThreads(Path.of("/proc/self/task"), List.of(carrier, "goheap-gc"));
    }

    /**
     * Returns the comm prefix of a carrier named {@code carrierName} ({@code
     * ForkJoinPool-1-worker-1} gives {@code ForkJoinPool-1-}, cut to {@link #COMM_LENGTH}), or
     * {@code ForkJoinPool-} if the name is not a pool worker's.
     */
    static String carrierPrefix(String carrierName) {
        int worker = carrierName == null ? -1 : carrierName.indexOf("-worker-");
        if (worker < 0 || !carrierName.startsWith("ForkJoinPool-")) {
            return DEFAULT_PREFIXES.get(0);
        }
        String prefix = carrierName.substring(0, worker + 1);
        return prefix.length() > COMM_LENGTH ? prefix.substring(0, COMM_LENGTH) : prefix;
    }

    /**
     * The name of the carrier a virtual thread runs on, from the virtual thread's {@code
     * toString()} ({@code VirtualThread[#22]/runnable@ForkJoinPool-1-worker-1}), or null.
     */
    static String carrierName() {
        String[] seen = new String[1];
        try {
            Thread.ofVirtual().start(() -> seen[0] = Thread.currentThread().toString()).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        int at = seen[0] == null ? -1 : seen[0].lastIndexOf('@');
        return at < 0 ? null : seen[0].substring(at + 1);
    }

    /**
     * Returns the ids of the threads whose name begins with one of the prefixes, in directory
     * order. A thread that ends while listed is left out.
     *
     * @throws UncheckedIOException if the task directory cannot be read
     */
    int[] scan() {
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).strip();
                } catch (NoSuchFileException gone) {
                    continue; // ended since the listing
                }
                if (matches(comm)) {
                    found.add(Integer.parseInt(task.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the threads in " + tasks, e);
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    boolean matches(String comm) {
        for (String p : prefixes) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
