package org.ocfcloudbridge.targetcloud.coap;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Answers to sign-up and token refresh kept for a short while, keyed by a hash of the request: a device that retries
 * because it missed our answer (it gives up after 2 s) gets the same answer instead of a "code already used" error.
 */
final class RecentAnswers<T> {

    private record Entry<T>(T value, long expiresAt) {
    }

    private final long ttlMillis;
    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[64];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    RecentAnswers(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** The answer remembered for {@code key}, or the result of {@code compute}, remembered if it succeeds. */
    T get(String key, Supplier<T> compute) {
        long now = System.currentTimeMillis();
        Entry<T> e = entries.get(key);
        if (e != null && e.expiresAt > now) {
            return e.value;
        }
        // One lock per stripe: duplicates of one request wait for the first, other requests mostly do not.
        synchronized (stripes[(key.hashCode() & 0x7fffffff) % stripes.length]) {
            e = entries.get(key);
            if (e != null && e.expiresAt > now) {
                return e.value;
            }
            T value = compute.get();
            entries.put(key, new Entry<>(value, now + ttlMillis));
            if (entries.size() > 10_000) {
                for (Iterator<Entry<T>> it = entries.values().iterator(); it.hasNext(); ) {
                    if (it.next().expiresAt <= now) {
                        it.remove();
                    }
                }
            }
            return value;
        }
    }
}
