package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parked assists' queue, single-threaded: its steps W1, F1, E1 and W3 (class note). */
class AssistQueueTest {
    @Test
    void shouldRefuseAWaiterWhenTheQueueIsNotOpenForItsCycle() {
        AssistQueue q = new AssistQueue();
        MarkWork work = new MarkWork();
        AssistQueue.Waiter w = new AssistQueue.Waiter(Thread.currentThread());
        assertFalse(q.enqueue(w, 1, 100, work), "no cycle began");
        q.beginCycle(1);
        assertFalse(q.enqueue(w, 2, 100, work), "another cycle's assist");
        q.endCycle(1);
        assertFalse(q.enqueue(w, 1, 100, work), "the cycle ended");
        q.beginCycle(2);
        q.close();
        assertFalse(q.enqueue(w, 2, 100, work), "the collector stopped");
        q.beginCycle(3);
        assertFalse(q.enqueue(w, 3, 100, work), "closed for good");
        assertEquals(0, q.size());
    }

    @Test
    void shouldTakeTheCreditAfterQueueingAndNotWaitWhenItCovers() {
        AssistQueue q = new AssistQueue();
        MarkWork work = new MarkWork();
        q.beginCycle(1);
        work.addBackground(150);
        AssistQueue.Waiter w = new AssistQueue.Waiter(Thread.currentThread());
        assertFalse(q.enqueue(w, 1, 100, work));
        assertEquals(100, w.gotWork);
        assertEquals(50, work.backgroundCreditBytes());
        assertEquals(0, q.size());
        assertTrue(q.enqueue(w, 1, 100, work), "50 left: not enough");
        assertEquals(50, w.gotWork);
        assertEquals(1, q.size());
        q.leave(w);
        assertEquals(0, q.size());
        assertEquals(50, w.gotWork, "what it was given stays its own");
    }

    @Test
    void shouldGiveCreditToTheWaitersInOrderAndWakeThoseItCoversWhenFlushed() {
        AssistQueue q = new AssistQueue();
        MarkWork work = new MarkWork();
        q.beginCycle(1);
        AssistQueue.Waiter first = new AssistQueue.Waiter(Thread.currentThread());
        AssistQueue.Waiter second = new AssistQueue.Waiter(Thread.currentThread());
        assertTrue(q.enqueue(first, 1, 100, work));
        assertTrue(q.enqueue(second, 1, 100, work));
        work.addBackground(150);
        q.flush(work);
        assertTrue(first.done);
        assertEquals(100, first.gotWork);
        assertFalse(second.done, "50 of its 100 so far");
        assertEquals(50, second.gotWork);
        assertEquals(1, q.size());
        work.addBackground(60);
        q.flush(work);
        assertTrue(second.done);
        assertEquals(100, second.gotWork);
        assertEquals(10, work.backgroundCreditBytes(), "the rest stays for anyone to claim");
        assertEquals(0, q.size());
    }

    @Test
    void shouldWakeEveryWaiterWhenTheCycleEndsOrTheCollectorStops() {
        AssistQueue q = new AssistQueue();
        MarkWork work = new MarkWork();
        q.beginCycle(1);
        AssistQueue.Waiter a = new AssistQueue.Waiter(Thread.currentThread());
        AssistQueue.Waiter b = new AssistQueue.Waiter(Thread.currentThread());
        assertTrue(q.enqueue(a, 1, 100, work));
        assertTrue(q.enqueue(b, 1, 100, work));
        q.endCycle(1);
        assertTrue(a.done && b.done);
        assertEquals(0, q.size());
        q.beginCycle(2);
        assertTrue(q.enqueue(a, 2, 100, work));
        assertFalse(a.done, "a new wait starts undone");
        q.close();
        assertTrue(a.done);
        assertEquals(0, q.size());
    }

    @Test
    void shouldReturnAtTheDeadlineWhenNobodyWakesTheWaiter() {
        AssistQueue.Waiter w = new AssistQueue.Waiter(Thread.currentThread());
        AssistQueue.await(w, System.nanoTime() - 1); // returns: a hang here fails the build by its timeout
        assertFalse(w.done);
    }
}
