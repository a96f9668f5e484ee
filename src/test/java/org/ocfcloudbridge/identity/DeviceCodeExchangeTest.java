package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.OAuthGrant;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.OAuthTestClient.newUser;

/**
 * A device's sign-up code (Part 11 §12) is good for one exchange: the tokens it gives are the device's, a second
 * exchange is refused and ends what the first one issued, and of exchanges racing for one code exactly one wins.
 */
@QuarkusTest
class DeviceCodeExchangeTest {

    @Inject
    OAuthService oauth;

    @Inject
    TokenVerifier verifier;

    private static UUID user() {
        return UUID.fromString(newUser()[2]);
    }

    @Test
    void aCodeGivesTheDeviceItsTokensOnceAndAReplayRevokesThem() throws Exception {
        UUID user = user();
        String di = UUID.randomUUID().toString();
        String code = oauth.issueDeviceCode(user).code();
        OAuthService.TokenResponse t = oauth.exchangeDeviceCode(code, di);
        assertEquals(user.toString(), t.subject());
        VerifiedToken v = verifier.verify(t.accessToken());
        assertEquals(di, v.deviceId());
        OAuthGrant grant = QuarkusTransaction.requiringNew().call(() -> OAuthGrant.<OAuthGrant>findById(UUID.fromString(v.grantId())));
        assertNotNull(grant, "the grant is stored");
        assertEquals(di, grant.deviceId);
        // The refresh token is stored: it rotates once.
        OAuthService.TokenResponse refreshed = oauth.refreshDeviceToken(t.refreshToken(), di);
        assertNotNull(refreshed.refreshToken());

        OAuthException replay = assertThrows(OAuthException.class, () -> oauth.exchangeDeviceCode(code, di));
        assertTrue(replay.getMessage().contains("already used"), replay.getMessage());
        assertThrows(InvalidTokenException.class, () -> verifier.verify(refreshed.accessToken()), "the first use's grant is revoked");
        assertThrows(OAuthException.class, () -> oauth.refreshDeviceToken(refreshed.refreshToken(), di));
    }

    @Test
    void ofExchangesRacingForOneCodeExactlyOneWins() throws Exception {
        UUID user = user();
        String di = UUID.randomUUID().toString();
        String code = oauth.issueDeviceCode(user).code();
        int racers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<OAuthService.TokenResponse>> all = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return oauth.exchangeDeviceCode(code, di);
                }, threads));
            }
            start.countDown();
            int won = 0;
            int refused = 0;
            for (CompletableFuture<OAuthService.TokenResponse> f : all) {
                try {
                    assertNotNull(f.get(30, TimeUnit.SECONDS).accessToken());
                    won++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof OAuthException, "refused as invalid_grant, not " + e.getCause());
                    refused++;
                }
            }
            assertEquals(1, won, "one exchange won");
            assertEquals(racers - 1, refused);
        } finally {
            threads.shutdownNow();
        }
    }
}
