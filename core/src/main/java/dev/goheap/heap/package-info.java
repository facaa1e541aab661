/**
 * The heap: Go's allocator ({@code malloc.go}, {@code mheap.go}, {@code mcentral.go},
 * {@code mcache.go}) on chunks of FFM memory.
 *
 * <h2>Names</h2>
 * <pre>
 *   Go          goheap          what
 *   heapArena   {@code Chunk}           4 MiB (or larger) of pages with its own shared Arena
 *   mheap       {@code PageHeap}        free page runs, chunk growth, scavenging
 *   (sysMap)    {@code SpareChunk}      one chunk's memory mapped ahead of growth by the collector thread
 *   mspan       {@code Span}            a run of 8 KiB pages: free, size-class slots, or one large object
 *   mcentral    {@code CentralList}     unowned spans of one span class: partial and full
 *   mcache      {@code ThreadCache}     one span per span class, owned by one thread
 *   (prepareForSweep) {@code CacheCatchUp} brings a cache's spans up to the collector's phase, lazily
 *   largeAlloc  {@code LargeObjects}    objects above 32 KiB, through 16 {@code LargeStripe}s
 *   (pcache)    {@code LargeStripe}     large objects of a stripe by sweep generation, and freed large spans
 *   spanClass   sizeClass &lt;&lt; 1 | noscan: objects with pointers and without live in different spans
 *   heapBits    {@code Span#pointerBits} one bit per word: which words hold pointers
 * </pre>
 *
 * <h2>Structures</h2>
 * <pre>
 *  ChunkTable: index -> Chunk            Chunk: | page 0 | page 1 | ... | page n-1 |   spanOfPage[page] -> Span
 *              pageTable[index << 9 | page] -> Span   (a chunk's first 512 pages: the access paths' lookup)
 *  PageHeap:   free spans by page count (1..128, and one best-fit list above) | at most one spare chunk
 *  LargeStripe[threadId % 16]: large spans by sweep generation | cached free large spans (<= 4, <= 256 KiB)
 *  CentralList[spanClass]: partial (has a free slot) | full       -- unowned small spans
 *  ThreadCache (per thread): spans[spanClass]                      -- owned small spans
 * </pre>
 * A small span's slots are tracked by {@code allocBits} (1 = allocated), so a free slot is a
 * clear bit in exactly one span, and a span is in exactly one place: a thread cache, a central
 * list, the page heap's free lists, or (large) its stripe's list or (freed) its stripe's cache.
 *
 * <h2>Allocation ({@link dev.goheap.heap.Heap#allocate})</h2>
 * <ol>
 *   <li>Sizes up to 32 KiB map to a size class ({@code SizeClasses}, Go's table).</li>
 *   <li>Fast path, no lock: the thread's cache (found in a slot indexed by thread id, then a
 *       {@code ThreadLocal}) takes the lowest clear bit of its span for the class
 *       ({@code Span.takeFreeSlot}) and the slot is zeroed. For a typed object the span records
 *       the type's pointer map ({@code SpanPointerMaps.setPointerMap}): written into every slot's bits by the
 *       span's first object, then nothing per object while the types agree. While the
 *       collector marks, the object is black already: a cache that takes a span then marks
 *       its free slots at once ({@code SpanMarks.markFreeSlots}; a cache does the same for the
 *       spans it holds when it catches up with the mark phase, before its first allocation in
 *       it, and an owner's free marks the slot it frees), so allocate-black
 *       costs no atomic per object. No {@code closed}
 *       check: {@code close} empties every cache, so the next allocation meets an empty span and
 *       takes the refill path, which checks.</li>
 *   <li>The span is full: under the central list's lock, merge frees other threads parked in
 *       it; if that freed nothing, give it back (partial or full list) and take a partial span
 *       (sweeping unswept ones if need be), or a new one from the page heap (its lock nested
 *       inside). A cache's new spans of a class of objects up to 1 KiB double their pages each
 *       time, from Go's up to 16 pages ({@code SizeClasses.grownPageCount}), so a thread that
 *       allocates many objects of a class comes here far less often; a span's slot count is its
 *       own ({@code Span.objectCount}), and spans of one class but of different sizes share the
 *       class's central list.</li>
 *   <li>Larger sizes take whole pages: see "Large objects". The heap grows by a chunk when no
 *       free run fits, within the limit: it takes the spare chunk if the collector has mapped one
 *       (microseconds), else maps and zero-fills one under the page heap's lock (milliseconds,
 *       no safepoint: a stop waits for it), and asks for the next spare (see "Heap growth"); at
 *       the limit, the stripes' caches are emptied and (with a collector) one collection runs,
 *       else {@link dev.goheap.OutOfHeapMemoryException}.</li>
 * </ol>
 *
 * <h2>Free ({@link dev.goheap.heap.Heap#free})</h2>
 * <ol>
 *   <li>Find the span through the page table ({@code ChunkTable.spanInUse}); refuse nil,
 *       foreign, interior and free pointers with {@link java.lang.IllegalArgumentException}
 *       before changing anything.</li>
 *   <li>Owner thread, no lock: clear the bit (refused if already clear); the slot is reusable at once.</li>
 *   <li>Another thread, under the central lock: if the span is owned, park the free in
 *       {@code remoteFreeBits} (the owner merges it under that lock); if not, clear the bit and,
 *       when the caller's cache is at hand, the span swept and the collector not marking, let
 *       that cache adopt it in place of its span of the class ({@code CentralList.adoptLocked}:
 *       the span's other objects then come back by step 2, one lock per span instead of one per
 *       free); else move the span from full to partial, or give it back to the page heap when
 *       it becomes empty.</li>
 *   <li>Large objects go to the cache of the stripe that registers them (see "Large objects");
 *       what a cache cannot keep goes back to the page heap, which coalesces neighbours and
 *       returns a chunk that became wholly free to the OS once more than the retained idle bytes
 *       are free.</li>
 * </ol>
 *
 * <h2>Large objects ({@code LargeObjects}, {@code LargeStripe})</h2>
 * Sixteen stripes, selected by thread id, each with its own lock, so two threads of different
 * stripes never share a lock on this path and a thread reuses the blocks it freed itself (still
 * in its core's cache) instead of zeroing one another's.
 * <ol>
 *   <li>Allocate, under the caller's stripe lock: take the newest cached span of exactly the page
 *       count; if none, take pages from the page heap (its lock nested). Set the span up
 *       ({@code Span.initLarge}, swept in the current generation), mark it if the collector is
 *       marking (allocate-black, {@code CycleState.markedBytes}), register it on the stripe's list
 *       of that generation. Then, without locks: zero it, charge the assist debt.</li>
 *   <li>Free, under the lock of the stripe that registers the span ({@code Span.stripe}, read
 *       racily and rechecked under that lock, with the state): unregister it, and cache it there
 *       as {@code CACHED}, evicting the oldest spans to the page heap while the bounds need room
 *       (at most 4 spans and 32 pages a stripe; spans above 16 pages go straight back).</li>
 *   <li>A {@code CACHED} span is free to every check: {@code ChunkTable.spanInUse} accepts only
 *       SMALL and LARGE spans, so a use after free or a double free is refused as for free pages.
 *       The page heap counts its pages as in use; {@code HeapStats} and the pacer's figure
 *       count them as idle.</li>
 *   <li>The sweeper walks each stripe's unswept list under its lock and frees the garbage spans
 *       to the page heap. Cached spans are on no list, so it never sees them.</li>
 *   <li>The caches are emptied into the page heap when a thread releases its cache (its stripe),
 *       when a dead thread's cache is reaped (its stripe), on {@code scavenge}, at the heap limit
 *       before any collection or out-of-memory error, and on {@code close}. Heap-wide they hold
 *       at most 16 * 256 KiB = 4 MiB, however many threads come and go.</li>
 * </ol>
 * A free that races with the reuse of its block by another thread (a free of a dangling
 * pointer) is a data race in the caller, as for small objects.
 *
 * <h2>Access checks ({@code getX}/{@code setX}, {@code readPointer}, {@code writePointer})</h2>
 * Every access checks its pointer (and a stored pointer value) in full ({@code ObjectChecks}), on one fast path,
 * {@code ChunkTable.liveObjectSpan}: one entry of the flat page table (chunk index and page
 * number of the pointer, after one shift and mask), range test against the span's base (which
 * carries the chunk index, so a stale or aliased entry fails; a refused one is looked up again
 * in its chunk, which covers the pages past the 512th of an oversized chunk), slot index by
 * multiply and shift (Go's divMagic), one alloc bit. A pointer field is one bit of the span's
 * {@code pointerFieldMask} (its {@code uniformMask} while all its objects share a type of at
 * most 64 words; 0 for every other span, so the one test stands for state, scan and layout),
 * else one bit of {@code pointerBits}. A pointer stored into an object is checked the same way, except
 * when it lies in the destination's own span (a child allocated beside its parent): that span is
 * a scan span, so it holds no goroutine stack, and the value's slot and alloc bit are all that is
 * left to check ({@code Span.objectSlotAt}); while the collector marks, that slot's mark bit also
 * tells the store whether the write barrier has anything to do (a nil slot and a marked value:
 * nothing, so it is not called). Whatever the fast path does not accept goes to the
 * old checked path, which throws the documented exception (or accepts: large objects). After {@code close}
 * the chunk table is empty, so every access reaches that path and its {@code closed} check.
 *
 * <h2>Why the fast path needs no lock</h2>
 * A span's allocation state has exactly one writer at a time. Step by step, the race it avoids:
 * 1) thread A owns span S and allocates slot 5 from it with plain writes; 2) thread B frees
 * slot 3 of S; 3) if B cleared bit 3 itself, its read-modify-write of the bitmap word could
 * undo A's write of bit 5, handing slot 5 out twice. B therefore never writes {@code allocBits}
 * of an owned span: it parks bit 3 in {@code remoteFreeBits} under the central lock, and A
 * merges it under the same lock when S runs out. Ownership is handed over only under that lock,
 * and {@code owner == currentThread} is exact when read by the owner itself.
 *
 * <h2>Invariants ({@link dev.goheap.heap.Heap#verify} checks each)</h2>
 * <ul>
 *   <li>The spans of each chunk tile its pages without overlap; every page of a span in use
 *       maps to it; the first and last page of a free span map to it. The chunk table's flat
 *       page table holds the same entry as each chunk for its first 512 pages, and null for
 *       chunk indexes not in use.</li>
 *   <li>No two free spans are adjacent (coalescing); each free span is on the free list of its
 *       length exactly once; each large span is on its stripe's list of its sweep generation
 *       exactly once; each cached span is in its stripe's cache exactly once, within the bounds.</li>
 *   <li>Each small span is in exactly one place: its owner's cache under its span class, or the
 *       partial (not full) or full list of its class; spans on central lists are not empty and
 *       have no parked frees.</li>
 *   <li>A small span has its class's pages times a power of two (more only for objects up to
 *       1 KiB, and at most 16 pages), and as many slots of its class's size as fill them.</li>
 *   <li>{@code allocCount} equals the set bits; parked remote frees are allocated bits; no bit
 *       is set past the last slot (the access checks' slot test relies on it); every bitmap word
 *       before {@code freeWord} is full; {@code pointerFieldMask} is {@code uniformMask} in a
 *       uniform scan span, else 0.</li>
 *   <li>The page heap's page and byte counts, the chunk count, and mallocs - frees (live
 *       objects) agree with what the walk finds; the mapped bytes are the chunks' and the
 *       spare's, within the heap limit.</li>
 * </ul>
 *
 * <h2>Lock order</h2>
 * {@code ThreadCaches.lock} &rarr; {@code CentralList.lock} (one at a time, except
 * {@code verify}, which takes all in class order) &rarr; {@code LargeStripe.lock} (one at a
 * time, except {@code verify}, which takes all in stripe order) &rarr; {@code PageHeap.lock}.
 * Nothing takes a lock while holding the page heap's; nothing takes a central list's lock while
 * holding a stripe's. The spare chunk's hook ({@code GcHooks.spareChunkWanted}) runs under the
 * page heap's lock and takes none; {@code SpareChunk.prepare} takes the page heap's lock alone,
 * twice, and maps between the two, holding nothing.
 *
 * <h2>Heap growth ({@code SpareChunk})</h2>
 * Mapping a 4 MiB chunk costs 1.5 to 2.3 ms (the arena's zero-fill and ~1000 page faults); on
 * the demo it ran in a goroutine's allocation under the page heap's lock, and stops of the world
 * waited for it. With a collector, the page heap keeps at most one spare chunk, mapped by the
 * collector thread: asked for under the lock when the heap grows or its free pages fall below a
 * chunk's worth, mapped outside every lock, published under the lock, taken by the next growth
 * of a standard chunk. It counts as mapped (against the limit; a growth at the limit releases it
 * first) and as idle; {@code scavenge} and {@code close} release it; the release of wholly free
 * chunks beyond the retained bytes leaves it. Without a collector nothing asks for it and every
 * growth maps its own chunk, as before.
 *
 * <h2>Goroutine stacks ({@link dev.goheap.heap.Heap#allocateStack}, {@link dev.goheap.heap.Heap#freeStack})</h2>
 * A stack block is an ordinary noscan object (a size-class slot up to 32 KiB, zeroed; a large
 * span above, not zeroed: the stack zeroes what it hands out) that its span marks as a stack:
 * {@code Span.stackBits}, one bit per slot, set and cleared with atomic bit operations (the
 * stack's thread need not own the span), or {@code Span.largeStack}. Its first word is the
 * owning goroutine's id. The one pointer check behind every store path ({@code checkPointer})
 * refuses values in a marked block with {@link dev.goheap.PointerEscapeException} and counts
 * them ({@link dev.goheap.heap.Heap#pointerEscapeCount}): on its failure path for interior
 * pointers, and with one flag test on its success path for a block's first byte. The allocate and
 * free fast paths are unchanged; {@code freeStack} unmarks, then frees. See {@code dev.goheap.stack}.
 *
 * <h2>Thread caches and short-lived threads</h2>
 * A cache holds at most one span per span class. Goroutines flush theirs when they end;
 * {@link dev.goheap.heap.Heap#releaseThreadCache} flushes the caller's; caches of threads that
 * ended without flushing are reaped when new caches register (see {@code ThreadCaches}), so
 * thousands of short-lived threads strand at most about as many caches as are live.
 */
package dev.goheap.heap;
