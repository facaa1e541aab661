package dev.goheap.jmh.realtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.goheap.sched.StopListener;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StopListener} that runs the threads a goheap stop waits for at real-time priority
 * from just before the stop's request to its release, then back at {@code SCHED_OTHER}: the
 * carriers of the goroutines and the collector's thread at {@code SCHED_FIFO} 1, the operator
 * (the thread that requests the stop) at 2, above them. The operator raises itself first and
 * the releasing thread lowers itself last, so that neither is ever below a thread it raised.
 *
 * <p>Why: on a machine with few CPUs, a stop waits for every running goroutine to reach a
 * safepoint, and the thread that runs the pause's work must keep its CPU. The JVM's JIT
 * compiler threads (and anything else on the machine) take those CPUs in the middle of pauses:
 * a carrier queued behind a compiler thread misses the stop's deadline, a compile that the
 * pause's own thread requests preempts it while the other CPU idles (README, "Collector
 * figures", sessions 17 and 21). A real-time thread preempts every normal thread at once, and
 * the kernel moves a waiting one to a CPU that runs only normal threads; for the rest of the
 * time the normal scheduler shares the CPUs as before, so the compiler is not starved (session
 * 19: compiler threads at {@code SCHED_IDLE} for the whole run cost 15–50 % of wall time).
 *
 * <p>Needs Linux and the right to use {@code SCHED_FIFO}: root, {@code CAP_SYS_NICE}, or an
 * {@code RLIMIT_RTPRIO} of at least 2 ({@code ulimit -r 2}); {@link #start()} checks it once
 * and fails with what is missing. Calls {@code sched_setscheduler} through {@link Linker}, a
 * restricted method (core and gc use none: DESIGN decision 1), so the JVM runs with {@code
 * --enable-native-access=ALL-UNNAMED}. The threads are found by name ({@link StopThreads}) by a
 * daemon thread every {@link #SCAN_MILLIS} ms, outside the pauses; the operator, whatever its
 * thread, is added at each request.
 *
 * <p>Cost: one {@code sched_setscheduler} per thread before the request and one after the
 * release, a few microseconds each, neither inside the pause (the world runs meanwhile); a
 * {@code gettid} each.
 *
 * <p><b>Thread safety:</b> the listener's calls come one at a time, each seeing what the one
 * before wrote ({@link StopListener}); the thread list is a volatile array the scanner replaces.
 * <b>Ownership:</b> {@link #close()} stops the scanner; the native memory of the calls' arguments
 * goes with the listener (an automatic arena).
 */
public final class RealtimeStops implements StopListener, AutoCloseable {
    /** How often the threads are looked for again: carriers come and go with the scheduler. */
    public static final long SCAN_MILLIS = 100;

    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    /** The goroutines' carriers and the collector's thread. */
    private static final int FIFO_PRIORITY = 1;
    /** The operator: above the threads it raises (see {@link #beforeStop}). */
    private static final int OPERATOR_PRIORITY = 2;
    private static final int MAX_BOOSTED = 256;

    /** The C library's functions, a class of their own: nothing is looked up before {@link #start}'s OS check. */
    private static final class Native {
        static final Linker LINKER = Linker.nativeLinker();
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        /** {@code int sched_setscheduler(pid_t tid, int policy, const struct sched_param *param)}, errno captured. */
        static final MethodHandle SET_SCHEDULER = LINKER.downcallHandle(
                LINKER.defaultLookup().find("sched_setscheduler").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.captureCallState("errno"));
        /** {@code pid_t gettid(void)}. */
        static final MethodHandle GET_TID = LINKER.downcallHandle(
                LINKER.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    }

    private final StopThreads threads;
    private final Arena arena = Arena.ofAuto(); // freed with the listener: a stop may still call it after close
    private final MemorySegment fifo;
    private final MemorySegment operator;
    private final MemorySegment other;
    private final MemorySegment callState;
    private final Thread scanner;
    private volatile int[] tids = new int[0];
    private volatile boolean closed;

    // The listener's own: written by one call at a time, each seeing the one before (StopListener).
    // At most MAX_BOOSTED threads are raised per stop (a process with more carriers than that
    // would leave the rest at SCHED_OTHER; the demo has three or four).
    private final int[] boosted = new int[MAX_BOOSTED];
    private int boostedCount;
    private volatile long stops;
    private volatile long refusals;
    private volatile int lastErrno;

    private RealtimeStops(StopThreads threads) {
        this.threads = threads;
        this.fifo = arena.allocate(JAVA_INT);
        this.fifo.set(JAVA_INT, 0, FIFO_PRIORITY);
        this.operator = arena.allocate(JAVA_INT);
        this.operator.set(JAVA_INT, 0, OPERATOR_PRIORITY);
        this.other = arena.allocate(JAVA_INT); // sched_priority 0, as SCHED_OTHER requires
        this.callState = arena.allocate(Native.CALL_STATE);
        this.tids = threads.scan();
        this.scanner = Thread.ofPlatform().daemon().name("realtime-stops-scan").unstarted(this::scanLoop);
    }

    /**
     * Checks that this thread may switch to {@code SCHED_FIFO} and back, and returns a listener
     * whose scanner runs.
     *
     * @throws IllegalStateException if the kernel refuses {@code SCHED_FIFO} (no privilege) or
     *     this is not Linux
     */
    public static RealtimeStops start() {
        return start(StopThreads.ofThisProcess());
    }

    /**
     * {@link #start()} for a program's main: where the kernel refuses, prints why on one line of
     * stderr (the last line, which the collector comparison's row shows) and exits with status 2.
     */
    static RealtimeStops startOrExit() {
        try {
            return start();
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            throw e; // not reached
        }
    }

    /** {@link #start()} with the threads that {@code threads} finds. */
    static RealtimeStops start(StopThreads threads) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new IllegalStateException("real-time stops need Linux (sched_setscheduler, /proc/self/task); this is "
                    + System.getProperty("os.name"));
        }
        RealtimeStops rt = new RealtimeStops(threads);
        int self = tid();
        int errno = rt.setScheduler(self, SCHED_FIFO, rt.operator);
        if (errno != 0) {
            throw new IllegalStateException("real-time stops: the kernel refused SCHED_FIFO (errno " + errno
                    + (errno == 1 ? ", EPERM" : "") + "): run as root, with CAP_SYS_NICE, or after `ulimit -r 2`");
        }
        rt.setScheduler(self, SCHED_OTHER, rt.other);
        rt.refusals = 0;
        rt.scanner.start();
        return rt;
    }

    @Override
    public void beforeStop() {
        stops++; // not atomic, and need not be: the calls come one at a time (StopListener)
        boostedCount = 0;
        // The operator first, and above the others: a thread it raised would otherwise take its
        // CPU at once and keep it, and the operator would not get to request the stop (seen as
        // 50-150 ms stops when it came second, with the listener called under the lock). Above
        // them, it also wakes in time to give a stop up at its deadline while they run.
        int self = tid();
        boost(self, operator);
        for (int tid : tids) {
            if (tid != self) {
                boost(tid, fifo);
            }
        }
    }

    @Override
    public void afterRelease() {
        // The releasing thread (the operator, or the goroutine that ran the stop's work) last:
        // it holds the safepoints' lock until it returns, and a thread still raised could
        // otherwise take its CPU and spin for that lock.
        int self = tid();
        boolean selfBoosted = false;
        for (int i = 0; i < boostedCount; i++) {
            if (boosted[i] == self) {
                selfBoosted = true;
            } else {
                setScheduler(boosted[i], SCHED_OTHER, other);
            }
        }
        if (selfBoosted) {
            setScheduler(self, SCHED_OTHER, other);
        }
        boostedCount = 0;
    }

    private void boost(int tid, MemorySegment param) {
        if (boostedCount == MAX_BOOSTED) {
            return;
        }
        if (setScheduler(tid, SCHED_FIFO, param) == 0) {
            boosted[boostedCount++] = tid;
        }
    }

    /** Returns 0, or the errno of a refusal (a thread that has ended: ESRCH), which is counted. */
    private int setScheduler(int tid, int policy, MemorySegment param) {
        try {
            int rc = (int) Native.SET_SCHEDULER.invokeExact(callState, tid, policy, param);
            if (rc == 0) {
                return 0;
            }
            int errno = (int) Native.ERRNO.get(callState, 0L);
            refusals++;
            lastErrno = errno;
            return errno;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setscheduler failed", t);
        }
    }

    /** The calling thread's kernel id (a virtual thread's: its carrier's). */
    static int tid() {
        try {
            return (int) Native.GET_TID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("gettid failed", t);
        }
    }

    private void scanLoop() {
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(SCAN_MILLIS);
                tids = threads.scan();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // /proc unreadable for a moment: keep the last list and look again
            }
        }
    }

    /** Returns the ids of the threads raised at each stop, as last found (the operator aside). */
    int[] threadIds() {
        return tids.clone();
    }

    /** Returns how many stops were requested. */
    public long stops() {
        return stops;
    }

    /** Returns how many {@code sched_setscheduler} calls the kernel refused (threads that had ended, mostly). */
    public long refusals() {
        return refusals;
    }

    /**
     * Stops the scanner. The listener still works, with the threads last found, for any stop
     * its runtime makes after this (close the runtime first).
     */
    @Override
    public void close() {
        closed = true;
        scanner.interrupt();
    }

    @Override
    public String toString() {
        int errno = lastErrno;
        return "RealtimeStops[SCHED_FIFO " + FIFO_PRIORITY + " (operator " + OPERATOR_PRIORITY
                + ") from before the request to the release, threads " + Arrays.toString(tids) + ", " + stops
                + " stops, " + refusals + " refused" + (errno != 0 ? " (last errno " + errno + ")" : "") + "]";
    }
}
