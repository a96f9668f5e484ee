package org.ocfcloudbridge.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing without handing anyone a way to lock a user out. Failures are counted per user name
 * <em>and</em> client address: after {@code attempts} of them in a row that pair waits {@link #FIRST_DELAY}, and each
 * further failure doubles the wait, up to {@code window}. A user signing in from elsewhere is not held up by someone
 * else's failures. An address is also blocked outright after four times {@code attempts} failures within
 * {@code window}, whatever the user names (one address may serve many honest users, hence the margin).
 * In memory: with several instances each one counts its own attempts.
 */
@ApplicationScoped
public class LoginRateLimiter {

    /** The wait after the {@code attempts}-th failure in a row: a few typos cost a few seconds, a guesser far more. */
    static final Duration FIRST_DELAY = Duration.ofSeconds(5);
    private static final int MAX_KEYS = 100_000;

    private final int attempts;
    private final long windowMillis;
    private final LongSupplier clock;
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> addresses = new ConcurrentHashMap<>();

    /** Consecutive failures of one user name from one address, and until when that pair must wait. */
    private static final class Pair {
        int failures;
        long lastFailure;
        long waitUntil;
    }

    @Inject
    public LoginRateLimiter(IdentityConfig config) {
        this(config.loginAttempts(), config.loginWindow(), System::currentTimeMillis);
    }

    LoginRateLimiter(int attempts, Duration window, LongSupplier clock) {
        this.attempts = attempts;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    public boolean blocked(String username, String address) {
        long now = clock.getAsLong();
        if (count(addressKey(address), now) >= attempts * 4L) {
            return true;
        }
        Pair p = pairs.get(pairKey(username, address));
        if (p == null) {
            return false;
        }
        synchronized (p) {
            return now < p.waitUntil;
        }
    }

    public void failed(String username, String address) {
        long now = clock.getAsLong();
        if (pairs.size() + addresses.size() > MAX_KEYS) {
            forgetOld(now);
        }
        Pair p = pairs.computeIfAbsent(pairKey(username, address), k -> new Pair());
        synchronized (p) {
            if (now - p.lastFailure > windowMillis) {
                // Long quiet: a fresh start, as if the earlier failures had been forgotten.
                p.failures = 0;
            }
            p.failures++;
            p.lastFailure = now;
            if (p.failures >= attempts) {
                int doublings = Math.min(p.failures - attempts, 30);
                long delay = Math.min(windowMillis, FIRST_DELAY.toMillis() << doublings);
                p.waitUntil = now + Math.max(delay, 0);
            }
        }
        Deque<Long> q = addresses.computeIfAbsent(addressKey(address), k -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(now);
        }
    }

    /** A correct password clears that pair's failures only: other addresses guessing the same user still wait. */
    public void succeeded(String username, String address) {
        pairs.remove(pairKey(username, address));
    }

    private void forgetOld(long now) {
        pairs.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return now - e.getValue().lastFailure > windowMillis && now >= e.getValue().waitUntil;
            }
        });
        addresses.entrySet().removeIf(e -> count(e.getKey(), now) == 0);
    }

    private int count(String key, long now) {
        Deque<Long> q = addresses.get(key);
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

    private static String pairKey(String username, String address) {
        return (username == null ? "" : username.toLowerCase(Locale.ROOT)) + "\n" + (address == null ? "" : address);
    }

    private static String addressKey(String address) {
        return address == null ? "" : address;
    }
}
