/**
 * Safepoints, stops of the world and handshakes for goroutines: Go's {@code stopTheWorld} /
 * {@code startTheWorld}, {@code forEachP} and the {@code g.preempt} checks in function
 * prologues, for DESIGN decisions 3 (roots, parking) and 7 (stop-the-world, stacks scanned at a
 * handshake). {@link dev.goheap.sched.Safepoints} is the API; this note is the design.
 *
 * <h2>The short version</h2>
 * <b>Mutators</b> are goroutines registered with a {@code Safepoints}: {@link
 * dev.goheap.stack.Goroutines} does it before a task runs (or when a thread attaches) and undoes
 * it before the stack is freed. Each is RUNNING, PARKED (outside goheap), STOPPED (at a
 * safepoint, for a stop) or HELD (parked, and held by the running stop or handshake).
 * <ol>
 *   <li><b>Safepoints</b>: a running goroutine calls {@link dev.goheap.sched.Safepoints#poll()}
 *       at every heap allocation, push, pop and goroutine start ({@code go}), and wherever else
 *       it likes. With nothing pending that is one volatile read.</li>
 *   <li><b>Parking</b>: around a call that blocks outside goheap, a goroutine {@link
 *       dev.goheap.sched.Safepoints#park}s and {@link dev.goheap.sched.Safepoints#unpark}s (or
 *       wraps the call in {@link dev.goheap.sched.Safepoints#parked}); no stop or handshake waits
 *       for a parked goroutine, and {@code unpark} waits while one holds it.</li>
 *   <li><b>Stop</b>: {@link dev.goheap.sched.Safepoints#stopTheWorld} raises the pending flag
 *       and waits until every running goroutine has stopped at its next safepoint (or the
 *       deadline passes: it then releases them and returns false); {@link
 *       dev.goheap.sched.Safepoints#startTheWorld} releases them. It counts the running ones
 *       rather than visiting every goroutine: parked ones are left alone, and one that unparks
 *       meanwhile either was counted (and stops at its next safepoint) or waits for the release.
 *       So a stop costs the same with 10 000 parked goroutines as with none.</li>
 *   <li><b>Handshake</b>: {@link dev.goheap.sched.Safepoints#handshake} posts an action to every
 *       goroutine; a running one runs it on its own thread at its next safepoint, a parked one is
 *       held while the caller runs it. At the deadline, actions not started are cancelled and
 *       reported.</li>
 * </ol>
 *
 * <h2>Where the code is</h2>
 * {@code Safepoints} is the API and holds the shared state. The paths: {@code MutatorPaths}
 * (poll's slow path, M1-M3, O1-O2, P, U1-U3), {@code Registration} (R, D), {@code PlainStop}
 * (S1, S6) and {@code WorldStop} (S2-S5), {@code HandedOffStop} and {@code StopHandoff} (P1-P5),
 * {@code HandshakeRun} (H1-H6), {@code OperatorSlot} (the operator's slot, the pending flag's
 * writes and the operator's wake-ups); {@code StopState} keeps the stops' state and reports;
 * {@code ReleaseWaiters} is the lock-free wait for a release (M3's wake-ups aside: U2, R, D).
 *
 * <h2>Names</h2>
 * <pre>
 *   Go                                   goheap
 *   g.atomicstatus (_Grunning, ...)      Mutator.state: RUNNING, PARKED, HELD, STOPPED, ...
 *   stack-bound check in the prologue    Safepoints.poll(): one volatile read of pending
 *   entersyscall / exitsyscall           park() / unpark(), or parked(call)
 *   stopTheWorld / startTheWorld         stopTheWorld(deadline) / startTheWorld()
 *   forEachP(fn) / safe-point functions  handshakeReport(action, deadline)
 *   "suspendG" of a goroutine in a       the operator holds a parked goroutine (HELD) and
 *   syscall, to scan its stack           runs the action itself
 * </pre>
 *
 * <h2>Structures</h2>
 * <pre>
 *   Safepoints (one per runtime)
 *     pending   volatile int: STOP | HANDSHAKE      written under lock, read racily by poll()
 *     operator  volatile Thread                     the thread running a stop or handshake (CAS)
 *     lock      SpinThenParkLock (ReentrantLock)    registry, pending's writes, figures, the operator's waits
 *       released  Condition                         a held goroutine's deregistration waits here
 *     unparkWaiters  ReleaseWaiters (Treiber stack)  U2, R and D wait parked without the lock; every release wakes all
 *       arrived   Condition                         the operator waits: "something may be done now"
 *     operatorWaiting  volatile boolean             the operator is (about to be) blocked on arrived
 *     registry  Mutator[] + size (swap-remove)      guarded by lock; read racily by the dead-thread look
 *     active    ActiveCount: ActiveStripe[n]        goroutines RUNNING or STOPPED: +1 at unpark, -1 at park and end,
 *                 padded volatile ints, atomic add  each goroutine to its own stripe; a stop reads the sum (S2)
 *     stops     StopState: stopped Mutator[] + count  the goroutines stopped for this stop (M2), guarded by lock
 *     current   ThreadLocal&lt;Mutator&gt;               the calling goroutine's record (slow paths only)
 *   Mutator (one per goroutine, made with it)
 *     state     volatile int, CAS                   the diagram below
 *     op        volatile int, CAS                   NONE, REQUESTED, CLAIMED, DONE
 *     action    MutatorAction                       written before op = REQUESTED
 *     activeStripe  final ActiveStripe              its stripe of active: Fibonacci hash of the goroutine's id
 * </pre>
 * {@code active}'s stripes: n = max(4, the next power of two of 2 * CPUs), at most 64 (4 on a
 * 2-CPU machine). Each is an object of its own ({@code ActiveStripe}) with its value between
 * 128 bytes of padding on each side (a line pair, which Intel's spatial prefetcher moves
 * together), and the goroutine's record points at it, so an add is one load and one atomic
 * add. A goroutine's stripe is fixed when its record is made, and every add for it goes there:
 * P, U1's +1 and its undo, U2's +1, D, and the operator's removal of a dead one. Consecutive
 * ids never share a stripe. Why striped: with one counter, park+unpark on two threads of one
 * runtime cost 60-71 ns against 12.5 ns on one (the line moved between the cores at every
 * add); a stop's look reads n lines instead of one.
 *
 * <h2>States</h2>
 * <pre>
 *                   R                                  P (owner)
 *        NEW -----------------&gt; PARKED &lt;---------------------------------+
 *                               |  ^   |                                 |
 *              H4: CAS by the   |  |   | U1: CAS by the owner,           |
 *              handshake's      v  |   | no stop pending                 |
 *              operator       HELD |   +-----------------------------&gt; RUNNING
 *                               |  |                                   |    ^
 *                               +--+ H4: release                  M2:  |    | S6: release,
 *                               (the operator, under lock)      owner, v    | the operator
 *                                                             at a     STOPPED  under lock
 *                                                             safepoint,
 *                                                             under lock
 *
 *   D (deregister): RUNNING or PARKED --CAS--&gt; DEREGISTERED; from HELD it waits for the release.
 *   A RUNNING goroutine whose thread died is deregistered by the operator or by close().
 * </pre>
 * Who may change what: only the owner leaves RUNNING (M2, P, D); only a handshake's operator
 * enters and leaves HELD (H4) and only a stop's leaves STOPPED (S6); PARKED to RUNNING is the
 * owner's CAS (U1), PARKED to HELD the handshake's, so exactly one of them wins. A stop holds
 * no one: it counts ({@code active}) instead (race 3).
 *
 * <h2>What "parked" allows</h2>
 * A parked goroutine runs Java code that does not touch goheap: it blocks on I/O, locks, queues,
 * sleeps, computes on the Java heap. It must not use the heap, its stack or the fixed segments:
 * the collector may be scanning its stack meanwhile. Its safepoints check this while something
 * is pending ({@link java.lang.IllegalStateException}), which covers every time it matters: a
 * goroutine is only HELD while an operation is pending. A park is a safepoint: a pointer kept
 * only in a Java local is no root while parked (keep it in a frame's pointer slot). A parked
 * goroutine's stack is never moved, so stack addresses kept in Java locals survive a park; every
 * other safepoint (push, pop, allocation, poll) may shrink the stack at a handshake.
 *
 * <h2>Mutator paths</h2>
 * <ol>
 *   <li><b>Poll</b>: {@code if (pending != 0) pollSlow()}. The slow path: if the caller is no
 *       registered goroutine, runs an action already, or is the operator, return; if parked,
 *       throw; then loop: STOP pending: M1-M3; an op REQUESTED for it: O1-O2; else return.</li>
 *   <li><b>M0</b> if the lock stays taken through a short spin and threads already wait queued
 *       for it (and the goroutine runs no action): stop by parking instead: P without its poll ({@code state = PARKED},
 *       {@code active -= 1}, race 4's signal), then U2 (wait parked for the release), then back
 *       to the loop, RUNNING. A parked goroutine is as safe for the stop as a stopped one; it
 *       neither claims the work nor is in the stopped list. Why: thousands of goroutines
 *       starting or ending at once queued for the lock as virtual threads, each hand-over waited
 *       for a carrier behind hundreds of runnable ones, and a stop waited for the whole queue.
 *       A goroutine that waits for a heap lock at an allocation's safepoint waits parked too
 *       ({@code GcHooks.lockParked}: P, take the lock, {@link Safepoints#tryUnpark}, and if
 *       that fails, let the lock go before U2), so no stop waits for the heap's lock queues.
 *       <b>M1</b> take the lock; if STOP is clear now, or the stop was abandoned (P4), return.
 *       <b>M2</b> {@code state = STOPPED} and into the stop's stopped list (its count is read
 *       racily, S2); signal {@code arrived} if the operator waits.
 *       <b>M3</b> leave the lock and park ({@code LockSupport}) while {@code state == STOPPED}
 *       (a virtual thread unmounts); S6 changes it, to RUNNING, and unparks it, or, in a stop
 *       with posted work, the goroutine itself once the stop is abandoned (P4). Not a wait
 *       on {@code released}: a condition's waiter takes the lock again to leave, so released
 *       goroutines queued for it by hundreds, ahead of the next stop's request and release.</li>
 *   <li><b>O1</b> CAS {@code op} REQUESTED to CLAIMED; run the action on this thread (its
 *       safepoints do nothing meanwhile; what it throws is kept). <b>O2</b> {@code op = DONE};
 *       signal {@code arrived} if the operator waits.</li>
 *   <li><b>P (park)</b>: refuse unless RUNNING and outside an action; if something is pending,
 *       poll first (so a pending action runs here, on the owner); {@code state = PARKED}, then
 *       {@code active -= 1} (in its stripe, as every add below); signal the operator if it
 *       waits (race 4).</li>
 *   <li><b>U1 (unpark)</b>: fast path, if nothing is pending: {@code active += 1}, then read
 *       pending again; if still nothing, CAS PARKED to RUNNING and return. Else (a stop or
 *       handshake came meanwhile, or the CAS failed: held) {@code active -= 1}, signal the
 *       operator if it waits, and take U2. <b>U2</b>, holding no lock: while HELD, or PARKED with
 *       STOP pending (and the caller is not the operator), wait parked ({@code ReleaseWaiters}:
 *       push itself, look again, park; every release changes the state, then unparks every
 *       waiter); then as U1 with only STOP in the way: {@code active += 1}, look at STOP again,
 *       CAS PARKED to RUNNING, or undo and wait again. Not a wait on a condition of the lock:
 *       its waiters take the lock again to leave, and a thousand queued for it at each release
 *       in the many-goroutines runner. <b>U3</b> poll, so an action posted while parked runs
 *       now.</li>
 *   <li><b>R (register)</b>, on the goroutine's thread before its task: while a stop is pending,
 *       wait for its release parked, holding no lock (as U2 waits); under the lock, NEW to
 *       PARKED and into the registry; then unpark (U1-U3): it waits while the world is stopped.</li>
 *   <li><b>D (deregister)</b>, on its thread when it ends or detaches, before its stack is freed:
 *       if RUNNING (and not in an action or the operator), P without its poll first (an ending
 *       goroutine leaves, it does not stop; no stop waits while it queues for the lock); unless
 *       still RUNNING, wait parked while a stop is pending, as R does; then
 *       under the lock, CAS RUNNING or PARKED to DEREGISTERED (waiting on {@code released} while
 *       HELD; from RUNNING, {@code active -= 1}); out of the registry; signal {@code arrived}. No
 *       stop waits for it: a stopper counts it as parked forever, and what its thread does
 *       afterwards (freeing its stack, flushing its heap cache) goes through the heap's locks
 *       like any thread's.</li>
 * </ol>
 *
 * <h2>Stop ({@code stopTheWorld}, {@code startTheWorld})</h2>
 * <ol>
 *   <li><b>S1</b> CAS {@code operator} null to the caller (else IllegalStateException); tell the
 *       {@link dev.goheap.sched.StopListener stop listener}, if any, holding no lock (the world
 *       still runs: not in the pause); under the lock, note the request's time ({@code
 *       lastRequestNanos}) and whether the caller is itself a running goroutine (it never stops
 *       for its own stop), and set STOP.</li>
 *   <li><b>S2</b> the world is stopped when the stopped count (plus the caller's own goroutine,
 *       if it runs) equals {@code active}, read in that order, {@code active} as the sum of its
 *       stripes, each a volatile read, one after the other. A goroutine that stops after the
 *       stopped count was read is in the sum but not in the stopped count (stopped ones stay
 *       active, the count of stopped only grows), and one that parks or ends between two stripe
 *       reads can only make the sum too high (its stripe may be read before its -1): neither
 *       makes the test true early; the stop looks again. Each stripe holds at least its
 *       goroutines that run or stopped, since a goroutine is counted before it may run (U1 and
 *       U2 add, then look at STOP again) and stays counted until it has parked or ended; so the test holds only if every goroutine in
 *       the sum but the caller's had stopped when the stopped count was read. Parked goroutines
 *       are not looked at.</li>
 *   <li><b>S4</b> spin 32 looks, then (past the spin, at most once a millisecond) deregister
 *       running goroutines whose thread died (a pass over the registry: they would never stop),
 *       and block: under
 *       the lock, {@code operatorWaiting = true}, look again, wait on {@code arrived} (at most
 *       1 ms), until the deadline.</li>
 *   <li><b>S5</b> deadline passed: S6, return false.</li>
 *   <li><b>S6</b> (startTheWorld or S5) under the lock: clear STOP; the stopped list's
 *       goroutines to RUNNING (the release), then unparked and the list emptied; signal
 *       every U2 waiter and {@code released} (a held deregistration); tell the stop listener,
 *       if any (once: only the S6 that clears STOP); then {@code operator = null}.</li>
 * </ol>
 * Whoever requests a stop (S1) or releases it (S5, S6, P2's claimant, P4's goroutine) takes the
 * lock barging ({@code SpinThenParkLock.lockBarging}: {@code tryLock} again and again, never
 * queued): goroutines that start, end or unpark queue for it by hundreds, and a release that
 * queued behind them came 128-206 ms after its deadline.
 * A goroutine that registers during the stop enters PARKED and its unpark waits in U2 until S6;
 * one that was parked at the request and unparks during the stop either was counted by S2 (its
 * U1 count came first) and stops at its next safepoint, or sees STOP in U1 and waits (race 3).
 * So no goroutine runs goheap code while the world is stopped, though the stop never visits the
 * parked ones. (Until session 11 a stop held each parked goroutine by CAS, S3, and released each:
 * 2-5 ms with 10 000 parked goroutines, in every pause.)
 *
 * <h2>Stop handoff ({@code stopTheWorldAndRun})</h2>
 * A stop can carry its work ({@link dev.goheap.sched.StopWork}), run by whichever thread
 * completes the stop. Why: in S4 the operator blocks, and the last goroutine to stop wakes it;
 * on two CPUs busy with the JIT's compiler threads that wake-up took 1.3-4 ms (perf sched: the
 * operator queued behind a compiler thread while the other CPU went idle), the larger part of
 * the collector's pauses. The last goroutine is on a CPU already. The handoff's state
 * ({@code StopHandoff}) moves by CAS from POSTED to exactly one of CLAIMED or ABANDONED.
 * <ol>
 *   <li><b>P1</b> (S1) under the lock with STOP: post the work and the deadline.</li>
 *   <li><b>P2</b> a goroutine at M2, under the lock, after it set STOPPED: if the work is posted
 *       and the world is stopped by S2's test, CAS POSTED to CLAIMED. Claimed: it leaves the lock, runs the work
 *       with {@code inAction} set (its polls return at once, park refuses), then under the lock
 *       does S6 without ending the operation and sets DONE; it goes on RUNNING. An arrival
 *       that does not claim does not wake the operator: a later arrival claims, and a park or an
 *       end wakes it (Dekker on {@code operatorWaiting}, as in S4).</li>
 *   <li><b>P2a</b> the operator, past its spin, waits parked ({@code LockSupport}) without the
 *       lock until the deadline, woken by {@code OperatorSlot.wakeLocked} (a DONE, a park, an
 *       end): an operator preempted while holding the lock kept a finished work's release
 *       waiting 0.65-1.1 ms, and the goroutines take the lock to stop and to release.</li>
 *   <li><b>P3</b> the operator, at S4 with every goroutine safe, CAS POSTED to CLAIMED: if it
 *       wins, it runs the work and releases as {@code stopTheWorld} and {@code startTheWorld}
 *       would. It takes no lock before the work: a goroutine that just stopped may hold it.</li>
 *   <li><b>P4</b> abandon, lock-free: at the deadline, the operator or a stopped goroutine (each
 *       wakes for it: M3 waits only until then) CASes POSTED to ABANDONED and takes the time. That
 *       is the stop's release point; its winner wakes the U2 waiters ({@code unparkWaiters}) and
 *       the operator. Then the operator, under the lock, cleans up: S6 (STOP cleared, the stopped
 *       list's goroutines CASed from STOPPED to RUNNING, the release time the abandon's), the
 *       report, the handoff cleared (NONE).</li>
 *   <li><b>P5</b> the operator that loses a CAS to a claim, or sees the state leave POSTED for
 *       CLAIMED, stops looking and waits for DONE; then it rethrows what the work threw, and
 *       ends the operation ({@code operator = null}).</li>
 * </ol>
 * The work happens-before DONE (under the lock), which happens-before the operator's return.
 * Races tested by jcstress {@code SafepointStress.HandoffAtPoll} (the work runs once, with no
 * goroutine RUNNING), {@code HandoffVsDeadline} (claimed or abandoned, never both) and {@code
 * AbandonThenPark} (the cleanup leaves a goroutine that released itself and parked parked).
 *
 * <h2>Abandon (P4)</h2>
 * Between the abandon and the cleanup, STOP is still set but stops no one: a stopped goroutine
 * that sees ABANDONED CASes itself from STOPPED to RUNNING and runs on (M3); a goroutine at its
 * poll that reads STOP, then ABANDONED, does not stop (M1, and M2 under the lock); a parked
 * goroutine's unpark, and R and D, treat ABANDONED as no stop (U2's {@code mayRunNow}). Why
 * lock-free: the cleanup needs the lock, and a goroutine that took it to stop just before the
 * deadline was seen blocked inside it for 2.6 ms (a compile request waiting for a compiler
 * thread off its CPU), the world with it; a 12.4 ms aborted stop at start-up was another.
 * Why reading STOP, then the state, is enough: the state is the latest posted stop's, and a new
 * stop posts only after the cleanup (NONE) under the operator slot; so ABANDONED read after STOP
 * means that no stop was live at the read. One that is requested later counts a goroutine that
 * added itself to the active count before its reads (race 3), and waits for its next poll.
 *
 * <h2>Handshake ({@code handshakeReport}, {@code handshake})</h2>
 * <ol>
 *   <li><b>H1</b> CAS {@code operator}; under the lock, copy the registry (or the given
 *       goroutines that are registered), leaving out the caller's own goroutine.</li>
 *   <li><b>H2</b> still under the lock, for each: {@code action}, then {@code op = REQUESTED};
 *       then set HANDSHAKE (a poll that sees HANDSHAKE finds its op).</li>
 *   <li><b>H3</b> the caller's own goroutine, if it is one, runs the action at once.</li>
 *   <li><b>H4</b> pass over the rest: op DONE: done by its owner. DEREGISTERED (or its thread
 *       died): CAS op to NONE, "ended" (if it fails, race 10). PARKED: CAS state to HELD, then
 *       CAS op REQUESTED to CLAIMED and run the action on the caller (if the CAS fails the owner
 *       ran it before it parked); release: state = PARKED under the lock, signal {@code
 *       released}. RUNNING: wait (it runs O1-O2 at its next safepoint, or parks). Spin, then
 *       block as in S4 (on {@code operatorWaiting} and {@code arrived}) until the deadline.</li>
 *   <li><b>H5</b> deadline: for each left, CAS op REQUESTED to NONE: cancelled, reported in
 *       {@code notDone}, and it will never run; if the CAS fails its owner claimed it: wait for
 *       DONE (an action is short).</li>
 *   <li><b>H6</b> under the lock: clear HANDSHAKE, reset every op to NONE and drop the action;
 *       then {@code operator = null}; rethrow the first failure of an action.</li>
 * </ol>
 * If the caller has stopped the world, a handshake runs every action on the caller at once:
 * every goroutine is STOPPED or PARKED (a parked one's unpark waits in U2); a parked one is held
 * (CAS to HELD) for its action and released to PARKED, still waiting.
 *
 * <p><b>Goroutines that register during a handshake are left out</b>, and that is safe for
 * the collector: a new goroutine's stack is empty when it registers (registration comes
 * before its task, or is the attach of a thread with a fresh stack), so it holds no pointer the
 * collector has not seen elsewhere; every pointer it will store in its frames it must first
 * load from the heap, the data segment or a pinned handle, or allocate (black, during marking).
 * Go treats goroutines created during marking the same way.
 *
 * <h2>Races (each step above that prevents one is named)</h2>
 * <ol>
 *   <li><b>Poll at the stop request</b> (jcstress {@code PollAtStopRequest}): 1) a goroutine reads
 *       pending = 0, 2) the stopper sets STOP, 3) the goroutine runs on. Harmless: the stopper
 *       sees it RUNNING and waits for its next safepoint (S2). The reverse: 1) it reads STOP,
 *       2) the stop times out and releases, 3) it stops and waits for a release that already
 *       happened. Prevented by M1: STOP is checked again under the lock that S6 holds.</li>
 *   <li><b>Register during a stop</b>: 1) the stopper reads the counts, 2) a goroutine
 *       registers and runs, 3) the stopper declares the world stopped while it runs. Prevented
 *       by S1 and R sharing the lock: a registration after S1 sees STOP in its unpark and waits
 *       in U2 (it enters PARKED, not counted).</li>
 *   <li><b>Unpark during a stop</b> (jcstress {@code UnparkRacesStop}, and {@code
 *       UnparkOnTwoStripes}: two goroutines on different stripes, the second the stopper;
 *       Dekker): 1) the stopper sets STOP and reads {@code active} without this goroutine,
 *       2) it unparks and pushes,
 *       3) the stopper takes the world for stopped while it runs. Prevented by U1's order: the
 *       goroutine adds +1 to its own stripe, then reads pending; the stopper writes STOP, then
 *       reads every stripe. Both sides are sequentially consistent (an atomic add, volatile
 *       reads and writes), so per stripe either the stopper's read of it sees the +1 (and waits
 *       for the goroutine to stop at its next safepoint) or the goroutine's read sees STOP (and
 *       it takes the +1 back and waits in U2 without ever being RUNNING). The stripes need not
 *       be read at one instant: the argument is per goroutine, and each goroutine's adds go to
 *       one stripe. A handshake that holds it meanwhile makes its CAS fail: U2 too.</li>
 *   <li><b>Lost wakeup of the operator</b>: 1) the operator finds a goroutine RUNNING, 2) it
 *       parks (or stops, ends, finishes its action), 3) the operator blocks on {@code arrived}
 *       and nobody signals. Prevented: the operator writes {@code operatorWaiting = true} and
 *       only then looks again, holding the lock until it blocks; the goroutine writes its new
 *       state and only then reads {@code operatorWaiting} and signals under the lock. Volatile
 *       accesses are sequentially consistent, so one of the two sees the other's write.</li>
 *   <li><b>A stale STOPPED</b>: 1) stop A ends, 2) stop B starts and counts a goroutine still
 *       STOPPED from A, 3) the goroutine wakes, sets RUNNING and runs in B. Prevented: a
 *       goroutine never leaves STOPPED itself; S6 sets RUNNING under the lock before the
 *       operator slot is free, so B never sees A's STOPPED.</li>
 *   <li><b>An action twice</b> (jcstress {@code HandshakeVsPark}): 1) the goroutine claims the
 *       action at a safepoint, 2) parks, 3) the caller holds it and runs it again. Prevented:
 *       the owner (O1), the caller (H4) and the cancel (H5) all CAS op from REQUESTED; only
 *       one succeeds. An action may not park (P refuses), so a held goroutine's op is never
 *       CLAIMED mid-run.</li>
 *   <li><b>A late action</b>: 1) the handshake times out and returns, 2) the goroutine polls
 *       and runs the stale action. Prevented by H5's CAS to NONE; a claimed op is waited for.</li>
 *   <li><b>Scanning a freed stack</b>: 1) the caller holds a parked goroutine and scans it,
 *       2) the goroutine's task returns and its end frees the stack, 3) the scan reads freed
 *       memory. Prevented by D: PARKED to DEREGISTERED is a CAS that fails on HELD; it waits.</li>
 *   <li><b>The stopper is a goroutine</b>: 1) it stops the world, 2) it allocates, 3) its poll
 *       sees STOP and it stops itself, forever. Prevented: S1 and H1 leave out the operator's
 *       own goroutine, and its polls return at once.</li>
 *   <li><b>Done, then ended, between two reads</b> (found by jcstress {@code HandshakeVsPark}):
 *       1) the operator reads op REQUESTED, 2) the goroutine claims and runs the action, sets
 *       DONE and deregisters, 3) the operator reads DEREGISTERED and takes the action for never
 *       run. Prevented: "ended" is a CAS of op from REQUESTED to NONE (H4); when it fails the op
 *       is DONE, and the next pass counts it as done by its owner.</li>
 * </ol>
 *
 * <h2>Happens-before</h2>
 * <ul>
 *   <li><b>Goroutine to operator</b>: everything a goroutine did before it stopped (M2, a
 *       volatile write under the lock), parked (P, a volatile write), finished its action (O2)
 *       or deregistered (D, a CAS) happens-before the operator's read of that state, op or
 *       count (S2 reads the counts, which a park or an end writes after the state, to the
 *       goroutine's own stripe, which S2 reads, and a stop after it set STOPPED under the lock;
 *       H4 reads states and ops or CASes them). So the
 *       stopper or handshaker sees the goroutine's stack and heap writes.</li>
 *   <li><b>Operator to goroutine</b>: everything the operator did while holding (its stack scan,
 *       a header written back by {@code flushTop}) happens-before S6's or H4's release (volatile
 *       writes under the lock), which the goroutine reads in M3, U1 or U2 before it runs on.
 *       The action posted at H2 happens-before the owner's CAS in O1.</li>
 *   <li><b>Registration</b>: the registry is written and copied under the lock.</li>
 * </ul>
 *
 * <h2>Lock</h2>
 * One lock per runtime, {@code Safepoints.lock}, a leaf: nothing else is taken while it is held
 * and no action runs under it. The mutator paths that block ({@code poll}, {@code park},
 * {@code unpark}, {@code register}, {@code deregister}) must be called holding no lock that the
 * collector or another goroutine may need: the heap must poll before it takes its own locks, and
 * {@code Goroutines.close()} deregisters dead threads with its lock released.
 *
 * <h2>Deadlines and costs (for the collector)</h2>
 * <ul>
 *   <li>Deadlines are {@link java.lang.System#nanoTime()} values. Both operations look at every
 *       goroutine at least once, so a deadline in the past means "only if no one is running".
 *       {@code stopTheWorldAndRunWithin} takes a timeout instead, counted from S1's request
 *       time: an operator that loses its CPU on its way to the request (seen for 5-11 ms at
 *       start-up, behind the JIT's compiler threads) then neither gives its stop up before any
 *       goroutine heard of it nor counts the delay as a pause: a pause runs from the request
 *       ({@code lastRequestNanos()}) to the release ({@code lastReleaseNanos()}).</li>
 *   <li>A stop that returns false has released everything; its time still counts as a pause
 *       (request to release) in the figures. A handshake that returns an incomplete result
 *       has cancelled the rest: retry them with {@code handshakeReport(result.notDone(), ...)}.
 *       A handshake may overrun its deadline by the actions that had started.</li>
 *   <li>While a stop or handshake is pending, every poll of every goroutine takes the slow path
 *       (a ThreadLocal read and a few volatile reads) until the operation ends.</li>
 *   <li>The release unparks the stopped goroutines one by one, under the lock, after the
 *       release point, then U2's waiters (goroutines that registered or unparked during the
 *       stop, and M0's): about a microsecond each, which delays the restart, not the pause.</li>
 *   <li>A stop's cost does not grow with parked goroutines: each look reads the stopped count
 *       and the n stripes of {@code active} (n lines, 4 on 2 CPUs, at most 64), and the release
 *       walks the stopped list. Only a stop still waiting past its spin (the dead-thread check,
 *       once a millisecond) and the report of a missed stop (after its release) walk every
 *       goroutine. The price is on park and unpark: one atomic add each on the goroutine's own
 *       stripe of {@code active}, a line that goroutines on other stripes do not write (two
 *       goroutines share a stripe only if their ids hash together: never consecutive ones).</li>
 * </ul>
 */
package dev.goheap.sched;
