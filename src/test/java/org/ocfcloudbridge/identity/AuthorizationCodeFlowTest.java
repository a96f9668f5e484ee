package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.OAuthTestClient.authorize;
import static org.ocfcloudbridge.testing.OAuthTestClient.code;
import static org.ocfcloudbridge.testing.OAuthTestClient.consent;
import static org.ocfcloudbridge.testing.OAuthTestClient.exchange;
import static org.ocfcloudbridge.testing.OAuthTestClient.login;
import static org.ocfcloudbridge.testing.OAuthTestClient.newClient;
import static org.ocfcloudbridge.testing.OAuthTestClient.newUser;
import static org.ocfcloudbridge.testing.OAuthTestClient.query;
import static org.ocfcloudbridge.testing.OAuthTestClient.refresh;
import static org.ocfcloudbridge.testing.OAuthTestClient.requestId;
import static org.ocfcloudbridge.testing.OAuthTestClient.revoke;

/** The authorization code flow of the embedded server over HTTP, and every way it must refuse. */
@QuarkusTest
class AuthorizationCodeFlowTest {

    private static final String REDIRECT = "http://127.0.0.1:9/callback";
    private static final String SECRET = "vendor-secret-0123456789";
    private static final List<String> RW = List.of("r:*", "w:*");

    @Inject
    TokenVerifier verifier;

