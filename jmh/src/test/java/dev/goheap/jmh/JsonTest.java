package dev.goheap.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void shouldReadNestedValuesWhenGivenJmhLikeJson() {
        Object value = Json.parse("""
                [ { "benchmark" : "a.B.op_x", "threads" : 2, "ok" : true, "none" : null,
                    "params" : { "size" : "00064" }, "score" : -1.5e2, "esc" : "q\\"\\u0041\\n" } ]""");
        Map<?, ?> first = (Map<?, ?>) ((List<?>) value).get(0);
        assertEquals("a.B.op_x", first.get("benchmark"));
        assertEquals(2.0, first.get("threads"));
        assertEquals(Boolean.TRUE, first.get("ok"));
        assertTrue(first.containsKey("none"));
        assertEquals("00064", ((Map<?, ?>) first.get("params")).get("size"));
        assertEquals(-150.0, first.get("score"));
        assertEquals("q\"A\n", first.get("esc"));
    }

    @Test
    void shouldReadBareNaNWhenAWriterEmitsIt() {
        assertTrue(Double.isNaN((Double) Json.parse("NaN")));
        assertEquals(List.of(), Json.parse(" [ ] "));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void shouldThrowWhenTheInputIsNotOneValue() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse(""));
    }
}
