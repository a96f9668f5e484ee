package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * The subscribers' signing secrets are stored sealed with the data key, notifications still verify with the secret the
 * subscriber chose, and a secret an older version stored in clear keeps signing and is sealed by the pass made at start.
 */
@QuarkusTest
class SubscriptionSecretsTest {

    static final String SECRET = "k7Qm2VxZ9pLr4TnW8cYb1HsJ6dFg3AeU-secret";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    CoapGateway gateway;

    @Inject
    DataCipher cipher;

    @Inject
    SubscriptionSecrets secrets;

    private static String stored(String id) {
        return QuarkusTransaction.requiringNew().call(() -> (String) Subscription.getEntityManager()
                .createNativeQuery("select signing_secret from subscription where id = ?1")
                .setParameter(1, UUID.fromString(id)).getSingleResult());
    }

    private static String subscribe(String token, EventReceiver receiver) {
        return subscribe(token, receiver, SECRET);
    }

    private static String subscribe(String token, EventReceiver receiver, String secret) {
        Response r = given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_registered"), "signingSecret", secret))
                .post("/api/v1/devices/subscriptions");
        assertEquals(201, r.statusCode(), r.asString());
        return r.path("subscriptionId");
    }

    @Test
    void aSubscriptionsSigningSecretIsStoredSealedAndNotificationsVerifyWithIt() throws Exception {
        String token = CloudApiUsers.token(OAuthTestClient.newUser(), "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = subscribe(token, receiver);
            Notification initial = receiver.await(of(sub, "devices_registered"), WAIT);
            assertTrue(initial.signedWith(SECRET), "signed with the subscriber's secret");
            String row = stored(sub);
            assertTrue(DataCipher.isSealed(row), "stored sealed: " + row.length() + " characters");
            assertFalse(row.contains(SECRET), "stored in clear");
            assertEquals(SECRET, cipher.open(row));
        }
    }

    @Test
    void aSecretThatBeginsLikeASealedValueIsSealedAllTheSame() throws Exception {
        String chosen = "v1." + SECRET;
        String token = CloudApiUsers.token(OAuthTestClient.newUser(), "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = subscribe(token, receiver, chosen);
            assertTrue(receiver.await(of(sub, "devices_registered"), WAIT).signedWith(chosen));
            assertEquals(chosen, cipher.open(stored(sub)));
        }
    }

    @Test
    void aSecretAnOlderVersionStoredInClearStillSignsAndIsSealedAtStart() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = subscribe(token, receiver);
            receiver.await(of(sub, "devices_registered"), WAIT);
            // As an older version left it: in clear, and never opened by this daemon.
            QuarkusTransaction.requiringNew().run(() -> Subscription.getEntityManager()
                    .createNativeQuery("update subscription set signing_secret = ?1 where id = ?2")
                    .setParameter(1, SECRET).setParameter(2, UUID.fromString(sub)).executeUpdate());
            secrets.forget(UUID.fromString(sub));

            SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
            try {
                Notification change = receiver.await(n -> n.subscriptionId().equals(sub) && n.sequenceNumber() == 1, WAIT);
                assertTrue(change.signedWith(SECRET), "a clear row still signs");
            } finally {
                device.shutdown();
            }

            assertTrue(secrets.sealSecretsStoredInClear() >= 1);
            String row = stored(sub);
            assertTrue(DataCipher.isSealed(row) && !row.contains(SECRET), "sealed by the pass at start");
            assertEquals(SECRET, cipher.open(row));

            assertEquals(202, given().auth().oauth2(token).delete("/api/v1/devices/subscriptions/" + sub).statusCode());
            assertTrue(receiver.await(of(sub, "subscription_cancelled"), WAIT).signedWith(SECRET), "a row sealed at start still signs");
        }
    }
}
