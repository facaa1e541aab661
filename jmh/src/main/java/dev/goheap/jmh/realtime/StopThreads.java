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
 * thread. Linux gives each thread's name as {@code comm}, its first 15 bytes.
 *
 * <p><b>Thread safety:</b> stateless; {@link #scan} may be called from any thread.
 */
final class StopThreads {
    /**
     * The names' beginnings: the JDK's carriers of virtual threads ({@code ForkJoinPool-1-worker-N},
     * a scheduler's pool; the common pool's workers, {@code ForkJoinPool.commonPool-worker-N},
     * are not carriers and do not match) and goheap's collector thread ({@code goheap-gc}).
     */
    static final List<String> DEFAULT_PREFIXES = List.of("ForkJoinPool-", "goheap-gc");

    private final Path tasks;
    private final List<String> prefixes;

    StopThreads(Path tasks, List<String> prefixes) {
        this.tasks = tasks;
        this.prefixes = List.copyOf(prefixes);
    }

    /** This process's threads with the default names. */
    static StopThreads ofThisProcess() {
        return new StopThreads(Path.of("/proc/self/task"), DEFAULT_PREFIXES);
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