    @Test
    void aPublicClientGetsRotatingTokensWithPkceAndRevocationEndsThem() throws Exception {
        String client = newClient(REDIRECT, null, RW);
        String[] user = newUser();
        Pkce pkce = Pkce.create();
        String code = code(client, REDIRECT, user, pkce, "r:* w:*");

        Response tokens = exchange(client, null, code, REDIRECT, pkce.verifier());
        tokens.then().statusCode(200).header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer")).body("expires_in", equalTo(3600)).body("scope", equalTo("r:* w:*"));
        String access = tokens.path("access_token");
        String refresh = tokens.path("refresh_token");

        VerifiedToken verified = verifier.verify(access);
        assertEquals(user[2], verified.owner(), "sub is the OCF user id");
        assertEquals(client, verified.clientId());
        assertTrue(verified.hasScope("r:*") && verified.hasScope("w:*"));
        assertNull(verified.deviceId());

        Response rotated = refresh(client, null, refresh);
        rotated.then().statusCode(200);
        String refresh2 = rotated.path("refresh_token");
        assertNotEquals(refresh, refresh2, "a refresh rotates the refresh token");
        String access2 = rotated.path("access_token");
        verifier.verify(access2);

        revoke(client, null, refresh2).then().statusCode(200);
        assertThrows(InvalidTokenException.class, () -> verifier.verify(access2));
        assertThrows(InvalidTokenException.class, () -> verifier.verify(access), "every token of the grant ends");
        refresh(client, null, refresh2).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void aConfidentialClientAuthenticatesWithItsSecret() {
        String client = newClient(REDIRECT, SECRET, RW);
        String[] user = newUser();
        String code = code(client, REDIRECT, user, null, "r:*");
        exchange(client, "wrong-secret-0123456789", code, REDIRECT, null).then().statusCode(401)
                .header("WWW-Authenticate", containsString("Basic")).body("error", equalTo("invalid_client"));
        exchange(client, SECRET, code, REDIRECT, null).then().statusCode(200).body("scope", equalTo("r:*"));
    }

    @Test
    void aWrongPkceVerifierIsRefused() {
        String client = newClient(REDIRECT, null, RW);
        Pkce pkce = Pkce.create();
        String code = code(client, REDIRECT, newUser(), pkce, null);
        exchange(client, null, code, REDIRECT, Pkce.create().verifier()).then().statusCode(400)
                .body("error", equalTo("invalid_grant")).body("error_description", containsString("code_verifier"));
        exchange(client, null, code, REDIRECT, null).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void aReplayedCodeIsRefusedAndRevokesWhatItsFirstUseIssued() {
        String client = newClient(REDIRECT, SECRET, RW);
        String code = code(client, REDIRECT, newUser(), null, null);
        Response first = exchange(client, SECRET, code, REDIRECT, null);
        first.then().statusCode(200);
        exchange(client, SECRET, code, REDIRECT, null).then().statusCode(400).body("error", equalTo("invalid_grant"));
        assertThrows(InvalidTokenException.class, () -> verifier.verify(first.path("access_token")));
        refresh(client, SECRET, first.path("refresh_token")).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void aRedirectUriThatDiffersIsRefusedAtBothEnds() {
        String client = newClient(REDIRECT, SECRET, RW);
        // At authorize: an error page, never a redirect to the unregistered address.
        authorize(client, "http://127.0.0.1:9/evil", null, "s", null).then().statusCode(400)
                .header("Location", nullValue()).body(containsString("redirect_uri"));
        // At the token endpoint: the exact URI of the authorization request.
        String code = code(client, REDIRECT, newUser(), null, null);
        exchange(client, SECRET, code, REDIRECT + "/", null).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void anExpiredCodeIsRefused() {
        String client = newClient(REDIRECT, SECRET, RW);
        String code = code(client, REDIRECT, newUser(), null, null);
        QuarkusTransaction.requiringNew().run(() -> {
            AuthorizationCode c = AuthorizationCode.findById(Secrets.sha256Hex(code));
            c.expiresAt = OffsetDateTime.now().minusSeconds(1);
        });
        exchange(client, SECRET, code, REDIRECT, null).then().statusCode(400)
                .body("error", equalTo("invalid_grant")).body("error_description", containsString("expired"));
    }

    @Test
    void aReusedRefreshTokenEndsTheWholeGrant() throws Exception {
        String client = newClient(REDIRECT, SECRET, RW);
        Response first = exchange(client, SECRET, code(client, REDIRECT, newUser(), null, null), REDIRECT, null);
        String refresh1 = first.path("refresh_token");
        Response second = refresh(client, SECRET, refresh1);
        second.then().statusCode(200);
        verifier.verify(second.path("access_token"));

        refresh(client, SECRET, refresh1).then().statusCode(400).body("error", equalTo("invalid_grant"));
        // The thief used the old token; the legitimate holder's newer tokens die too.
        assertThrows(InvalidTokenException.class, () -> verifier.verify(second.path("access_token")));
        refresh(client, SECRET, second.path("refresh_token")).then().statusCode(400);
    }

    @Test
    void aWrongPasswordShowsTheLoginPageAgainAndRepeatedFailuresAreSlowedDown() {
        String client = newClient(REDIRECT, SECRET, RW);
        String[] user = newUser();
        String request = requestId(authorize(client, REDIRECT, null, "s", null).then().statusCode(200).extract().asString());
        for (int i = 0; i < 5; i++) {
            login(request, user[0], "not-the-password").then().statusCode(401)
                    .body(containsString("Wrong user name or password")).header("Set-Cookie", nullValue());
        }
        login(request, user[0], user[1]).then().statusCode(429).body(containsString("Too many failed sign-ins"));
        login(request, "nobody-" + user[0], "x").then().statusCode(401);
    }

    @Test
    void theUserCanDenyAccess() {
        String client = newClient(REDIRECT, SECRET, RW);
        String[] user = newUser();
        String request = requestId(authorize(client, REDIRECT, "r:*", "st-9", null).asString());
        Response consentPage = login(request, user[0], user[1]);
        consentPage.then().statusCode(200).body(containsString(client)).body(containsString("r:*"))
                .body(containsString("value=\"allow\"")).body(containsString("value=\"deny\""));
        Response denied = consent(request, consentPage.cookie("bridge_authz"), "deny");
        denied.then().statusCode(303);
        Map<String, String> q = query(denied.header("Location"));
        assertEquals("access_denied", q.get("error"));
        assertEquals("st-9", q.get("state"));
        assertNull(q.get("code"));
    }

    @Test
    void consentNeedsTheBrowserThatSignedIn() {
        String client = newClient(REDIRECT, SECRET, RW);
        String[] user = newUser();
        String request = requestId(authorize(client, REDIRECT, null, "s", null).asString());
        login(request, user[0], user[1]).then().statusCode(200);
        consent(request, null, "allow").then().statusCode(400).header("Location", nullValue());
        consent(request, "forged-cookie-value", "allow").then().statusCode(400).header("Location", nullValue());
    }

    @Test
    void authorizeErrorsGoBackToTheClientWithState() {
        String publicClient = newClient(REDIRECT, null, RW);
        Map<String, String> noPkce = query(authorize(publicClient, REDIRECT, null, "s1", null).then().statusCode(303)
                .extract().header("Location"));
        assertEquals("invalid_request", noPkce.get("error"));
        assertEquals("s1", noPkce.get("state"));

        String client = newClient(REDIRECT, SECRET, List.of("r:*"));
        assertEquals("invalid_scope", query(authorize(client, REDIRECT, "w:*", "s2", null).header("Location")).get("error"));
        given().redirects().follow(false).queryParam("response_type", "token").queryParam("client_id", client)
                .queryParam("redirect_uri", REDIRECT).get("/oauth2/authorize").then().statusCode(303)
                .header("Location", containsString("error=unsupported_response_type"));
        given().queryParam("response_type", "code").queryParam("client_id", "no-such-client")
                .get("/oauth2/authorize").then().statusCode(400).body(containsString("not registered"));
    }

    @Test
    void tokenEndpointErrorsAreRfc6749Json() {
        given().formParam("grant_type", "password").formParam("client_id", "x").post("/oauth2/token").then()
                .statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().formParam("grant_type", "authorization_code").formParam("code", "abc").post("/oauth2/token").then()
                .statusCode(401).body("error", equalTo("invalid_client"));
        given().formParam("client_id", "x").post("/oauth2/token").then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        String client = newClient(REDIRECT, SECRET, RW);
        exchange(client, SECRET, "no-such-code", REDIRECT, null).then().statusCode(400)
                .body("error", equalTo("invalid_grant")).body("error_description", notNullValue());
    }
}
