package org.ocfcloudbridge.origin.proxy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OriginLinks;

import java.time.OffsetDateTime;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Target Cloud whose access tokens live a minute or less: the Origin refreshes once most of a token's life is gone,
 * not on every proxied call (it used to refresh whenever less than a fixed minute was left, i.e. always).
 */
@QuarkusTest
class ShortLivedTargetTokensTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DataCipher cipher;

    @Inject
    TargetClient target;

    private String storedToken(UUID id) {
        return cipher.open(QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>findById(id)).accessToken);
    }

    /** The link's token as if obtained {@code age} seconds ago and expiring in {@code left} seconds. */
    private void tokenAged(UUID id, int age, int left) {
        OffsetDateTime now = OffsetDateTime.now();
        QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("updatedAt = ?1, tokenExpiresAt = ?2 where id = ?3",
                now.minusSeconds(age), now.plusSeconds(left), id));
        // Rows changed behind the bridge's back: drop the session it keeps, as it does itself when it changes them.
        target.forget(id);
    }

    @Test
    void aOneMinuteTokenIsRefreshedOnceMostOfItsLifeIsGoneNotOnEveryCall() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        try (LogCapture log = new LogCapture()) {
            String path = "/api/v1/links/" + linked.link() + "/devices/" + linked.device().di() + "/switch";
            UUID id = UUID.fromString(linked.link());
            OriginLinks.settled(linked.link());

            // A 60 s token with 50 s left: five calls, each after the session cache is dropped, and no refresh.
            String before = storedToken(id);
            for (int i = 0; i < 5; i++) {
                tokenAged(id, 10, 50);
                given().auth().oauth2(linked.vendorToken()).get(path).then().statusCode(200);
            }
            // Compared without printing: a failure message must not carry a token.
            assertTrue(before.equals(storedToken(id)), "no refresh while three quarters of the token's life are left");
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("access token refreshed")), String.join("\n", log.lines()));

            // Less than a quarter left (10 s of 60 s): refreshed before the call, and said so at DEBUG.
            tokenAged(id, 50, 10);
            given().auth().oauth2(linked.vendorToken()).get(path).then().statusCode(200);
            assertFalse(before.equals(storedToken(id)), "refreshed ahead of expiry");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("link " + id + ": access token refreshed")),
                    String.join("\n", log.lines()));
        } finally {
            linked.device().shutdown();
        }
    }
}
