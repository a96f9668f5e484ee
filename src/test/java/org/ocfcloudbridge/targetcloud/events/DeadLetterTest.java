package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.DeadLetter;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receiver that never takes its notifications: they are retried until the retry age, then kept as dead letters, and
 * the subscription ends with a (last, also retried) subscription_cancelled. Nothing is dropped silently.
 */
@QuarkusTest
@TestProfile(DeadLetterTest.ShortRetryAge.class)
class DeadLetterTest {

    public static final class ShortRetryAge implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.events.max-age", "2S");
        }
    }

    @Test
    void undeliverableNotificationsBecomeDeadLettersAndTheSubscriptionEnds() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            receiver.answerAlways(503);
            String id = given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_registered", "devices_online"),
                            "signingSecret", NotificationsTest.SECRET))
                    .post("/api/v1/devices/subscriptions").then().statusCode(201).extract().path("subscriptionId");
            UUID sub = UUID.fromString(id);
            long end = System.nanoTime() + 20_000_000_000L;
            while (QuarkusTransaction.requiringNew().call(() -> Subscription.findById(sub)) != null && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            assertEquals(null, QuarkusTransaction.requiringNew().call(() -> Subscription.findById(sub)), "the subscription ended");
            assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> OutboxEntry.count("subscriptionId", sub)));
            List<DeadLetter> dead = QuarkusTransaction.requiringNew().call(() -> DeadLetter.<DeadLetter>list("subscriptionId = ?1 order by seq", sub));
            assertEquals(List.of("devices_registered", "devices_online", "subscription_cancelled"),
                    dead.stream().map(d -> d.eventType).toList(), "every undelivered notification kept, in order");
            assertEquals(List.of(0L, 1L, 2L), dead.stream().map(d -> d.seq).toList());
            assertTrue(dead.get(0).attempts > 1, "retried before giving up");
            assertEquals("HTTP 503", dead.get(0).lastError);
            assertEquals(receiver.url(), dead.get(0).eventsUrl);
            assertTrue(receiver.postsFor(id).stream().anyMatch(n -> n.eventType().equals("subscription_cancelled")),
                    "the receiver was told the subscription ended");
            assertEquals(404, given().auth().oauth2(token).get("/api/v1/devices/subscriptions/" + id).statusCode());
        }
    }
}
