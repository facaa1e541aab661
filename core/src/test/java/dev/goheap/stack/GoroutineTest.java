package dev.goheap.stack;

import static dev.goheap.stack.TestFrames.NODE;
import static dev.goheap.stack.TestFrames.NODE_VALUE;
import static dev.goheap.stack.TestFrames.SMALL;
import static dev.goheap.stack.TestFrames.VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.goheap.GoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GoroutineTest {
    @Test
    void shouldRunTheTaskOnAVirtualThreadWithItsOwnStackWhenStartedWithGo() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicReference<Goroutine> inside = new AtomicReference<>();
            AtomicLong result = new AtomicLong();
            Goroutine g = rt.go(() -> {
                Goroutine me = Goroutine.current();
                inside.set(me);
                Stack s = me.stack();
                long f = s.push(SMALL);
                s.setLong(f, VALUE, 41);
                result.set(s.getLong(f, VALUE) + 1);
                s.pop(f);
            });
            g.join();
            assertSame(g, inside.get());
            assertTrue(g.thread().isVirtual());
            assertFalse(g.isAlive());
            assertFalse(g.isAttached());
            assertEquals(42, result.get());
            assertThrows(IllegalStateException.class, g::stack); // ended: its stack is gone
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldStopAGoroutineThatOnlyStartsGoroutinesWhenTheWorldIsStopped() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch spawning = new CountDownLatch(1);
            List<Goroutine> started = new ArrayList<>();
            Goroutine spawner = rt.go(() -> {
                spawning.countDown();
                long end = System.nanoTime() + 30_000_000_000L; // bounded, should the stop never come
                while (!done.get() && System.nanoTime() < end) {
                    started.add(rt.go(() -> {})); // no other safepoint in the loop
                }
            });
            spawning.await();
            boolean stopped = rt.safepoints().stopTheWorld(System.nanoTime() + 10_000_000_000L);
            if (stopped) {
                rt.safepoints().startTheWorld();
            }
            done.set(true);
            spawner.join();
            assertTrue(stopped, "go() is a safepoint of the goroutine that calls it");
            for (Goroutine g : started) {
                g.join();
            }
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldStartGoroutinesWhileParked() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicReference<Goroutine> child = new AtomicReference<>();
            rt.go(() -> rt.safepoints().parked(() -> {
                child.set(rt.go(() -> {}));
                return null;
            })).join();
            child.get().join();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldSeeEverythingTheGoroutineWroteWhenJoined() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            long node = rt.heap().newObject(NODE);
            rt.go(() -> rt.heap().setLong(node, NODE_VALUE, 99)).join();
            assertEquals(99, rt.heap().getLong(node, NODE_VALUE));
            rt.heap().free(node);
        }
    }

    @Test
    void shouldRethrowTheTasksFailureWhenJoined() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            Goroutine g = rt.go(() -> {
                Goroutine.current().stack().push(SMALL); // its stack is freed even so
                throw new IllegalArgumentException("boom");
            });
            CompletionException e = assertThrows(CompletionException.class, g::join);
            assertTrue(e.getCause() instanceof IllegalArgumentException);
            assertTrue(e.getMessage().contains("goroutine " + g.id()), e.getMessage());
            assertThrows(CompletionException.class, () -> g.join(Duration.ofSeconds(1)));
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldRefuseToJoinItselfWhenAGoroutineJoinsItsOwnHandle() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            rt.go(() -> {
                try {
                    Goroutine.current().join();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }).join();
            assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        }
    }

    @Test
    void shouldGiveEveryGoroutineItsOwnIdAndStackWhenManyRunAtOnce() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            List<Goroutine> all = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int n = i;
                all.add(rt.go(() -> {
                    Stack s = Goroutine.current().stack();
                    long[] frames = new long[200];
                    for (int k = 0; k < frames.length; k++) {
                        frames[k] = s.push(SMALL);
                        s.setLong(frames[k], VALUE, n * 1000L + k);
                    }
                    for (int k = frames.length - 1; k >= 0; k--) {
                        if (s.getLong(frames[k], VALUE) != n * 1000L + k) {
                            throw new AssertionError("frame " + k + " of goroutine " + n);
                        }
                        s.pop(frames[k]);
                    }
                }));
            }
            for (Goroutine g : all) {
                g.join();
            }
            assertEquals(500, all.stream().mapToLong(Goroutine::id).distinct().count());
            GoroutineStats stats = rt.stats().goroutines();
            assertEquals(500, stats.started());
            assertTrue(stats.stackGrowCount() >= 500, stats.toString()); // 200 frames of 80 B need 16 KiB
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldMakeThePlatformThreadAGoroutineWhenAttachedUntilDetached() {
        try (GoRuntime rt = TestFrames.runtime()) {
            assertNull(Goroutine.currentOrNull());
            assertThrows(IllegalStateException.class, Goroutine::current);
            Goroutine g = rt.attach();
            assertSame(g, Goroutine.current());
            assertTrue(g.isAttached());
            assertThrows(IllegalStateException.class, rt::attach);
            assertEquals(1, rt.stats().goroutines().attached());
            g.stack().push(SMALL);
            g.detach();
            assertNull(Goroutine.currentOrNull());
            assertFalse(g.isAlive());
            assertEquals(0, rt.stats().goroutines().attached());
            Goroutine again = rt.attach();
            assertTrue(again.id() > g.id());
            again.detach();
            TestFrames.verifyAllFreed(rt);
        }
    }

    @Test
    void shouldRefuseDetachWhenTheGoroutineWasStartedByGo() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            rt.go(() -> {
                try {
                    Goroutine.current().detach();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }).join();
            assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        }
    }

    @Test
    void shouldWaitForRunningGoroutinesWhenClosed() throws Exception {
        GoRuntime rt = TestFrames.runtime();
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong lastValue = new AtomicLong();
        Goroutine g = rt.go(() -> {
            Stack s = Goroutine.current().stack();
            long f = s.push(SMALL);
            started.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.setLong(f, VALUE, 7); // the memory is still there
            lastValue.set(s.getLong(f, VALUE));
            s.pop(f);
        });
        started.await();
        rt.close();
        assertTrue(rt.isClosed());
        assertFalse(g.isAlive());
        assertEquals(7, lastValue.get());
        g.join();
        assertThrows(IllegalStateException.class, () -> rt.go(() -> {}));
        assertThrows(IllegalStateException.class, rt::attach);
    }

    @Test
    void shouldFailWithoutFreeingAnythingWhenGoroutinesOutliveTheCloseTimeout() throws Exception {
        GoRuntime rt = GoRuntime.builder().closeTimeout(Duration.ofMillis(50)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Goroutine g = rt.go(() -> {
            Stack s = Goroutine.current().stack();
            long f = s.push(SMALL);
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.setLong(f, VALUE, 1);
            s.pop(f);
        });
        started.await();
        IllegalStateException e = assertThrows(IllegalStateException.class, rt::close);
        assertTrue(e.getMessage().contains("1 goroutines still running"), e.getMessage());
        assertFalse(rt.isClosed());
        long h = rt.heap().allocate(64); // still open and usable
        rt.heap().free(h);
        rt.go(() -> {}).join();             // and open for goroutines again
        release.countDown();
        g.join();
        TestFrames.verifyAllFreed(rt);
        rt.close();
        assertTrue(rt.isClosed());
    }

    @Test
    void shouldDetachTheCallerWhenAnAttachedThreadCloses() {
        GoRuntime rt = TestFrames.runtime();
        Goroutine g = rt.attach();
        g.stack().push(SMALL);
        rt.close();
        assertFalse(g.isAlive());
        assertNull(Goroutine.currentOrNull());
    }

    @Test
    void shouldFreeTheStackOfAnAttachedThreadWhenItDiedWithoutDetachingAndTheRuntimeCloses() throws Exception {
        GoRuntime rt = GoRuntime.builder().closeTimeout(Duration.ofSeconds(5)).build();
        AtomicReference<Goroutine> attached = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            Goroutine g = rt.attach();
            g.stack().push(SMALL); // allocates its 2 KiB block
            attached.set(g);       // and ends without detaching
        });
        t.join();
        assertEquals(1, rt.stats().goroutines().running());
        assertEquals(1, rt.stats().goroutines().stackBlocks());
        long start = System.nanoTime();
        rt.close(); // reaps it instead of waiting for the timeout
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        assertFalse(attached.get().isAlive());
    }

    @Test
    void shouldRefuseCloseWhenCalledFromAGoroutine() throws Exception {
        try (GoRuntime rt = TestFrames.runtime()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            rt.go(() -> {
                try {
                    rt.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }).join();
            assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
            assertFalse(rt.isClosed());
        }
    }

    @Test
    void shouldRefuseBadSettingsWhenBuilding() {
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().maxStackBytes(1024));
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().maxStackBytes(4L << 30));
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().closeTimeout(Duration.ofSeconds(-1)));
    }
}
