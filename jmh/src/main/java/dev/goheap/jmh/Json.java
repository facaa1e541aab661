package dev.goheap.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer, so the ratio table and the collector comparison need no library.
 * Read: objects become {@code Map<String, Object>} (in file order), arrays {@code List<Object>},
 * integers that fit a {@code long} {@code Long} (so nanosecond timestamps stay exact), other numbers
 * {@code Double}, and {@code true}/{@code false}/{@code null} themselves. Bare {@code NaN}
 * and {@code Infinity} (which some writers emit) are read as doubles too. Written: the same types,
 * any {@link Number}, {@code long[]}, and {@code null}; a non-finite double is written as {@code null}.
 *
 * <p><b>Thread safety:</b> stateless static methods; safe from any thread.
 */
public final class Json {
    private final String text;
    private int position;

    private Json(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException if {@code text} is not one JSON value */
    public static Object parse(String text) {
        Json json = new Json(text);
        Object value = json.value();
        json.skipWhitespace();
        if (json.position != text.length()) {
            throw json.error("end of input");
        }
        return value;
    }

    /**
     * Writes {@code value} as compact JSON on one line.
     *
     * @throws IllegalArgumentException if {@code value} holds a type other than {@link Map} (with
     *         {@code String} keys), {@link List}, {@code long[]}, {@link CharSequence}, {@link Number},
     *         {@link Boolean} or {@code null}
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb) {
        switch (value) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b);
            case Double d -> writeDouble(d, sb);
            case Float f -> writeDouble(f, sb);
            case Number n -> sb.append(n.longValue());
            case CharSequence s -> writeString(s, sb);
            case long[] array -> {
                sb.append('[');
                for (int i = 0; i < array.length; i++) {
                    sb.append(i == 0 ? "" : ",").append(array[i]);
                }
                sb.append(']');
            }
            case List<?> list -> {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ",");
                    write(list.get(i), sb);
                }
                sb.append(']');
            }
            case Map<?, ?> map -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON member name: " + e.getKey() + " (expected: a String)");
                    }
                    sb.append(first ? "" : ",");
                    first = false;
                    writeString(key, sb);
                    sb.append(':');
                    write(e.getValue(), sb);
                }
                sb.append('}');
            }
            default -> throw new IllegalArgumentException("JSON value: " + value.getClass().getName()
                    + " (expected: Map, List, long[], String, Number, Boolean or null)");
        }
    }

    private static void writeDouble(double d, StringBuilder sb) {
        if (!Double.isFinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            sb.append(d);
        }
    }

    private static void writeString(CharSequence s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private Object value() {
        skipWhitespace();
        if (position >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            case 'N' -> literal("NaN", Double.NaN);
            case 'I' -> literal("Infinity", Double.POSITIVE_INFINITY);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> object = new LinkedHashMap<>();
        position++; // '{'
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            object.put(name, value());
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect('}');
                return object;
            }
        }
    }

    private List<Object> array() {
        List<Object> array = new ArrayList<>();
        position++; // '['
        skipWhitespace();
        if (peek() == ']') {
            position++;
            return array;
        }
        while (true) {
            array.add(value());
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect(']');
                return array;
            }
        }
    }

    private String string() {
        position++; // '"'
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("a closing quote");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char escaped = text.charAt(position++);
            switch (escaped) {
                case '"', '\\', '/' -> sb.append(escaped);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                }
                default -> throw error("an escape character");
            }
        }
    }

    private Number number() {
        int start = position;
        if (peek() == '-') {
            position++;
            if (peek() == 'I') {
                literal("Infinity", null);
                return Double.NEGATIVE_INFINITY;
            }
        }
        while (position < text.length() && "0123456789+-.eE".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
        if (start == position) {
            throw error("a value");
        }
        try {
            String literal = text.substring(start, position);
            if (literal.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'))) {
                try {
                    return Long.valueOf(literal);
                } catch (NumberFormatException tooLong) {
                    // falls through to a double
                }
            }
            return Double.valueOf(literal);
        } catch (NumberFormatException e) {
            throw error("a number");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw error(word);
        }
        position += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        position++;
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhitespace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("JSON at offset " + position + ": unexpected "
                + (position < text.length() ? "'" + text.charAt(position) + "'" : "end of input")
                + " (expected: " + expected + ")");
    }
}
