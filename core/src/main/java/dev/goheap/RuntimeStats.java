package dev.goheap;

import dev.goheap.heap.HeapStats;
import dev.goheap.stack.GoroutineStats;

/**
 * A snapshot of a runtime's figures ({@link GoRuntime#stats()}): the heap's, the goroutines' and
 * their stacks', and the escape checks'. Each part is exact when nothing runs meanwhile, and a
 * recent value otherwise.
 *
 * @param heap              the heap's figures; goroutine stacks are heap objects and are counted there too
 * @param goroutines        goroutines started, running and attached, and their stacks' sizes and moves
 * @param pointerEscapeCount pointer stores refused because the value pointed into a goroutine
 *                          stack ({@link PointerEscapeException}), cumulative
 */
public record RuntimeStats(HeapStats heap, GoroutineStats goroutines, long pointerEscapeCount) {}
