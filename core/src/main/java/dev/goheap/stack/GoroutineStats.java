package dev.goheap.stack;

/**
 * A snapshot of a runtime's goroutines and their stacks ({@link Goroutines#stats}, part of
 * {@code GoRuntime.stats()}). The goroutine counts are taken together under one lock; the stack
 * figures are recent values.
 *
 * @param started          goroutines started with {@code go} or attached so far, cumulative
 * @param running          goroutines running now: started and not ended, attached and not detached
 * @param attached         attached threads now (included in {@code running})
 * @param stackBlocks      stack blocks allocated from the heap now (one per stack that pushed,
 *                         plus old blocks kept for live scratch segments)
 * @param stackBytes       bytes of those blocks
 * @param stackGrowCount   moves to a larger block, cumulative
 * @param stackShrinkCount moves to a smaller block, cumulative
 * @param stackCopiedBytes bytes copied by moves, cumulative
 */
public record GoroutineStats(
        long started,
        long running,
        long attached,
        long stackBlocks,
        long stackBytes,
        long stackGrowCount,
        long stackShrinkCount,
        long stackCopiedBytes) {}
