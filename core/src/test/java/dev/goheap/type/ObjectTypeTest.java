package dev.goheap.type;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** {@link ObjectType}: field offsets from one pass over the layout, and the checks of its pointer fields. */
class ObjectTypeTest {
    private static final StructLayout PADDED = MemoryLayout.structLayout(
            JAVA_INT.withName("small"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("next"),
            JAVA_INT.withName("count"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("prev"));

    @Test
    void shouldFindTheOffsetsFfmFindsPaddingIncluded() {
        ObjectType t = ObjectType.of("Padded", PADDED, "next", "prev");
        for (String field : new String[] {"small", "next", "count", "prev"}) {
            assertEquals(PADDED.byteOffset(MemoryLayout.PathElement.groupElement(field)), t.offsetOf(field), field);
        }
        assertEquals(2, t.pointerFields().size());
    }

    @Test
    void shouldBuildATypeOfManyPointerFieldsWithTheirOffsets() {
        int n = 4096;
        MemoryLayout[] fields = new MemoryLayout[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = "p" + i;
            fields[i] = JAVA_LONG.withName(names[i]);
        }
        ObjectType t = ObjectType.of("Slots", MemoryLayout.structLayout(fields), names);
        assertEquals(n * 8L, t.offsetOf("p" + (n - 1)) + 8);
        assertEquals(n, t.pointerFields().size());
    }

    @Test
    void shouldRejectAnUnknownOrNonLongPointerFieldNamingTheFields() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ObjectType.of("Padded", PADDED, "nope"));
        assertTrue(unknown.getMessage().contains("[small, next, count, prev]"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ObjectType.of("Padded", PADDED, "small"));
        assertThrows(IllegalArgumentException.class, () -> ObjectType.of("Padded", PADDED, "next", "next"));
        IllegalArgumentException offset = assertThrows(IllegalArgumentException.class,
                () -> ObjectType.of("Padded", PADDED).offsetOf("nope"));
        assertTrue(offset.getMessage().contains("in type Padded"), offset.getMessage());
    }
}
