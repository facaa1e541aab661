package dev.goheap.sched;

import dev.goheap.stack.Goroutine;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The registered mutators of one {@link Safepoints}: an array with swap-remove, so registering
 * and deregistering are O(1) and a stop or handshake copies it once.
 *
 * <p><b>Thread safety:</b> every method requires the owning Safepoints' lock but {@link #sizeRacy}
 * and {@link #arrayRacy}, which may be read without it.
 */
final class Registry {
    private volatile Mutator[] mutators = new Mutator[16]; // written under lock; read racily by arrayRacy
    private int size;                             // guarded by lock
    private volatile int sizeRacy;                // written under lock, read racily by mutatorCount()

    void addLocked(Mutator m) {
        assert m.index < 0;
        if (size == mutators.length) {
            mutators = Arrays.copyOf(mutators, size * 2);
        }
        m.index = size;
        mutators[size++] = m;
        sizeRacy = size;
    }

    /** Removes {@code m} if it is registered (idempotent). */
    void removeLocked(Mutator m) {
        int i = m.index;
        if (i < 0) {
            return;
        }
        Mutator last = mutators[--size];
        mutators[i] = last;
        last.index = i;
        mutators[size] = null;
        m.index = -1;
        sizeRacy = size;
    }

    /**
     * Copies the registered mutators, {@code except} left out (may be null), to the start of
     * {@code reuse} if it is long enough, else of a new, longer array, which it returns; {@link
     * #countExceptLocked} of the same {@code except} is how many. Why reuse: a handshake of
     * every goroutine runs each cycle, and a new copy each time was 40 KB of Java garbage per
     * cycle at 10 000 goroutines (36 MB in a 5 s run of the many-goroutines runner).
     */
    Mutator[] snapshotLocked(Mutator except, Mutator[] reuse) {
        Mutator[] copy = reuse.length >= size ? reuse : new Mutator[Math.max(size, reuse.length * 2)];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (mutators[i] != except) {
                copy[n++] = mutators[i];
            }
        }
        assert n == countExceptLocked(except);
        return copy;
    }

    /** How many mutators are registered, {@code except} (a mutator of these Safepoints, or null) left out. */
    int countExceptLocked(Mutator except) {
        return except != null && except.index >= 0 ? size - 1 : size;
    }

    /**
     * Returns the registered mutators of {@code goroutines}, {@code except} left out, and counts
     * in {@code unregistered[0]} those that are not registered (ended, or not started yet).
     * A goroutine listed twice counts once.
     */
    Mutator[] selectLocked(Collection<? extends Goroutine> goroutines, Mutator except, int[] unregistered) {
        Mutator[] picked = new Mutator[goroutines.size()];
        Set<Mutator> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int n = 0;
        for (Goroutine g : goroutines) {
            Mutator m = g.mutator();
            if (m == except || !seen.add(m)) {
                continue;
            }
            if (m.index < 0 || mutators[m.index] != m) {
                unregistered[0]++;
            } else {
                picked[n++] = m;
            }
        }
        return Arrays.copyOf(picked, n);
    }

    /** The number of registered mutators. */
    int sizeLocked() {
        return size;
    }

    /** The registered mutator at {@code i}, below {@link #sizeLocked}. */
    Mutator getLocked(int i) {
        return mutators[i];
    }

    int sizeRacy() {
        return sizeRacy;
    }

    /**
     * The array of mutators, read without the lock: its first {@code min(sizeRacy(), length)}
     * entries are registered mutators or were lately (a swap-remove moves and clears entries
     * meanwhile: an entry may be null, stale or seen twice, and one registered meanwhile may
     * be missed). For looks that recheck what they find by a CAS.
     */
    Mutator[] arrayRacy() {
        return mutators;
    }
}
