package org.ocfcloudbridge.origin.forward;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Webhook deliveries that run out of retries are kept, listed for operators, and can be sent again or dropped. */
@QuarkusTest
@TestProfile(WebhookDeadLettersTest.ShortLived.class)
class WebhookDeadLettersTest {

    static final int PORT = ForwardingTest.freePort();

    public static final class ShortLived implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.origin.webhooks.flaky.url", "http://127.0.0.1:" + PORT + "/hook",
                    "bridge.origin.webhooks.flaky.secret", "whsec_" + Base64.getEncoder().encodeToString(
                            "dead-letters-test-webhook-key-01".getBytes(StandardCharsets.UTF_8)),
                    "bridge.origin.webhook-max-age", "1S");
        }
    }

    @Test
    void aDeliveryThatRanOutOfRetriesIsListedAndSentAgainOnRequest() throws Exception {
        AtomicBoolean accepting = new AtomicBoolean(false);
        List<String> delivered = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 0);
        receiver.createContext("/hook", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            if (accepting.get()) {
                delivered.add(ex.getRequestHeaders().getFirst("webhook-id"));
            }
            ex.sendResponseHeaders(accepting.get() ? 204 : 500, -1);
            ex.close();
        });
        receiver.start();
        String admin = OAuthTestClient.adminToken();
        try {
            String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
            String link = OriginLinks.link(OriginLinks.registerCloud(), vendorToken, OAuthTestClient.newUser());

            Map<String, Object> dead = awaitDead(admin, link);
            assertEquals("flaky", dead.get("webhook"));
            assertEquals("link.state", dead.get("type"), "the link's first event died first");
            assertTrue(((Number) dead.get("attempts")).intValue() >= 1);
            assertEquals("HTTP 500", dead.get("lastError"));
            String id = String.valueOf(dead.get("id"));
            String event = (String) dead.get("event");

            given().get("/api/admin/webhooks/dead-letters").then().statusCode(401);
            given().auth().oauth2(vendorToken).get("/api/admin/webhooks/dead-letters").then().statusCode(403);
            given().auth().oauth2(admin).post("/api/admin/webhooks/dead-letters/12345678901/retry").then().statusCode(404);
            given().auth().oauth2(admin).post("/api/admin/webhooks/dead-letters/not-a-number/retry").then().statusCode(404);

            accepting.set(true);
            given().auth().oauth2(admin).post("/api/admin/webhooks/dead-letters/" + id + "/retry").then().statusCode(202);
            long end = System.nanoTime() + 15_000_000_000L;
            while (!delivered.contains(event) && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertTrue(delivered.contains(event), "sent again and taken: " + delivered);
            assertTrue(given().auth().oauth2(admin).get("/api/admin/webhooks/dead-letters").jsonPath()
                    .getList("id").stream().map(String::valueOf).noneMatch(id::equals), "no longer dead");
            // Dropping: another one of the dead is forgotten.
            JsonPath rest = given().auth().oauth2(admin).get("/api/admin/webhooks/dead-letters").jsonPath();
            if (!rest.getList("").isEmpty()) {
                String other = String.valueOf(rest.getList("id").get(0));
                given().auth().oauth2(admin).delete("/api/admin/webhooks/dead-letters/" + other).then().statusCode(204);
                given().auth().oauth2(admin).delete("/api/admin/webhooks/dead-letters/" + other).then().statusCode(404);
            }
        } finally {
            receiver.stop(0);
        }
    }

    /** The oldest dead letter of {@code link}'s events, once one has died. */
    static Map<String, Object> awaitDead(String admin, String link) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            var r = given().auth().oauth2(admin).get("/api/admin/webhooks/dead-letters?webhook=flaky");
            assertEquals(200, r.statusCode(), r.asString());
            List<Map<String, Object>> mine = r.jsonPath().<Map<String, Object>>getList("").stream()
                    .filter(m -> link.equals(m.get("link"))).toList();
            if (!mine.isEmpty()) {
                return mine.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("nothing died");
    }
}
