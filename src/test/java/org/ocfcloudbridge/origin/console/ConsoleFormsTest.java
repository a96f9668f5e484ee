package org.ocfcloudbridge.origin.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.net.URI;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page's cookie-authenticated forms take requests from the page itself only; its session lives on the server. */
@QuarkusTest
class ConsoleFormsTest {

    /** The page's sign-in as a browser does it; returns the session cookie's value. */
    static String signIn(String[] user) {
        Response start = given().redirects().follow(false).get("/console/login");
        String login = start.cookie("bridge_console_login");
        String authorize = start.header("Location");
        Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(authorize));
        String request = OAuthTestClient.requestId(page.asString());
        Response signedIn = OAuthTestClient.login(request, user[0], user[1]);
        String back = signedIn.header("Location");
        if (back == null || !back.contains("/console/callback")) {
            back = OAuthTestClient.consent(request, signedIn.cookie("bridge_authz"), "allow").header("Location");
        }
        Response callback = given().urlEncodingEnabled(false).redirects().follow(false).cookie("bridge_console_login", login)
                .get(URI.create(back));
        assertEquals(303, callback.statusCode(), callback.asString());
        String session = callback.cookie("bridge_console");
        assertNotNull(session, "signed in");
        return session;
    }

    @Test
    void formsSentFromAnotherSiteAreRefused() {
        String session = signIn(OAuthTestClient.newUser());
        String link = UUID.randomUUID().toString();
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", "https://evil.example")
                .formParam("link", link).post("/console/unlink").then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "cross-site")
                .formParam("link", link).formParam("device", UUID.randomUUID().toString()).formParam("href", "/switch")
                .formParam("body", "{\"value\":true}").post("/console/update").then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "same-site")
                .formParam("link", link).formParam("device", UUID.randomUUID().toString()).formParam("href", "/switch")
                .formParam("value", "true").post("/console/switch").then().statusCode(403);
        // The resync and the sliders' and colours' form too.
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "cross-site")
                .formParam("link", link).post("/console/resync").then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", "https://evil.example")
                .formParam("link", link).formParam("device", UUID.randomUUID().toString()).formParam("href", "/brightness")
                .formParam("property", "brightness").formParam("number", "5").post("/console/set").then().statusCode(403);
        // From the page, a resync of somebody else's (or no) link is not found, in the page's script's words too.
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").header("Accept", "application/json").formParam("link", link)
                .post("/console/resync").then().statusCode(404).body("error", org.hamcrest.Matchers.equalTo("no-such-link"));
        // Without the script, a control that could not be sent comes back to the page saying so, not "Not linked".
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").formParam("link", "not-a-link").formParam("body", "{}")
                .post("/console/update").then().statusCode(303).header("Location", containsString("/?unsent=no-such-link"));
        given().cookie("bridge_console", session).get("/?unsent=no-such-link").then().statusCode(200)
                .body(containsString("Not sent: no-such-link"), org.hamcrest.Matchers.not(containsString("Not linked")));
        // The account panel's data is the signed-in user's alone.
        given().get("/console/accounts").then().statusCode(401);
        given().cookie("bridge_console", session).get("/console/accounts").then().statusCode(200);
        // Starting a link is a form too: another site can neither POST it nor start it with a GET.
        String cloud = OriginLinks.registerCloud();
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "cross-site")
                .post("/console/link/" + cloud).then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).get("/console/link/" + cloud)
                .then().statusCode(405);
        // From the page itself: taken (and answered with the page, here saying the link is unknown).
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").formParam("link", link).post("/console/unlink")
                .then().statusCode(303).header("Location", containsString("error=no-such-link"));
        Response linking = given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").post("/console/link/" + cloud);
        assertEquals(303, linking.statusCode());
        assertTrue(linking.header("Location").startsWith(OriginLinks.BASE + "/oauth2/authorize?"));
        assertTrue(linking.getCookies().keySet().stream().anyMatch(c -> c.startsWith("bridge_link_")), "bound to this browser");
    }

    @Test
    void theSessionCookieHoldsNoTokenAndSigningOutEndsItAndItsGrant() {
        String[] user = OAuthTestClient.newUser();
        String session = signIn(user);
        assertFalse(session.startsWith("ey"), "a session id, not a JWT");
        given().auth().oauth2(session).get("/api/v1/links").then().statusCode(401);
        Response page = given().cookie("bridge_console", session).get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.asString().contains("id=\"logout\""), "signed in");
        assertEquals("DENY", page.header("X-Frame-Options"));
        String csp = page.header("Content-Security-Policy");
        assertNotNull(csp);
        assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'nonce-"), csp);
        String nonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertTrue(page.asString().contains("<script nonce=\"" + nonce + "\">"), "the page's script carries the nonce");

        Response out = given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").post("/console/logout");
        assertEquals(303, out.statusCode());
        assertEquals("", out.cookie("bridge_console"));
        // A copy of the old cookie no longer signs anybody in, nor follows the event stream.
        assertFalse(given().cookie("bridge_console", session).get("/").asString().contains("id=\"logout\""));
        given().cookie("bridge_console", session).get("/api/v1/events").then().statusCode(401);
        assertTrue(io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> org.ocfcloudbridge.store.OAuthGrant
                .<org.ocfcloudbridge.store.OAuthGrant>list("userId", UUID.fromString(user[2])).stream()
                .allMatch(g -> g.revokedAt != null)), "the sign-in's grant is revoked");
    }
}
