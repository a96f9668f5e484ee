package org.ocfcloudbridge.origin.link;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** When a linked user's Target token is refreshed, by its lifetime. */
class TokenRefreshTimeTest {

    private static final OffsetDateTime T = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private static long secondsBeforeExpiry(long lifetime) {
        OffsetDateTime expires = T.plusSeconds(lifetime);
        return java.time.Duration.between(TargetClient.refreshAt(T, expires), expires).toSeconds();
    }

    @Test
    void aQuarterOfTheLifetimeBeforeExpiryAtMostAMinuteAndAtLeastFiveSecondsOrHalfTheLife() {
        assertEquals(60, secondsBeforeExpiry(3600), "an hour-long token: a minute ahead, as before");
        assertEquals(60, secondsBeforeExpiry(240));
        assertEquals(15, secondsBeforeExpiry(60), "a one-minute token lives 45 s before its refresh");
        assertEquals(5, secondsBeforeExpiry(12));
        assertEquals(2, secondsBeforeExpiry(4), "a very short token: half its life");
        assertNull(TargetClient.refreshAt(T, null), "no expiry: no refresh ahead");
        assertEquals(T.plusSeconds(60), TargetClient.refreshAt(null, T.plusSeconds(120)), "unknown age: a minute ahead");
    }
}
