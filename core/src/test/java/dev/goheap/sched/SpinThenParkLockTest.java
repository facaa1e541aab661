package dev.goheap.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;

class SpinThenParkLockTest {
    private int counter; // guarded by the lock under test

    @Test
    void shouldExcludeEachOtherWhenVirtualAndPlatformThreadsContend() throws Exception {
        SpinThenParkLock lock = new SpinThenParkLock();
        int perThread = 200_000;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Runnable body = () -> {
                for (int i = 0; i < perThread; i++) {
                    lock.lock();
                    try {
                        counter++; // a lost update if two threads were inside at once
                    } finally {
                        lock.unlock();
                    }
                }
            };
            threads.add(t % 2 == 0 ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(4 * perThread, counter);
        assertFalse(lock.isLocked());
    }

    @Test
    void shouldParkAfterSpinningWhileTheHolderKeepsTheLock() throws Exception {
        SpinThenParkLock lock = new SpinThenParkLock();
        lock.lock();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            lock.lock();
            acquired.countDown();
            lock.unlock();
        });
        assertFalse(acquired.await(50, TimeUnit.MILLISECONDS), "the lock is held: lock() must not return");
        assertTrue(lock.hasQueuedThread(waiter), "past its spins, the waiter queues (parks) as ReentrantLock does");
        lock.unlock();
        assertTrue(acquired.await(10, TimeUnit.SECONDS));
        waiter.join();
    }

    @Test
    void shouldWaitForTheLockBargingWithoutJoiningItsQueue() throws Exception {
        SpinThenParkLock lock = new SpinThenParkLock();
        lock.lock();
        CountDownLatch acquired = new CountDownLatch(1);
        List<Thread> bargers = new ArrayList<>();
        for (Thread.Builder b : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
            bargers.add(b.start(() -> {
                lock.lockBarging();
                acquired.countDown();
                lock.unlock();
            }));
        }
        assertFalse(acquired.await(50, TimeUnit.MILLISECONDS), "the lock is held: lockBarging must not return");
        for (Thread t : bargers) {
            assertFalse(lock.hasQueuedThread(t), t + " queued: a release would wait behind the queue");
        }
        lock.unlock();
        for (Thread t : bargers) {
            t.join(10_000);
            assertFalse(t.isAlive(), t + " never took the lock");
        }
        assertFalse(lock.isLocked());
    }

    @Test
    void shouldBeReentrantAndKeepConditionsWorking() throws Exception {
        SpinThenParkLock lock = new SpinThenParkLock();
        Condition signalled = lock.newCondition();
        boolean[] flag = new boolean[1];
        Thread waiter = Thread.ofVirtual().start(() -> {
            lock.lock();
            try {
                lock.lock(); // reentrant
                lock.unlock();
                while (!flag[0]) {
                    signalled.awaitUninterruptibly(); // releases the lock; lock() would deadlock otherwise
                }
            } finally {
                lock.unlock();
            }
        });
        while (true) {
            lock.lock(); // hasWaiters needs the lock; looked at until the waiter awaits
            try {
                if (lock.hasWaiters(signalled)) {
                    break;
                }
            } finally {
                lock.unlock();
            }
            Thread.sleep(1);
        }
        lock.lock();
        try {
            flag[0] = true;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
    }
}
