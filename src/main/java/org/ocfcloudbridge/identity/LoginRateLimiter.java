package org.ocfcloudbridge.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed sign-ins in a sliding window per user name and per client address. A user name is blocked after
 * {@code attempts} failures, an address after four times as many (one address may serve many honest users).
 * In memory: with several instances each one counts its own attempts.
 */
@ApplicationScoped
public class LoginRateLimiter {

    private static final int MAX_KEYS = 100_000;

    private final int attempts;
    private final long windowMillis;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    @Inject
    public LoginRateLimiter(IdentityConfig config) {
        this(config.loginAttempts(), config.loginWindow());
    }

    LoginRateLimiter(int attempts, Duration window) {
        this.attempts = attempts;
        this.windowMillis = window.toMillis();
    }

    public boolean blocked(String username, String address) {
        long now = System.currentTimeMillis();
        return count(userKey(username), now) >= attempts || count(addressKey(address), now) >= attempts * 4L;
    }

    public void failed(String username, String address) {
        long now = System.currentTimeMillis();
        if (failures.size() > MAX_KEYS) {
            failures.entrySet().removeIf(e -> count(e.getKey(), now) == 0);
        }
        record(userKey(username), now);
        record(addressKey(address), now);
    }

    public void succeeded(String username) {
        failures.remove(userKey(username));
    }

    private void record(String key, long now) {
        Deque<Long> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(now);
        }
    }

    private int count(String key, long now) {
        Deque<Long> q = failures.get(key);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            while (!q.isEmpty() && now - q.peekFirst() > windowMillis) {
                q.pollFirst();
            }
            return q.size();
        }
    }

    private static String userKey(String username) {
        return "u:" + (username == null ? "" : username.toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "a:" + (address == null ? "" : address);
    }
}
