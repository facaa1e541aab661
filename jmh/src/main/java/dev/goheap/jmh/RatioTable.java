package dev.goheap.jmh;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints goheap against the other allocators from a JMH JSON result file ({@code -rf json}): one row
 * per operation, size and thread count; per allocator its ns/op and its ratio to goheap's
 * (anchor / goheap: above 1 means goheap is faster); goheap's {@code gc.alloc.rate.norm}; then the
 * targets, each PASS, FAIL or n/a.
 *
 * <p>Benchmark methods are read as {@code op_variant}: {@code allocFree_goheap} is operation
 * {@code allocFree} for allocator {@code goheap}. {@code callocFree_malloc} shares the
 * {@code allocFree} rows as the column {@code calloc}; a group {@code producerConsumer_malloc} gives
 * the {@code producerConsumer} rows.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.goheap.jmh.RatioTable result.json}
 */
public final class RatioTable {
    static final String GOHEAP = "goheap";
    static final String GC_NORM = "gc.alloc.rate.norm";
    /** Columns in this order first; any other allocator follows in file order. */
    static final List<String> COLUMN_ORDER = List.of(GOHEAP, "malloc", "calloc", "jemalloc", "arena",
            "nettyDefault", "nettyUnsafe", "byteArray");

    /**
     * One benchmark result: {@code row} is the operation, {@code column} the allocator; {@code
     * forkMeans} the mean of each fork's measurement iterations (JMH's {@code rawData}), empty
     * if the file has none.
     */
    record Result(String row, String column, String size, int threads, double nsPerOp, double error,
                  double gcBytesPerOp, double[] forkMeans) {
        /** The slowest fork's mean, or the score if there are fewer than two forks. */
        double slowestForkNs() {
            return forkMeans.length < 2 ? nsPerOp : Arrays.stream(forkMeans).max().orElseThrow();
        }
    }

