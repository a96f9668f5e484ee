package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.OAuthClient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ocfcloudbridge.testing.OAuthTestClient.adminToken;
import static org.ocfcloudbridge.testing.OAuthTestClient.authorize;

/**
 * A client's redirect URI is a web address or a native app's private-use scheme (RFC 8252 §7.1), never a scheme the
 * browser runs or opens itself; and authorize never sends a browser to such a URI, even one an older version stored.
 */
@QuarkusTest
class RedirectUriSchemesTest {

    private static int create(String redirectUri) {
        return given().auth().oauth2(adminToken()).contentType("application/json")
                .body(Map.of("clientId", "c-" + UUID.randomUUID(), "redirectUris", List.of(redirectUri), "scopes", List.of("r:*"),
                        "secret", "0123456789abcdef0123"))
                .post("/api/admin/clients").then().extract().statusCode();
    }

    @Test
    void schemesABrowserRunsOrOpensItselfAreRefused() {
        for (String bad : List.of("javascript:alert(1)", "JavaScript:alert(1)//", "data:text/html,<script>alert(1)</script>",
                "file:///etc/passwd", "vbscript:msgbox(1)", "blob:https://a.example/x", "about:blank", "myapp:/cb", "ftp://a.example/cb",
                "http:/no-host", "https://user:pw@a.example/cb")) {
            given().auth().oauth2(adminToken()).contentType("application/json")
                    .body(Map.of("clientId", "c-" + UUID.randomUUID(), "redirectUris", List.of(bad), "scopes", List.of("r:*"),
                            "secret", "0123456789abcdef0123"))
                    .post("/api/admin/clients").then().statusCode(400).body("error", containsString("redirect URI"));
        }
    }

    @Test
    void webAddressesAndPrivateUseSchemesAreAccepted() {
        for (String good : List.of("https://app.example/cb", "http://127.0.0.1:9/cb", "com.example.app:/oauth2redirect",
                "org.example.mediator:/cb?x=1")) {
            assertEquals(201, create(good), good);
        }
    }

    @Test
    void authorizeDoesNotRedirectToAJavascriptUriAnOlderVersionStored() {
        String id = "old-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> {
            OAuthClient c = new OAuthClient();
            c.clientId = id;
            c.secretHash = Secrets.sha256Hex("0123456789abcdef0123");
            c.redirectUris = "javascript:alert(1)";
            c.scopes = "r:*";
            c.grantTypes = "authorization_code refresh_token";
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            c.persist();
        });
        // An error that would go back to the client (no PKCE here is fine for a confidential client; a bad scope is not).
        authorize(id, "javascript:alert(1)", "w:*", "s", null).then().statusCode(400).header("Location", nullValue());
        authorize(id, "javascript:alert(1)", null, "s", null).then().statusCode(400).header("Location", nullValue());
    }
}
