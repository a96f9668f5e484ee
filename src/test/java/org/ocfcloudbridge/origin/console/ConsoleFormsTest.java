package org.ocfcloudbridge.origin.console;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/** The page's cookie-authenticated forms take requests from the page itself only. */
@QuarkusTest
class ConsoleFormsTest {

    @Test
    void formsSentFromAnotherSiteAreRefused() {
        String session = CloudApiUsers.token(OAuthTestClient.newUser(), "r:* w:*");
        String link = UUID.randomUUID().toString();
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", "https://evil.example")
                .formParam("link", link).post("/console/unlink").then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "cross-site")
                .formParam("link", link).formParam("device", UUID.randomUUID().toString()).formParam("href", "/switch")
                .formParam("body", "{\"value\":true}").post("/console/update").then().statusCode(403);
        given().redirects().follow(false).cookie("bridge_console", session).header("Sec-Fetch-Site", "same-site")
                .formParam("link", link).formParam("device", UUID.randomUUID().toString()).formParam("href", "/switch")
                .formParam("value", "true").post("/console/switch").then().statusCode(403);
        // From the page itself: taken (and answered with the page, here saying the link is unknown).
        given().redirects().follow(false).cookie("bridge_console", session).header("Origin", OriginLinks.BASE)
                .header("Sec-Fetch-Site", "same-origin").formParam("link", link).post("/console/unlink")
                .then().statusCode(303).header("Location", org.hamcrest.Matchers.containsString("error=no-such-link"));
    }
}
