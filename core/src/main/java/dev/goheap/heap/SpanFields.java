package dev.goheap.heap;

import dev.goheap.type.PointerMap;
import java.lang.foreign.MemorySegment;

// Span's fields between two 64-byte pads (JCTools' and Agrona's idiom: HotSpot lays out a
// superclass's fields before its subclass's, so a class hierarchy fixes the order).
//
// Why: every allocation and free writes its span's allocCount, freeWord, mallocs or frees, and
// reads a dozen of its other fields, and writes a word of its allocBits. Another thread's span
// objects lie right next to them on the Java heap: 1) thread B takes the head of a free run and
// creates the Span object R of the rest, then B's own bitmaps, in B's TLAB; 2) thread A takes R.
// Seen with JOL's addressOf in every one of 20 runs of two threads allocating at 16/64/256 B:
// one thread's allocBits started 144 bytes (the unpadded Span's size) after the other's Span,
// so B's writes of allocBits[0] and A's reads of R.allocBits and R.owner shared a cache line
// (false sharing), depending on where the line boundary fell. With 64 bytes before and after
// the fields, and 64 bytes around allocBits' words (Span#BITMAP_PAD_WORDS), no object shares a
// cache line with what the fast paths touch. (A GC may also copy spans next to each other.)
//
// The head pad is bytes, so that it starts right after the object header (a long pad would
// leave a 4-byte hole that a field of the subclass could fill, in the previous object's line);
// the tail pad is longs, so that it cannot be scattered into the small holes of SpanFields.

/** 64 bytes before {@link SpanFields}. */
abstract class SpanPadBefore {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
}

/**
 * The fields of a {@link Span}; the comments say what guards each group. Only {@link Span} (and
 * the heap's inspection classes in this package) use them.
 */
abstract class SpanFields extends SpanPadBefore {
    // --- where the pages are, and the state: written only under the page heap lock (a free
    //     reads its neighbours' state to coalesce), read racily elsewhere and then rechecked ---
    Chunk chunk;
    /** {@code chunk.segment}, one load nearer for the access paths. */
    MemorySegment segment;
    int startPage;
    int pageCount;
    long base; // pointer of the first byte
    byte state;

    // --- what the pages hold: set when the span goes into use, fixed until it is freed ---
    int spanClass; // sizeClass << 1 | noscan; 0 for free and large spans
    int elemSize;  // slot size in bytes (the whole span for a large object)
    int objectCount;
    long divMagic;
    boolean noscan;

    // --- allocation state: owner thread only while owned, central lock otherwise ---
    /**
     * Bit i of word {@code BITMAP_PAD_WORDS + i / 64} set <=> slot i is allocated: the words
     * sit between {@link Span#BITMAP_PAD_WORDS} unused words on each side (see there).
     */
    long[] allocBits;
    int allocWords;   // the words of allocBits in use (without the padding)
    int allocCount;   // slots whose bit is set, remote frees included until merged
    int freeWord;     // owner's search start: every word before it is full
    Thread owner; // written by the owner or under the central lock; read racily by free

    // --- remote frees into an owned span: guarded by the central lock ---
    long[] remoteFreeBits;
    volatile int remoteFreeCount; // read racily by the owner to decide whether to merge

    /** One bit per 8-byte word of the span: set where a pointer field lives (scan spans only). */
    long[] pointerBits;

    // --- which type's pointer map the slots of a scan span follow: owner thread (it allocates);
    //     read by any thread that got an object of the span with a happens-before edge from its
    //     allocation, which orders the writes below before the read (see #setPointerMap) ---
    /** The map every object of this scan span has had since {@link #initSmall}; null before the first. */
    PointerMap uniformMap;
    /** Objects of several maps have been allocated here since {@link #initSmall}. */
    boolean mixedTypes;
    /** One of LAYOUT_*: how the access checks find an object's pointer words. */
    byte pointerLayout;
    /** LAYOUT_UNIFORM: bit i set <=> word i of every slot is a pointer field (slots of at most 64 words). */
    long uniformMask;

    // --- the collector (see CycleState): markBits are set with atomic bit operations by any
    // thread during MARK and read and cleared by the sweeper; sweepGen is written by the sweeper
    // (central lock, page heap lock for large spans, or the world stopped for owned spans) ---
    long[] markBits; // bit i set <=> slot i is marked (large spans: bit 0)
    int sweepGen;

    // --- goroutine stacks (Heap#allocateStack), noscan spans only: set and cleared by any thread
    // with atomic bit operations; read racily on the pointer-check path (see package-info) ---
    long[] stackBits;   // small spans: bit i set <=> slot i holds a stack; created by the first stack
    boolean largeStack; // large spans: the object is a stack; written before the pointer is handed out

    // --- cumulative counters, owner or lock holder: flushed into the central totals ---
    long mallocs;
    long frees;

    // --- list links: guarded by the lock of the list the span is on ---
    Span prev;
    Span next;
    SpanList list;
}

/** 64 bytes after {@link SpanFields}. */
abstract class SpanPadAfter extends SpanFields {
    long q0, q1, q2, q3, q4, q5, q6, q7;
}
