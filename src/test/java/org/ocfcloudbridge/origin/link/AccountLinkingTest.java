package org.ocfcloudbridge.origin.link;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkRequest;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account linking over real HTTP, with this daemon's Target role as the Target Cloud: the vendor's user is sent to the
 * Target's login and consent pages, comes back to the callback, and the bridge holds the account's tokens, encrypted.
 */
@QuarkusTest
class AccountLinkingTest {

    static final String BASE = OriginLinks.BASE;
    static final String RETURN_TO = OriginLinks.RETURN_TO;

    @Inject
    DataCipher cipher;

    static String registerCloud() {
        return OriginLinks.registerCloud();
    }

    static Map<String, String> query(String location) {
        return OAuthTestClient.query(location);
    }

    static String throughTheTarget(String cloud, String vendorToken, String[] targetUser, String answer) {
        String callback = OriginLinks.throughTheTarget(cloud, vendorToken, targetUser, answer);
        Map<String, String> q = query(callback);
        assertNotNull(q.get("state"));
        return callback;
    }

    @Test
    void theBrowserIsSentToTheTargetWithStateAndPkce() {
        String cloud = registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        Response start = given().redirects().follow(false).queryParam("return_to", RETURN_TO).queryParam("token", vendorToken)
                .get("/link/" + cloud);
        assertEquals(303, start.statusCode(), start.asString());
        String authorize = start.header("Location");
        Map<String, String> q = query(authorize);
        assertTrue(authorize.startsWith(BASE + "/oauth2/authorize?"), authorize);
        assertEquals("S256", q.get("code_challenge_method"));
        assertNotNull(q.get("code_challenge"));
        assertEquals(BASE + "/link/callback", q.get("redirect_uri"));
        assertEquals("r:* w:*", q.get("scope"));
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> LinkRequest.count("state", q.get("state"))),
                "the pending link is in the database, so any instance can finish it");
    }

    @Test
    void aVendorUserLinksAnAccountThroughTheBrowserFlowAndTheTokensAreKeptEncrypted() {
        String cloud = registerCloud();
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String[] alice = OAuthTestClient.newUser();

        String callback = throughTheTarget(cloud, vendorToken, alice, "allow");
        Response back = OriginLinks.back(callback);
        assertEquals(303, back.statusCode(), back.asString());
        String location = back.header("Location");
        assertTrue(location.startsWith(RETURN_TO + "?linked="), location);
        UUID id = UUID.fromString(query(location).get("linked"));

        given().auth().oauth2(vendorToken).get("/api/v1/links").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].id", equalTo(id.toString())).body("[0].cloud", equalTo(cloud))
                .body("[0].targetUser", equalTo(alice[2])).body("[0].state", equalTo("linked"));

        LinkedAccount stored = QuarkusTransaction.requiringNew().call(() -> LinkedAccount.findById(id));
        assertTrue(stored.accessToken.startsWith("v1.") && stored.refreshToken.startsWith("v1."), "stored sealed");
        String access = cipher.open(stored.accessToken);
        assertFalse(stored.accessToken.contains(access.substring(0, 20)));
        given().auth().oauth2(access).get("/api/v1/devices").then().statusCode(200);

        Response replay = OriginLinks.back(callback);
        assertEquals(303, replay.statusCode());
        assertEquals("invalid_request", query(replay.header("Location")).get("error"), "a state is used once");
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> LinkedAccount.count("vendorUser", vendorUser[2])));
    }

    @Test
    void everyWayALinkCanFailSendsTheBrowserBackWithAnError() {
        String cloud = registerCloud();
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String[] alice = OAuthTestClient.newUser();

        String denied = throughTheTarget(cloud, vendorToken, alice, "deny");
        Response deniedBack = OriginLinks.back(denied);
        assertEquals("access_denied", query(deniedBack.header("Location")).get("error"));

        String callback = throughTheTarget(cloud, vendorToken, alice, "allow");
        String state = query(callback).get("state");
        Response forged = given().redirects().follow(false).queryParam("code", "forged-code").queryParam("state", state)
                .cookie(OriginLinks.browserCookie(state)).get("/link/callback");
        assertEquals("invalid_grant", query(forged.header("Location")).get("error"), "the Target refused the code");

        String late = throughTheTarget(cloud, vendorToken, alice, "allow");
        String lateState = query(late).get("state");
        QuarkusTransaction.requiringNew().run(() -> LinkRequest.update("expiresAt = ?1 where state = ?2",
                OffsetDateTime.now().minusMinutes(1), lateState));
        Response expired = OriginLinks.back(late);
        assertEquals("invalid_request", query(expired.header("Location")).get("error"));
        assertTrue(query(expired.header("Location")).get("error_description").contains("expired"));

        Response unknown = given().redirects().follow(false).queryParam("code", "x").queryParam("state", "no-such-state")
                .get("/link/callback");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.asString().contains("unknown link request"), "a readable page when there is nowhere to go back to");

        assertEquals(400, given().redirects().follow(false).queryParam("return_to", "https://evil.example/steal")
                .queryParam("token", vendorToken).get("/link/" + cloud).statusCode(), "return_to outside the allowed prefixes");
        assertEquals(401, given().redirects().follow(false).get("/link/" + cloud).statusCode(), "no vendor token");
        assertEquals(401, given().redirects().follow(false).queryParam("token", "forged").get("/link/" + cloud).statusCode());
        assertEquals(404, given().redirects().follow(false).queryParam("token", vendorToken).get("/link/no-such-cloud").statusCode());
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> LinkedAccount.count("vendorUser", vendorUser[2])),
                "no failed attempt linked anything");
    }

    /**
     * RFC 6749 §10.12, the attack as a user would mount it: Mallory starts a link with her own vendor token and sends
     * the Target's authorization URL to Victor, who signs in there and allows. Without the binding to Mallory's
     * browser, Victor's account (and devices) ended up linked to Mallory.
     */
    @Test
    void aLinkStartedInOneBrowserAndFinishedInAnotherLinksNothing() {
        String cloud = registerCloud();
        String[] mallory = OAuthTestClient.newUser();
        String malloryToken = CloudApiUsers.vendorToken(mallory);
        String[] victor = OAuthTestClient.newUser();

        // Mallory's own browser starts the link, then she hands the authorization URL to Victor.
        Response start = given().redirects().follow(false).queryParam("return_to", RETURN_TO).queryParam("token", malloryToken)
                .get("/link/" + cloud);
        assertEquals(303, start.statusCode(), start.asString());
        String authorize = start.header("Location");
        String state = query(authorize).get("state");
        io.restassured.http.Cookie malloryCookie = start.detailedCookie(
                org.ocfcloudbridge.origin.link.AccountLinking.browserCookieName(state));
        assertNotNull(malloryCookie);
        assertTrue(malloryCookie.isHttpOnly(), "HttpOnly");
        assertEquals("Lax", malloryCookie.getSameSite());
        assertEquals("/link/callback", malloryCookie.getPath());

        // Victor, with no cookie of the bridge, signs in at the Target and allows.
        Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(authorize));
        String request = OAuthTestClient.requestId(page.asString());
        Response login = OAuthTestClient.login(request, victor[0], victor[1]);
        String callback = OAuthTestClient.consent(request, login.cookie("bridge_authz"), "allow").header("Location");
        assertTrue(callback.startsWith(BASE + "/link/callback?"), callback);

        Response victorBack = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(callback));
        assertEquals(400, victorBack.statusCode(), "an error page, not a redirect into Mallory's app");
        assertTrue(victorBack.asString().contains("another browser"), victorBack.asString());

        // A cookie of another of Mallory's links does not pass either.
        String otherState = query(given().redirects().follow(false).queryParam("token", malloryToken).get("/link/" + cloud)
                .header("Location")).get("state");
        assertFalse(otherState.equals(state));
        Response wrongCookie = given().urlEncodingEnabled(false).redirects().follow(false)
                .cookie(malloryCookie.getName(), "not-the-nonce").get(URI.create(callback));
        assertEquals(400, wrongCookie.statusCode());

        given().auth().oauth2(malloryToken).get("/api/v1/links").then().statusCode(200).body("size()", equalTo(0));
        assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> LinkedAccount.count("vendorUser", mallory[2])),
                "nothing linked to Mallory");
        assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> LinkedAccount.count("targetUser", victor[2])),
                "Victor's account is linked to nobody");
    }

    @Test
    void linkingTheSameAccountAgainRenewsTheLinkInPlaceAfterItNeededItsUser() {
        String cloud = registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        String first = OriginLinks.link(cloud, vendorToken, alice);
        UUID id = UUID.fromString(first);
        // The Target refused a refresh meanwhile: the link waits for its user.
        QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("state = ?1 where id = ?2",
                LinkedAccount.State.REAUTHORIZE, id));
        given().auth().oauth2(vendorToken).get("/api/v1/links/" + first).then().statusCode(200).body("state", equalTo("reauthorize"));

        String again = OriginLinks.link(cloud, vendorToken, alice);
        assertEquals(first, again, "the same link, renewed");
        given().auth().oauth2(vendorToken).get("/api/v1/links").then().statusCode(200).body("size()", equalTo(1))
                .body("[0].state", equalTo("linked"));
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> org.ocfcloudbridge.store.VendorEvent.count(
                "linkId = ?1 and type = 'link.state' and payload like ?2", id, "%\"relinked\"%")), "the vendor is told");

        // Another account of the same cloud is another link.
        String other = OriginLinks.link(cloud, vendorToken, OAuthTestClient.newUser());
        assertFalse(first.equals(other));
    }

    @Test
    void aLinkIsOnlyItsVendorUsersToSeeAndToUnlink() {
        String cloud = registerCloud();
        String[] owner = OAuthTestClient.newUser();
        String ownerToken = CloudApiUsers.vendorToken(owner);
        String otherToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String callback = throughTheTarget(cloud, ownerToken, OAuthTestClient.newUser(), "allow");
        String id = query(OriginLinks.back(callback).header("Location")).get("linked");

        given().auth().oauth2(otherToken).get("/api/v1/links").then().statusCode(200).body("size()", equalTo(0));
        given().auth().oauth2(otherToken).get("/api/v1/links/" + id).then().statusCode(404);
        given().auth().oauth2(otherToken).delete("/api/v1/links/" + id).then().statusCode(404);
        given().get("/api/v1/links").then().statusCode(401);
        given().auth().oauth2(ownerToken).get("/api/v1/links/" + id).then().statusCode(200).body("cloud", equalTo(cloud));
        given().auth().oauth2(ownerToken).delete("/api/v1/links/" + id).then().statusCode(204);
        given().auth().oauth2(ownerToken).get("/api/v1/links").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void storedSecretsAreSealedWithAFreshNonceAndATamperedOneIsRefused() {
        String a = cipher.seal("secret-token");
        String b = cipher.seal("secret-token");
        assertFalse(a.equals(b), "a fresh nonce each time");
        assertEquals("secret-token", cipher.open(a));
        char[] tampered = a.toCharArray();
        tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> cipher.open(new String(tampered)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> cipher.open("plain"));
    }

    @Test
    void cloudsAreAddedByOperatorsOnly() {
        Map<String, Object> body = Map.of("name", "x-" + UUID.randomUUID().toString().substring(0, 8), "apiUrl", BASE + "/api/v1",
                "authorizationEndpoint", BASE + "/oauth2/authorize", "tokenEndpoint", BASE + "/oauth2/token", "clientId", "c");
        given().contentType("application/json").body(body).post("/api/admin/clouds").then().statusCode(401);
        given().auth().oauth2(CloudApiUsers.vendorToken(OAuthTestClient.newUser())).contentType("application/json").body(body)
                .post("/api/admin/clouds").then().statusCode(403);
        String admin = OAuthTestClient.adminToken();
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", "bad", "apiUrl", "ftp://x",
                "authorizationEndpoint", BASE, "tokenEndpoint", BASE, "clientId", "c")).post("/api/admin/clouds")
                .then().statusCode(400).body("error", equalTo("apiUrl must be an absolute http or https URL"));
        given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/admin/clouds").then().statusCode(201)
                .body("confidential", equalTo(false));
        given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/admin/clouds").then().statusCode(400);
        given().auth().oauth2(admin).get("/api/admin/clouds").then().statusCode(200);
    }
}
