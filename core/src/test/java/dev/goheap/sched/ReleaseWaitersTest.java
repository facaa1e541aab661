package dev.goheap.sched;

import static dev.goheap.sched.SchedTesting.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ReleaseWaitersTest {
    private volatile boolean released;

    @Test
    void shouldUnparkEveryPushedThreadAtTheWakeUpAndForgetThem() throws Exception {
        ReleaseWaiters waiters = new ReleaseWaiters();
        AtomicInteger woken = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Runnable body = () -> {
                while (!released) {
                    waiters.push();
                    if (!released) {
                        LockSupport.park(this);
                    }
                }
                woken.incrementAndGet();
            };
            threads.add(i % 2 == 0 ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body));
        }
        for (Thread t : threads) {
            awaitBlocked(t);
        }
        assertFalse(waiters.isEmpty());
        released = true;
        waiters.wakeAll();
        assertTrue(waiters.isEmpty(), "a wake-up takes every waiter");
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), t + " was not woken");
        }
        assertEquals(8, woken.get());
    }

    @Test
    void shouldDoNothingWhenNoOneWaits() {
        ReleaseWaiters waiters = new ReleaseWaiters();
        waiters.wakeAll();
        assertTrue(waiters.isEmpty());
    }
}
