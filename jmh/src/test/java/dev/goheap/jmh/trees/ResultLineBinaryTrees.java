package dev.goheap.jmh.trees;

/**
 * Stands in for goheap's {@code dev.goheap.demo.BinaryTrees} in tests: prints binary-trees' expected
 * output for {@code args[0]} and a RESULT line with its own pause list, as a collector that times
 * its own pauses does. With a second argument {@code wrong} it prints a wrong check line.
 */
public final class ResultLineBinaryTrees {
    private ResultLineBinaryTrees() {
    }

    public static void main(String[] args) {
        String output = PlainBinaryTrees.expectedOutput(Integer.parseInt(args[0]));
        if (args.length > 1 && args[1].equals("wrong")) {
            output = output.replace("check: ", "check: 1");
        }
        System.out.print(output);
        System.out.println("gc 1 @0.001s: a gctrace-like line between the output lines is allowed");
        System.out.println(PlainBinaryTrees.RESULT_PREFIX + "{\"wallMillis\":100.0,\"pauses\":[[60000000,5000000],[1000000,2000000]],"
                + "\"runStartNanos\":0,\"runEndNanos\":100000000,\"jvmGcCount\":0,\"jvmGcMillis\":0}");
    }
}
