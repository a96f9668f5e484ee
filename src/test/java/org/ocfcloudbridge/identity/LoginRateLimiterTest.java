package org.ocfcloudbridge.identity;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limiter on its own clock: failures slow down a user name at one address, not the user everywhere. */
class LoginRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginRateLimiter limiter = new LoginRateLimiter(5, Duration.ofMinutes(5), now::get);

    private void fail(String user, String address, int times) {
        for (int i = 0; i < times; i++) {
            limiter.failed(user, address);
        }
    }

    @Test
    void anAttackersFailuresDoNotLockTheUserOutAtAnotherAddress() {
        fail("alice", "203.0.113.9", 50 / 4);
        assertTrue(limiter.blocked("alice", "203.0.113.9"));
        assertFalse(limiter.blocked("alice", "198.51.100.7"), "alice from her own address is not held up");
        assertFalse(limiter.blocked("ALICE", "198.51.100.7"));
    }

    @Test
    void eachFailureBeyondTheAllowedOnesDoublesTheWait() {
        fail("bob", "a", 4);
        assertFalse(limiter.blocked("bob", "a"), "a few typos cost nothing");
        long[] waits = {5_000, 10_000, 20_000, 40_000};
        for (long wait : waits) {
            limiter.failed("bob", "a");
            now.addAndGet(wait - 1);
            assertTrue(limiter.blocked("bob", "a"), "still waiting just before " + wait + " ms");
            now.addAndGet(1);
            assertFalse(limiter.blocked("bob", "a"), "free again after " + wait + " ms");
        }
        fail("bob", "a", 3);
        now.addAndGet(Duration.ofMinutes(5).toMillis() - 1);
        assertTrue(limiter.blocked("bob", "a"));
        now.addAndGet(1);
        assertFalse(limiter.blocked("bob", "a"), "the wait stops growing at the window");
    }

    @Test
    void aCorrectPasswordClearsOnlyItsOwnAddress() {
        fail("carol", "a", 5);
        fail("carol", "b", 5);
        limiter.succeeded("carol", "a");
        assertFalse(limiter.blocked("carol", "a"));
        assertTrue(limiter.blocked("carol", "b"));
    }

    @Test
    void oneAddressTryingManyUsersIsCappedAsAWhole() {
        for (int i = 0; i < 20; i++) {
            limiter.failed("user" + i, "a");
        }
        assertTrue(limiter.blocked("someone-else", "a"), "twenty failures from one address block it");
        assertFalse(limiter.blocked("someone-else", "b"));
        now.addAndGet(Duration.ofMinutes(5).toMillis() + 1);
        assertFalse(limiter.blocked("someone-else", "a"), "until the window has passed");
    }
}
