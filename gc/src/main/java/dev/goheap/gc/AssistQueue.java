package dev.goheap.gc;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Assists that found the grey set dry and wait, parked, for the collector's credit (Go's
 * {@code work.assistQueue}, {@code gcParkAssist} and {@code gcFlushBgCredit}).
 *
 * <h2>The protocol</h2>
 * A waiter needs {@code needWork} bytes of mark work that nobody has claimed. In order:
 * <ol>
 *   <li><b>W1</b> ({@link #enqueue}, the assisting goroutine, under {@link #lock}): refused if
 *       the queue is not open for the waiter's cycle (the cycle ended, or the collector
 *       stopped); else the waiter goes to the tail, and only then takes what credit there is
 *       (Go's recheck of {@code bgScanCredit}): if that covers it, it leaves the queue at once
 *       and does not wait.</li>
 *   <li><b>W2</b> the goroutine waits ({@link #await}) until {@link Waiter#done} or its bound.</li>
 *   <li><b>F1</b> ({@link #flush}, after the collector adds credit to {@link MarkWork}): if the
 *       queue is empty, nothing (one volatile read); else, under the lock, gives the credit to
 *       the waiters from the head (FIFO, as Go), and wakes each that it covers.</li>
 *   <li><b>E1</b> ({@link #endCycle}, {@link #close}, under the lock): closes the queue for the
 *       cycle and wakes every waiter.</li>
 *   <li><b>W3</b> ({@link #leave}, under the lock): a waiter that stopped waiting (its bound)
 *       takes itself out; what it was given is final from then on.</li>
 * </ol>
 *
 * <h2>No lost wake-up</h2>
 * <ul>
 *   <li><b>Park vs the cycle's end</b> (jcstress {@code AssistQueueStress.ParkVsCycleEnd}): 1) the
 *       goroutine decides to wait for cycle c, 2) the collector ends c and wakes the queue,
 *       3) the goroutine enqueues and waits for a cycle that is over. Prevented: W1 and E1
 *       hold the lock, and W1 compares the queue's cycle under it, so a W1 after E1 is refused
 *       and a W1 before E1 is woken by it.</li>
 *   <li><b>Park vs the credit flush</b> (jcstress {@code AssistQueueStress.ParkVsCreditFlush}):
 *       1) the goroutine finds too little credit, 2) the collector adds credit and, the queue
 *       being empty, wakes nobody, 3) the goroutine enqueues and waits while the credit it needs
 *       sits unclaimed. Prevented as in Go: W1 takes credit after it enqueues (a volatile write
 *       of the size, then a read of the credit), F1 reads the size after it adds credit;
 *       volatile accesses are sequentially consistent, so one of them sees the other.</li>
 *   <li>A wake-up that comes before the wait: {@link Waiter#done} is written before the
 *       {@link LockSupport#unpark}, and W2 reads it before every {@code park}, so it is never
 *       missed; a stray unpark (from a stop's condition wait meanwhile) only makes W2 look again.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> every method on any thread; the queue and the waiters' counts are
 * guarded by {@link #lock}, a leaf (nothing is taken under it: {@link MarkWork} is lock-free,
 * {@link LockSupport#unpark} does not block). Nothing here allocates on the Java heap per wait:
 * each goroutine reuses its one {@link Waiter}, and the deque grows to the goroutine count.
 */
final class AssistQueue {
    /** One goroutine's wait; made once per goroutine and reused. */
    static final class Waiter {
        final Thread thread;
        long needWork;      // guarded by lock while queued; the owner's otherwise
        long gotWork;       // guarded by lock while queued; final for the owner after leave
        boolean queued;     // guarded by lock
        volatile boolean done; // set (then the thread unparked) when covered, or the cycle is over

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /** {@link #cycle} once the collector stopped: no cycle matches it again. */
    private static final long CLOSED = -1;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock
    private long cycle;          // guarded by lock: the cycle whose assists may wait; 0: none
    private volatile int size;   // written under lock; read racily by flush's fast path

    /** Mark start (world stopped): assists of {@code cycleNumber} may wait from now on. */
    void beginCycle(long cycleNumber) {
        lock.lock();
        try {
            if (cycle != CLOSED) {
                cycle = cycleNumber;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Step W1: queues {@code w} for {@code needWork} bytes of {@code cycleNumber}'s work, taking
     * what {@code work} has unclaimed. Returns true if it must wait ({@link #await}, then
     * {@link #leave}); false if the cycle is over (nothing taken) or the credit covered it
     * ({@link Waiter#gotWork} says how much was taken).
     */
    boolean enqueue(Waiter w, long cycleNumber, long needWork, MarkWork work) {
        lock.lock();
        try {
            w.needWork = needWork;
            w.gotWork = 0;
            w.done = false;
            if (cycle != cycleNumber || cycleNumber <= 0) {
                return false;
            }
            waiters.addLast(w);
            w.queued = true;
            size = waiters.size(); // volatile write, then the read of the credit: see the class note
            w.gotWork = work.steal(needWork);
            if (w.gotWork >= needWork) {
                removeLocked(w);
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Step W2: waits until {@code w} is covered, its cycle is over, or {@code deadlineNanos} passes. */
    static void await(Waiter w, long deadlineNanos) {
        while (!w.done) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(w, left);
        }
    }

    /** Step W3: takes {@code w} out of the queue if it is still there; its {@code gotWork} is final after. */
    void leave(Waiter w) {
        lock.lock();
        try {
            if (w.queued) {
                removeLocked(w);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Step F1, after credit was added to {@code work}: gives it to the waiters from the head
     * and wakes those it covers. One volatile read when nobody waits.
     */
    void flush(MarkWork work) {
        if (size == 0) {
            return;
        }
        lock.lock();
        try {
            Waiter w;
            while ((w = waiters.peekFirst()) != null) {
                long got = work.steal(w.needWork - w.gotWork);
                w.gotWork += got;
                if (w.gotWork < w.needWork) {
                    return; // the credit is used up: the head waits for more
                }
                removeLocked(w);
                wake(w);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Step E1 at mark termination: {@code cycleNumber} is over; every waiter is woken. */
    void endCycle(long cycleNumber) {
        lock.lock();
        try {
            if (cycle == cycleNumber) {
                cycle = 0;
            }
            wakeAllLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Step E1 when the collector stops: no assist waits from now on; every waiter is woken. */
    void close() {
        lock.lock();
        try {
            cycle = CLOSED;
            wakeAllLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of waiting assists (a racy snapshot, for tests and reports). */
    int size() {
        return size;
    }

    private void wakeAllLocked() {
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            w.queued = false;
            wake(w);
        }
        size = 0;
    }

    private void removeLocked(Waiter w) {
        waiters.remove(w);
        w.queued = false;
        size = waiters.size();
    }

    private static void wake(Waiter w) {
        w.done = true; // before the unpark: await reads it before every park
        LockSupport.unpark(w.thread);
    }
}