    private RatioTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RatioTable <jmh-result.json>");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file)) {
            System.err.println("RatioTable: no JMH result file: " + file);
            System.exit(2);
        }
        List<Result> results = read(Files.readString(file, StandardCharsets.UTF_8));
        if (results.isEmpty()) {
            System.err.println("RatioTable: no results in " + file);
            System.exit(1);
        }
        print(results, System.out);
    }

    /** Reads the results of a JMH JSON file; ignores benchmarks not named {@code op_variant}. */
    static List<Result> read(String json) {
        List<Result> results = new ArrayList<>();
        for (Object item : (List<?>) Json.parse(json)) {
            Map<?, ?> benchmark = (Map<?, ?>) item;
            String name = (String) benchmark.get("benchmark");
            String method = name.substring(name.lastIndexOf('.') + 1);
            int underscore = method.indexOf('_');
            if (underscore < 0) {
                continue;
            }
            String op = method.substring(0, underscore);
            String variant = method.substring(underscore + 1);
            String row = op;
            String column = variant;
            if (op.equals("callocFree")) {
                row = "allocFree";
                column = variant.equals("malloc") ? "calloc" : "calloc-" + variant;
            }
            Map<?, ?> params = (Map<?, ?>) benchmark.get("params");
            String size = params == null ? "-" : String.valueOf(params.get("size"));
            int threads = number(benchmark.get("threads")).intValue();
            Map<?, ?> primary = (Map<?, ?>) benchmark.get("primaryMetric");
            double gc = Double.NaN;
            Map<?, ?> secondary = (Map<?, ?>) benchmark.get("secondaryMetrics");
            if (secondary != null && secondary.get(GC_NORM) instanceof Map<?, ?> norm) {
                gc = number(norm.get("score"));
            }
            results.add(new Result(row, column, size, threads, number(primary.get("score")),
                    number(primary.get("scoreError")), gc, forkMeans(primary.get("rawData"))));
        }
        return results;
    }

    /** The mean of each fork's iterations in JMH's {@code rawData} (a list per fork), or none. */
    private static double[] forkMeans(Object rawData) {
        if (!(rawData instanceof List<?> forks)) {
            return new double[0];
        }
        return forks.stream()
                .filter(fork -> fork instanceof List<?> iterations && !iterations.isEmpty())
                .mapToDouble(fork -> ((List<?>) fork).stream().mapToDouble(v -> number(v)).average().orElseThrow())
                .toArray();
    }

    static void print(List<Result> results, PrintStream out) {
        Set<String> columns = new LinkedHashSet<>();
        for (String c : COLUMN_ORDER) {
            if (results.stream().anyMatch(r -> r.column().equals(c))) {
                columns.add(c);
            }
        }
        results.forEach(r -> columns.add(r.column()));
        columns.remove(GOHEAP);

        Map<String, Map<String, Result>> rows = new LinkedHashMap<>();
        results.stream()
                .sorted(Comparator.comparing(Result::row).thenComparing(Result::threads).thenComparing(Result::size))
                .forEach(r -> rows.computeIfAbsent(rowKey(r), k -> new LinkedHashMap<>()).put(r.column(), r));

        out.println();
        out.println("goheap vs the other allocators: ns/op, and (anchor ns / goheap ns): above 1 means goheap is faster");
        out.println("goheap and calloc, arena and byteArray return zeroed memory; malloc, jemalloc and Netty do not");
        out.println();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-17s %5s %3s | %14s %8s |",
                "operation", "size", "thr", "goheap ns/op", "gc B/op"));
        for (String c : columns) {
            header.append(String.format(Locale.ROOT, " %16s", c));
        }
        out.println(header);
        out.println("-".repeat(header.length()));
        for (Map<String, Result> row : rows.values()) {
            Result any = row.values().iterator().next();
            Result goheap = row.get(GOHEAP);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-17s %5s %3d | ",
                    any.row(), any.size(), any.threads()));
            if (goheap == null) {
                line.append(String.format(Locale.ROOT, "%14s %8s |", "-", "-"));
            } else {
                line.append(String.format(Locale.ROOT, "%14s %8s |", nsWithError(goheap), bytes(goheap.gcBytesPerOp())));
            }
            for (String c : columns) {
                Result r = row.get(c);
                String cell;
                if (r == null) {
                    cell = "-";
                } else if (goheap == null || !(goheap.nsPerOp() > 0)) {
                    cell = String.format(Locale.ROOT, "%.1f", r.nsPerOp());
                } else {
                    cell = String.format(Locale.ROOT, "%.1f (%.2fx)", r.nsPerOp(), r.nsPerOp() / goheap.nsPerOp());
                }
                line.append(String.format(Locale.ROOT, " %16s", cell));
            }
            out.println(line);
        }
        out.println();
        printTargets(results, out);
    }

    private static void printTargets(List<Result> results, PrintStream out) {
        out.println("targets");
        Result goheap64 = find(results, "allocFree", GOHEAP, "00064", 1);
        Result jemalloc64 = find(results, "allocFree", "jemalloc", "00064", 1);
        if (goheap64 == null || jemalloc64 == null) {
            out.println("  n/a   goheap 64 B alloc+free <= 0.5 x jemalloc through FFM: "
                    + (goheap64 == null ? "goheap" : "jemalloc") + " not measured");
        } else {
            double ratio = goheap64.nsPerOp() / jemalloc64.nsPerOp();
            out.printf(Locale.ROOT, "  %-5s goheap 64 B alloc+free <= 0.5 x jemalloc through FFM: %.1f / %.1f ns = %.2f%n",
                    verdict(ratio <= 0.5), goheap64.nsPerOp(), jemalloc64.nsPerOp(), ratio);
        }
        boolean anyScaling = false;
        for (Result one : results) {
            if (!one.row().equals("allocFree") || !one.column().equals(GOHEAP) || one.threads() != 1) {
                continue;
            }
            Result two = find(results, "allocFree", GOHEAP, one.size(), 2);
            if (two != null) {
                anyScaling = true;
                double ratio = two.nsPerOp() / one.nsPerOp();
                // Every fork, not only the mean: a fork whose layout puts two threads' metadata in
                // one cache line runs 3x slower, and one fork in five may (README, session 17).
                double slowest = two.slowestForkNs() / one.nsPerOp();
                String forks = two.forkMeans().length < 2
                        ? " (one fork: run -f 5 or more to see every layout)"
                        : String.format(Locale.ROOT, "; slowest of %d forks %.1f ns = %.2f", two.forkMeans().length,
                                two.slowestForkNs(), slowest);
                out.printf(Locale.ROOT, "  %-5s goheap %s B, 2 threads <= 1.1 x 1 thread (per-thread cost): %.1f / %.1f ns = %.2f%s%n",
                        verdict(Math.max(ratio, slowest) <= 1.1), one.size(), two.nsPerOp(), one.nsPerOp(), ratio, forks);
            }
        }
        if (!anyScaling) {
            out.println("  n/a   goheap 2 threads <= 1.1 x 1 thread: not measured");
        }
        List<Result> goheapPaths = results.stream().filter(r -> r.column().equals(GOHEAP)).toList();
        if (goheapPaths.isEmpty()) {
            out.println("  n/a   gc.alloc.rate.norm < 1 B/op on every goheap path: goheap not measured");
        } else if (goheapPaths.stream().anyMatch(r -> Double.isNaN(r.gcBytesPerOp()))) {
            out.println("  n/a   gc.alloc.rate.norm < 1 B/op on every goheap path: run with -prof gc");
        } else {
            Result worst = goheapPaths.stream().max(Comparator.comparingDouble(Result::gcBytesPerOp)).orElseThrow();
            out.printf(Locale.ROOT, "  %-5s gc.alloc.rate.norm < 1 B/op on every goheap path (%d paths): worst %s B/op (%s %s B, %d thr)%n",
                    verdict(worst.gcBytesPerOp() < 1), goheapPaths.size(), bytes(worst.gcBytesPerOp()),
                    worst.row(), worst.size(), worst.threads());
        }
    }

    private static Result find(List<Result> results, String row, String column, String size, int threads) {
        for (Result r : results) {
            if (r.row().equals(row) && r.column().equals(column) && r.size().equals(size) && r.threads() == threads) {
                return r;
            }
        }
        return null;
    }

    private static String rowKey(Result r) {
        return r.row() + '/' + r.size() + '/' + r.threads();
    }

    private static String nsWithError(Result r) {
        return Double.isNaN(r.error())
                ? String.format(Locale.ROOT, "%.1f", r.nsPerOp())
                : String.format(Locale.ROOT, "%.1f ± %.1f", r.nsPerOp(), r.error());
    }

    private static String bytes(double bytesPerOp) {
        return Double.isNaN(bytesPerOp) ? "-" : String.format(Locale.ROOT, "%.3f", bytesPerOp);
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    private static Double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) { // JMH writes "NaN" as a string
            try {
                return Double.valueOf(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
