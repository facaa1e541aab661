package dev.goheap.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The adversarial runs at 1/64 of their size (16 MiB live, 1 562 frames, 15 625 data slots, 156
 * parked goroutines),
 * two seconds each: the pause bound holds, or every pause past the collector's plan was stalled
 * by the machine itself for at least its excess (CI shares its CPUs; see {@link StallMeter}). The full sizes: {@code ./mvnw -q
 * -Padversarial -pl gc -am verify}.
 */
class AdversarialTest {
    private static final double SCALE = 1.0 / 64;
    private static final long MILLIS = 2_000;

    @Test
    void shouldKeepThePauseBoundWhenTheLiveHeapIsLarge() throws Exception {
        check(Adversarial.run(Adversarial.Case.LIVE, SCALE, MILLIS));
    }

    @Test
    void shouldKeepThePauseBoundWhenAGoroutineHasADeepStack() throws Exception {
        check(Adversarial.run(Adversarial.Case.STACK, SCALE, MILLIS));
    }

    @Test
    void shouldKeepThePauseBoundWhenTheDataSegmentHoldsManyPointers() throws Exception {
        check(Adversarial.run(Adversarial.Case.DATA, SCALE, MILLIS));
    }

    @Test
    void shouldKeepThePauseBoundWhenManyGoroutinesAreParked() throws Exception {
        check(Adversarial.run(Adversarial.Case.GOROUTINES, SCALE, MILLIS));
    }

    private static void check(Adversarial.Result r) {
        System.out.println(r);
        assertTrue(r.cycles() >= 2, "the collector ran: " + r);
        assertTrue(r.boundHeldOrMachineStalled(), r.toString());
    }
}
