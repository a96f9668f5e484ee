package org.ocfcloudbridge.targetcloud.coap;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Answers to sign-up and token refresh kept for a short while, keyed by a hash of the request: a device that retries
 * because it missed our answer (it gives up after 2 s) gets the same answer instead of a "code already used" error.
 * A duplicate that arrives while the first is still being answered waits for that answer; requests with other keys
 * never wait for each other (a lock per stripe of keys made a sign-up storm queue behind unrelated sign-ups: 3,600 s
 * of monitor waits in a 3,000-device run, 2026-12-04).
 */
final class RecentAnswers<T> {

    private record Entry<T>(T value, long expiresAt) {
    }

    private final long ttlMillis;
    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
    /** The answers being computed now, by key: the first request computes, its duplicates wait for it. */
    private final Map<String, CompletableFuture<T>> inFlight = new ConcurrentHashMap<>();

    RecentAnswers(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** The answer remembered for {@code key}, or the result of {@code compute}, remembered if it succeeds. */
    T get(String key, Supplier<T> compute) {
        while (true) {
            long now = System.currentTimeMillis();
            Entry<T> e = entries.get(key);
            if (e != null && e.expiresAt > now) {
                return e.value;
            }
            CompletableFuture<T> mine = new CompletableFuture<>();
            CompletableFuture<T> first = inFlight.putIfAbsent(key, mine);
            if (first != null) {
                try {
                    return first.join();
                } catch (CompletionException | CancellationException failed) {
                    // The first attempt failed and remembered nothing: this duplicate tries for itself, as it would
                    // have alone.
                    inFlight.remove(key, first);
                    continue;
                }
            }
            try {
                // Answered and remembered between the look above and this claim.
                e = entries.get(key);
                T value = e != null && e.expiresAt > now ? e.value : compute.get();
                entries.put(key, new Entry<>(value, now + ttlMillis));
                prune(now);
                mine.complete(value);
                return value;
            } catch (RuntimeException | Error failed) {
                mine.completeExceptionally(failed);
                throw failed;
            } finally {
                inFlight.remove(key, mine);
            }
        }
    }

    private void prune(long now) {
        if (entries.size() > 10_000) {
            entries.values().removeIf(old -> old.expiresAt <= now);
        }
    }
}
