package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.store.OAuthGrant;
import org.ocfcloudbridge.store.RefreshToken;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

        // Time passes for this grant alone (the database is shared with other tests' live tokens): all of it expires.
        QuarkusTransaction.requiringNew().run(() -> {
            AuthorizationCode.update("expiresAt = ?1 where clientId = ?2", now.minus(IdentitySweeper.CODE_MEMORY).minusMinutes(1), client);
            RefreshToken.update("expiresAt = ?1 where grantId in (select g.id from OAuthGrant g where g.clientId = ?2)",
                    now.minusMinutes(1), client);
        });
        sweeper.sweep(now);
        assertEquals(0, codes(client));
        assertEquals(0, refreshTokens(client));
        refresh(client, null, rotated).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Inject
    TokenVerifier verifier;

    /**
     * Every client-credentials request and code exchange makes a grant: one goes a day after its last token can have
     * expired; one with a live refresh token stays however old it is.
     */
    @Test
    void aGrantGoesOnceNoTokenOfItCanBeAliveAndOnlyThen() {
        UUID spent = verifier.grantOfOwnToken(OAuthTestClient.adminToken());
        String client = newClient(REDIRECT, null, List.of("r:*"));
        Pkce pkce = Pkce.create();
        Response tokens = exchange(client, null, code(client, REDIRECT, newUser(), pkce, "r:*"), REDIRECT, pkce.verifier());
        UUID refreshing = verifier.grantOfOwnToken(tokens.then().statusCode(200).extract().path("access_token"));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

        sweeper.sweep(now);
        assertTrue(grant(spent) != null, "a grant whose access token may still be used stays");

        OffsetDateTime longAgo = now.minus(config.accessTokenLifetime()).minus(IdentitySweeper.GRANT_MARGIN).minusMinutes(1);
        QuarkusTransaction.requiringNew().run(() -> OAuthGrant.update("createdAt = ?1 where id in ?2", longAgo, List.of(spent, refreshing)));
        sweeper.sweep(now);
        assertNull(grant(spent), "no token of it can be alive: gone");
        assertTrue(grant(refreshing) != null, "its refresh token still lives: kept");
        refresh(client, null, tokens.path("refresh_token")).then().statusCode(200);
    }

    private static OAuthGrant grant(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> OAuthGrant.findById(id));
    }

    private static long codes(String client) {
        return QuarkusTransaction.requiringNew().call(() -> AuthorizationCode.count("clientId", client));
    }

    private static long refreshTokens(String client) {
        return QuarkusTransaction.requiringNew().call(() -> RefreshToken.count(
                "grantId in (select g.id from OAuthGrant g where g.clientId = ?1)", client));
    }
}
