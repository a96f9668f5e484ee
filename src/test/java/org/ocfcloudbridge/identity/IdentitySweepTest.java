package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.store.RefreshToken;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.OAuthTestClient.code;
import static org.ocfcloudbridge.testing.OAuthTestClient.exchange;
import static org.ocfcloudbridge.testing.OAuthTestClient.newClient;
import static org.ocfcloudbridge.testing.OAuthTestClient.newUser;
import static org.ocfcloudbridge.testing.OAuthTestClient.refresh;

/** Used codes and refresh tokens do not pile up: the sweep deletes them once they can no longer matter. */
@QuarkusTest
class IdentitySweepTest {

    private static final String REDIRECT = "http://127.0.0.1:9/callback";

    @Inject
    IdentitySweeper sweeper;

    @Inject
    IdentityConfig config;

    @Test
    void expiredCodesAndRefreshTokensAreDeletedAndLiveOnesKept() {
        String client = newClient(REDIRECT, null, List.of("r:*"));
        Pkce pkce = Pkce.create();
        String code = code(client, REDIRECT, newUser(), pkce, "r:*");
        Response tokens = exchange(client, null, code, REDIRECT, pkce.verifier());
        tokens.then().statusCode(200);
        String rotated = refresh(client, null, tokens.path("refresh_token")).then().statusCode(200).extract().path("refresh_token");

        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        sweeper.sweep(now);
        assertEquals(1, codes(client), "a code just used is remembered, so its replay is still caught");
        assertEquals(2, refreshTokens(client), "the used refresh token is remembered until it expires; the new one lives");
        refresh(client, null, rotated).then().statusCode(200);

        OffsetDateTime later = now.plus(config.refreshTokenLifetime()).plus(Duration.ofHours(1));
        assertTrue(sweeper.sweep(later) >= 4, "the code and the three refresh tokens of this grant");
        assertEquals(0, codes(client));
        assertEquals(0, refreshTokens(client));
        refresh(client, null, rotated).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    private static long codes(String client) {
        return QuarkusTransaction.requiringNew().call(() -> AuthorizationCode.count("clientId", client));
    }

    private static long refreshTokens(String client) {
        return QuarkusTransaction.requiringNew().call(() -> RefreshToken.count(
                "grantId in (select g.id from OAuthGrant g where g.clientId = ?1)", client));
    }
}
