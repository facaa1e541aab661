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
        assertEquals(2L, first.get("threads"));
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

    @Test
    void shouldReadBackWhatItWritesWhenGivenNestedValues() {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("wallMillis", 5312.25);
        value.put("count", 42L);
        value.put("pauses", List.of(new long[] {1_000_000_000_123L, 250_000}, new long[] {7, 8}));
        value.put("name", "G1 \"young\"\t\\ \u0001");
        value.put("ok", true);
        value.put("none", null);
        value.put("nan", Double.NaN);
        String json = Json.write(value);
        assertEquals("{\"wallMillis\":5312.25,\"count\":42,\"pauses\":[[1000000000123,250000],[7,8]],"
                + "\"name\":\"G1 \\\"young\\\"\\t\\\\ \\u0001\",\"ok\":true,\"none\":null,\"nan\":null}", json);
        Map<?, ?> back = (Map<?, ?>) Json.parse(json);
        assertEquals(5312.25, back.get("wallMillis"));
        assertEquals(List.of(List.of(1_000_000_000_123L, 250_000L), List.of(7L, 8L)), back.get("pauses"));
        assertEquals(Long.MAX_VALUE, Json.parse(String.valueOf(Long.MAX_VALUE)));
        assertEquals(1e19, Json.parse("10000000000000000000"));
        assertEquals(value.get("name"), back.get("name"));
    }

    @Test
    void shouldThrowWhenWritingAnUnknownType() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
    }
}
