package dev.goheap.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CycleSequenceTest {
    private static final long WAIT_SECONDS = 10;

    /** Starts a {@code gc()}-like wait on another thread; returns when its request is recorded. */
    private static CompletableFuture<Void> waiter(CycleSequence seq, Throwable failure) throws InterruptedException {
        CountDownLatch requested = new CountDownLatch(1);
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                () -> seq.awaitNextCycle(requested::countDown, () -> failure), r -> Thread.ofPlatform().daemon().start(r));
        assertTrue(requested.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request was recorded");
        return done;
    }

    @Test
    void shouldAskForACycleOnlyOnceOneIsRequested() throws Exception {
        CycleSequence seq = new CycleSequence();
        assertEquals(CycleSequence.Next.PACED, seq.next());
        CompletableFuture<Void> done = waiter(seq, null);
        assertEquals(CycleSequence.Next.FORCED, seq.next());
        seq.cycleStarted();
        seq.cycleCompleted(true);
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(CycleSequence.Next.PACED, seq.next(), "the request is served");
        assertEquals(new CycleSequence.Counts(1, 1), seq.counts());
    }

    @Test
    void shouldNotCountACycleThatStartedBeforeTheRequest() throws Exception {
        CycleSequence seq = new CycleSequence();
        seq.cycleStarted(); // a paced cycle is marking when gc() is called
        CompletableFuture<Void> done = waiter(seq, null);
        seq.cycleCompleted(false);
        assertThrows(TimeoutException.class, () -> done.get(200, TimeUnit.MILLISECONDS), "still waiting");
        assertEquals(CycleSequence.Next.FORCED, seq.next(), "the next cycle is asked for");
        seq.cycleStarted();
        seq.cycleCompleted(true);
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(new CycleSequence.Counts(2, 1), seq.counts());
    }

    /** A paced cycle that starts just after a gc() call answers it: the runner must know, to sweep first. */
    @Test
    void shouldTellWhetherAGcCallWaitsForTheCycle() throws Exception {
        CycleSequence seq = new CycleSequence();
        assertFalse(seq.isAwaited(1), "no call yet");
        CompletableFuture<Void> done = waiter(seq, null); // asks for cycle 1
        assertTrue(seq.isAwaited(1), "the next cycle answers the call, paced or not");
        seq.cycleStarted();
        CompletableFuture<Void> later = waiter(seq, null); // cycle 1 has started: asks for cycle 2
        assertTrue(seq.isAwaited(2));
        seq.cycleCompleted(false);
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        seq.cycleStarted();
        seq.cycleCompleted(false);
        later.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertFalse(seq.isAwaited(3), "every call answered");
    }

    @Test
    void shouldFailTheWaitersWithTheCollectorsFailureWhenItStops() throws Exception {
        CycleSequence seq = new CycleSequence();
        Error cause = new Error("boom");
        CompletableFuture<Void> done = waiter(seq, cause);
        assertFalse(seq.stop(), "was not stopping");
        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertSame(cause, e.getCause().getCause());
        assertEquals(CycleSequence.Next.STOP, seq.next());
        assertTrue(seq.stop(), "was stopping");
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> seq.awaitNextCycle(() -> {}, () -> null));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }
}
