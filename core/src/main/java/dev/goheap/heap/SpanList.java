package dev.goheap.heap;

/**
 * An intrusive doubly linked list of spans (Go's {@code mSpanList}): O(1) insert and remove, no
 * allocation. A span is on at most one list at a time, which {@link Span#list} records so that
 * {@link Heap#verify} can check it.
 *
 * <p><b>Thread safety:</b> guarded by the lock of the structure that holds the list.
 */
final class SpanList {
    final String name;
    private Span first;
    private int size;

    SpanList(String name) {
        this.name = name;
    }

    boolean isEmpty() {
        return first == null;
    }

    int size() {
        return size;
    }

    Span first() {
        return first;
    }

    void push(Span s) {
        if (s.list != null) {
            throw new InternalError("invariant: a span is on one list at most; " + s + " is on "
                    + s.list.name + ", pushed onto " + name);
        }
        s.prev = null;
        s.next = first;
        if (first != null) {
            first.prev = s;
        }
        first = s;
        s.list = this;
        size++;
    }

    void remove(Span s) {
        if (s.list != this) {
            throw new InternalError("invariant: removing " + s + " from " + name + " but it is on "
                    + (s.list == null ? "no list" : s.list.name));
        }
        if (s.prev != null) {
            s.prev.next = s.next;
        } else {
            first = s.next;
        }
        if (s.next != null) {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        s.list = null;
        size--;
    }

    Span pop() {
        Span s = first;
        if (s != null) {
            remove(s);
        }
        return s;
    }
}
