package org.ocfcloudbridge.identity;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.OAuthTestClient.adminToken;

/** Bearer token checks (RFC 6750) on the admin API, the admin API itself, discovery and device codes. */
@QuarkusTest
class BearerTokensAndAdminApiTest {

    @Inject
    TokenIssuer issuer;

    @Inject
    TokenVerifier verifier;

    @Inject
    OAuthService oauth;

    @Test
    void discoveryNamesEveryEndpointAndTheJwksPublishesTheSigningKey() {
        String base = issuer.issuer();
        given().get("/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo(base))
                .body("authorization_endpoint", equalTo(base + "/oauth2/authorize"))
                .body("token_endpoint", equalTo(base + "/oauth2/token"))
                .body("jwks_uri", equalTo(base + "/oauth2/jwks"))
                .body("revocation_endpoint", equalTo(base + "/oauth2/revoke"))
                .body("code_challenge_methods_supported", equalTo(List.of("S256")))
                .body("grant_types_supported", hasItem("refresh_token"))
                .body("scopes_supported", hasItem("r:*"));
        String kid = header(adminToken()).get("kid");
        given().get("/oauth2/jwks").then().statusCode(200)
                .body("keys", hasSize(1)).body("keys[0].kid", equalTo(kid)).body("keys[0].kty", equalTo("EC"))
                .body("keys[0].alg", equalTo("ES256")).body("keys[0].d", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void noTokenOrABadTokenIs401WithABearerChallenge() {
        given().contentType("application/json").body(Map.of()).post("/api/admin/users").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"ocf-cloud-bridge\""));
        given().auth().oauth2("not-a-jwt").contentType("application/json").body(Map.of()).post("/api/admin/users").then()
                .statusCode(401).header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = adminToken();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.replace("\"scope\":\"admin\"", "\"scope\":\"admin r:*\"").getBytes()) + "." + parts[2];
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(forged));
        assertEquals("token invalid", e.getMessage());
        given().auth().oauth2(forged).contentType("application/json").body(Map.of("username", "u", "password", "p"))
                .post("/api/admin/users").then().statusCode(401);
        // A token signed by a key we never published is refused the same way.
        String alien = io.smallrye.jwt.build.Jwt.claims().issuer(issuer.issuer()).subject("x").audience(issuer.audience())
                .claim("scope", "admin").claim("gid", UUID.randomUUID().toString()).jws().algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.ES256)
                .sign(newEcKey());
        assertThrows(InvalidTokenException.class, () -> verifier.verify(alien));
    }

    @Test
    void aTokenThisInstanceDidNotIssueIsVerifiedByItsSignatureAndThenRemembered() throws Exception {
        String grant = verifier.verify(adminToken()).grantId();
        // Minted directly: not in the verifier's memory, as after a restart or from another instance.
        String token = issuer.accessToken("someone", "bridge-admin", "admin", UUID.fromString(grant), "dev-1", Duration.ofMinutes(5));
        VerifiedToken first = verifier.verify(token);
        assertEquals("someone", first.owner());
        assertEquals("dev-1", first.deviceId());
        assertEquals(first, verifier.verify(token), "the second use answers the same");
        String[] parts = token.split("\\.");
        String otherSignature = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertThrows(InvalidTokenException.class, () -> verifier.verify(otherSignature));
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String admin = adminToken();
        String grant = verifier.verify(admin).grantId();
        String expired = issuer.accessToken("bridge-admin", "bridge-admin", "admin", UUID.fromString(grant), null,
                Duration.ofMinutes(-5));
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(expired));
        assertEquals("token expired", e.getMessage());
        given().auth().oauth2(expired).contentType("application/json").body(Map.of("username", "u", "password", "p"))
                .post("/api/admin/users").then().statusCode(401).header("WWW-Authenticate", containsString("expired"));
    }

    @Test
    void aTokenWithoutTheAdminScopeIs403() {
        String client = OAuthTestClient.newClient("http://127.0.0.1:9/cb", "vendor-secret-0123456789", List.of("r:*", "w:*"));
        String[] user = OAuthTestClient.newUser();
        String code = OAuthTestClient.code(client, "http://127.0.0.1:9/cb", user, null, null);
        String userToken = OAuthTestClient.exchange(client, "vendor-secret-0123456789", code, "http://127.0.0.1:9/cb", null)
                .path("access_token");
        given().auth().oauth2(userToken).contentType("application/json").body(Map.of("username", "u", "password", "p"))
                .post("/api/admin/users").then().statusCode(403)
                .header("WWW-Authenticate", containsString("error=\"insufficient_scope\""))
                .header("WWW-Authenticate", containsString("scope=\"admin\""));
        // Ordinary clients cannot be given the admin scope.
        given().auth().oauth2(adminToken()).contentType("application/json")
                .body(Map.of("clientId", "sneaky-" + UUID.randomUUID(), "redirectUris", List.of("http://x/cb"), "scopes", List.of("admin"),
                        "secret", "0123456789abcdef0123"))
                .post("/api/admin/clients").then().statusCode(400);
    }

    @Test
    void theAdminApiValidatesWhatItCreates() {
        String admin = adminToken();
        String name = "dup-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("username", name, "password", "long-enough"))
                .post("/api/admin/users").then().statusCode(201).body("id", matchesPattern("[0-9a-f-]{36}"));
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("username", name, "password", "long-enough"))
                .post("/api/admin/users").then().statusCode(409);
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("username", "x y", "password", "long-enough"))
                .post("/api/admin/users").then().statusCode(400).body("error", containsString("username"));
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("username", "shortpw", "password", "short"))
                .post("/api/admin/users").then().statusCode(400).body("error", containsString("password"));
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("clientId", "c-" + UUID.randomUUID(),
                        "redirectUris", List.of("relative/cb"), "scopes", List.of("r:*")))
                .post("/api/admin/clients").then().statusCode(400).body("error", containsString("redirect URI"));
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("username", "no-such-user"))
                .post("/api/admin/device-codes").then().statusCode(404);
        given().auth().oauth2(admin).contentType("application/json").body("{not json")
                .post("/api/admin/users").then().statusCode(400);
    }

    @Test
    void aDeviceCodeIsExchangedOnceForTokensBoundToTheDevice() throws Exception {
        String[] user = OAuthTestClient.newUser();
        var issued = given().auth().oauth2(adminToken()).contentType("application/json").body(Map.of("username", user[0]))
                .post("/api/admin/device-codes").then().statusCode(201).header("Cache-Control", "no-store").extract();
        String code = issued.path("code");
        assertEquals(600, (int) issued.path("expiresIn"));

        // Devices present the code at sign-up; it is not a code any client can take to the token endpoint.
        given().formParam("grant_type", "authorization_code").formParam("code", code).formParam("client_id", "ocf-device")
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("unauthorized_client"));

        String di = UUID.randomUUID().toString();
        OAuthService.TokenResponse t = oauth.exchangeDeviceCode(code, di);
        VerifiedToken v = verifier.verify(t.accessToken());
        assertEquals(user[2], v.owner());
        assertEquals(di, v.deviceId());
        OAuthService.TokenResponse refreshed = oauth.refreshDeviceToken(t.refreshToken(), di);
        assertEquals(di, verifier.verify(refreshed.accessToken()).deviceId());
        OAuthException otherDevice = assertThrows(OAuthException.class,
                () -> oauth.refreshDeviceToken(refreshed.refreshToken(), UUID.randomUUID().toString()));
        assertEquals("invalid_grant", otherDevice.error());

        // A second exchange of the code is a replay: refused, and the device's tokens end with it.
        OAuthException again = assertThrows(OAuthException.class, () -> oauth.exchangeDeviceCode(code, di));
        assertEquals("invalid_grant", again.error());
        assertThrows(InvalidTokenException.class, () -> verifier.verify(refreshed.accessToken()));
    }

    @Test
    void clientCredentialsNeedTheRightSecret() {
        given().auth().preemptive().basic("bridge-admin", "wrong").formParam("grant_type", "client_credentials")
                .post("/oauth2/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().formParam("grant_type", "client_credentials").formParam("client_id", "bridge-admin")
                .formParam("client_secret", OAuthTestClient.ADMIN_SECRET).formParam("scope", "r:*")
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
    }

    private static Map<String, String> header(String jwt) {
        String json = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
        Map<String, String> out = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(\\w+)\":\"([^\"]*)\"").matcher(json);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        assertTrue(out.containsKey("kid"), json);
        return out;
    }

    private static java.security.PrivateKey newEcKey() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair().getPrivate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
