package dev.goheap.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The floor's pairs do what their names say: each frees what it allocated (so the next pair
 * gets the same slot back) and the checked free accepts the pointer, on the thread that set the
 * benchmark up, as JMH's thread-scoped state does.
 */
class AllocFloorBenchmarkTest {
    private static final long FIRST_SLOT = 4096; // the benchmark's span base

    private final AllocFloorBenchmark floor = new AllocFloorBenchmark();

    @BeforeEach
    void open() {
        floor.open();
    }

    @AfterEach
    void close() {
        floor.close();
    }

    @Test
    void bitmapPairReusesTheSlotItFreed() {
        assertEverySlotIsTheFirst(floor::bitmapPair);
    }

    @Test
    void lookupBitmapPairReusesTheSlotItFreed() {
        assertEverySlotIsTheFirst(floor::lookupBitmapPair);
    }

    @Test
    void lookupBinPairPushesBackWhatItPopped() {
        assertEverySlotIsTheFirst(floor::lookupBinPair);
        assertEquals(FIRST_SLOT, floor.bitmapPair(), "the bin pairs left the first slot's bit clear");
    }

    @Test
    void theOtherAnchorsReturnTheSlot() {
        assertEquals(FIRST_SLOT, floor.loopOnly());
        assertEquals(FIRST_SLOT, floor.zeroFill());
        assertEquals(FIRST_SLOT, floor.zeroStores());
    }

    private static void assertEverySlotIsTheFirst(LongSupplier pair) {
        for (int i = 0; i < 1000; i++) {
            assertEquals(FIRST_SLOT, pair.getAsLong(), "pair " + i);
        }
    }
}
