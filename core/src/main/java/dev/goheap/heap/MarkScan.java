package dev.goheap.heap;

import dev.goheap.internal.Pointers;
import dev.goheap.internal.gc.HeapForGc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One drainer's scanner ({@link HeapForGc.Scanner}, Go's {@code scanobject} with
 * {@code greyobject} inlined): scans a batch of grey objects and marks what their pointer fields
 * point to, with no call per field.
 *
 * <p><b>Two passes per batch.</b> 1) <em>Read</em>: for each grey object, look its span up once
 * and note the offsets of its pointer fields in {@link #values}; then load them all in a loop of
 * loads and nothing else ({@link #loadRun}), keeping the non-nil values in place. 2)
 * <em>Mark</em>: mark each value, as {@link HeapCollection#mark} does, and hand the newly marked
 * ones that need scanning to the sink. Why not one pass, object by object: the objects of a
 * batch are scattered over the heap, so the read of a field is a cache miss (~200 ns alone on
 * the measuring machine, ~60 ns each with many in flight), and marking is an atomic
 * read-modify-write ({@link SpanMarks#mark}), which on x86 is a full fence: no later load starts
 * before it completes. Interleaved, each object's miss waited for the previous object's atomic,
 * one miss at a time: a third of the marker's CPU went to that load in a profile of {@code
 * CollectorCycleBenchmark}. The loads of the read pass have no atomic and no branch on their
 * values between them, so the CPU keeps several misses in flight. The buffer fills up when
 * objects have many pointer fields: the mark pass then runs early and the read pass goes on, so
 * its size bounds memory, not work.
 *
 * <p><b>Same-span fast path.</b> A value in the span of the value marked before it (the two
 * children of a tree node, the children of neighbouring nodes: they were allocated one after
 * the other) is marked through that span with no page-table walk.
 *
 * <p>The marking rules are {@link HeapCollection#mark}'s: only a slot start of a small span in
 * use, or the base of a large one, is marked; the atomic test-and-set ({@link SpanMarks#mark}) lets
 * exactly one thread see each object newly marked, so each object is greyed (and its bytes
 * counted) once, whoever else marks at the same time (the write barrier, other drainers). The
 * scan's rules are {@link HeapCollection#scan}'s: opaque reads of the fields, the uniform layout
 * read racily (see {@code scanUniform} there for why that is safe), and a grey pointer whose
 * span was freed under it (a dangling pointer) is skipped quietly.
 *
 * <p><b>Thread safety:</b> one thread at a time (a drainer's own, like its grey buffer), during
 * MARK.
 */
final class MarkScan implements HeapForGc.Scanner {
    private static final VarHandle POINTER = ValueLayout.JAVA_LONG.varHandle();
    /** Fields read before a mark pass: 4 KiB, the fields of a 256-object batch of two-pointer nodes. */
    static final int CAPACITY = 512;

    private final ChunkTable chunks;
    private final long[] values = new long[CAPACITY];
    /** {@code values[0..loaded)}: values read; {@code values[loaded..count)}: offsets in {@link #runSegment} to read. */
    private int count;
    private int loaded;
    private MemorySegment runSegment;
    private long markedBytes;

    MarkScan(ChunkTable chunks) {
        this.chunks = chunks;
    }

    @Override
    public long scanAndMark(long[] batch, int batchCount, HeapForGc.GreySink sink) {
        markedBytes = 0;
        count = 0; // nothing is left over, unless the last call failed half-way
        loaded = 0;
        for (int i = 0; i < batchCount; i++) {
            read(batch[i], sink);
        }
        markAll(sink);
        return markedBytes;
    }

    /** The read pass for one grey object: the offsets of its pointer fields go to the buffer. */
    private void read(long p, HeapForGc.GreySink sink) {
        Span s = chunks.spanInUse(p);
        if (s == null || s.noscan) {
            return;
        }
        MemorySegment segment = s.chunk.segment;
        if (s.pointerLayout == Span.LAYOUT_UNIFORM && s.state == Span.SMALL && s.slotIndexAt(p - s.base) >= 0) {
            long mask = s.uniformMask;
            if (count > CAPACITY - Long.bitCount(mask)) {
                markAll(sink);
            }
            if (segment != runSegment) {
                loadRun();
                runSegment = segment;
            }
            long objectOffset = Pointers.offset(p);
            long[] v = values;
            int n = count;
            for (long m = mask; m != 0; m &= m - 1) {
                v[n++] = objectOffset + ((long) Long.numberOfTrailingZeros(m) << 3);
            }
            count = n;
            return;
        }
        loadRun(); // the offsets before go with their segment; readBits reads its own fields at once
        readBits(p, s, segment, sink);
    }

    /**
     * Loads the fields whose offsets in {@link #runSegment} wait in {@code values[loaded..count)},
     * in place, keeping the non-nil values: a loop of loads and nothing else, so that the CPU
     * has as many of their cache misses in flight at once as it can.
     */
    private void loadRun() {
        long[] v = values;
        MemorySegment segment = runSegment;
        int n = loaded;
        for (int k = n, end = count; k < end; k++) {
            long value = (long) POINTER.getOpaque(segment, v[k]);
            // No branch on the value: a mispredicted one (nil or not, a coin toss in a tree)
            // would hold the next loads back until this miss is served.
            v[n] = value;
            n += (int) ((value | -value) >>> 63); // kept unless nil
        }
        count = n;
        loaded = n;
    }

    /** The read pass through the span's pointer bitmap: mixed types and large objects. */
    private void readBits(long p, Span s, MemorySegment segment, HeapForGc.GreySink sink) {
        long[] bits = s.pointerBits;
        if (bits == null) {
            return; // the span was freed under a dangling pointer
        }
        long firstWord = (p - s.base) >>> 3;
        long objectBytes = s.state == Span.LARGE ? s.byteSize() : s.elemSize;
        long endWord = firstWord + (objectBytes >>> 3);
        long chunkOffset = Pointers.offset(s.base);
        for (long bit = PointerBits.nextSet(bits, firstWord, endWord); bit >= 0;
                bit = PointerBits.nextSet(bits, bit + 1, endWord)) {
            long value = (long) POINTER.getOpaque(segment, chunkOffset + (bit << 3));
            if (value != Pointers.NIL) {
                if (count == CAPACITY) {
                    markAll(sink);
                }
                values[count++] = value;
                loaded = count; // a value, not an offset
            }
        }
    }

    /** The mark pass: marks every buffered value and empties the buffers. */
    private void markAll(HeapForGc.GreySink sink) {
        loadRun();
        long bytes = 0;
        Span near = null;
        for (int i = 0, n = count; i < n; i++) {
            long p = values[i];
            Span s = near != null && near.covers(p) ? near : chunks.spanInUse(p);
            if (s != null) {
                bytes += mark(p, s, sink);
                near = s;
            }
        }
        count = 0;
        loaded = 0;
        runSegment = null;
        markedBytes += bytes;
    }

    /**
     * {@link HeapCollection#mark} of {@code p}, in span {@code s}; hands {@code p} to {@code
     * sink} if it is newly marked and may hold pointers. Returns its bytes if this call marked
     * it, else 0.
     */
    private static long mark(long p, Span s, HeapForGc.GreySink sink) {
        long bytes;
        byte state = s.state;
        if (state == Span.SMALL) {
            int slot = s.slotIndexAt(p - s.base);
            if (slot < 0 || !SpanMarks.mark(s, slot)) {
                return 0;
            }
            bytes = s.elemSize;
        } else if (state == Span.LARGE) {
            if (p != s.base || !SpanMarks.mark(s, 0)) {
                return 0;
            }
            bytes = s.byteSize();
        } else {
            return 0; // freed or cached since its lookup: as spanInUse would answer now
        }
        if (!s.noscan) {
            sink.grey(p);
        }
        return bytes;
    }
}
