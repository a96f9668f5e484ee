package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * A subscription's notifications are delivered by the instance that holds it; one committed on another instance
 * (where the device is) wakes the holder over the bus instead of waiting for its next scan of the outbox, which is an
 * hour away here ({@link ClusterModeProfile}).
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
@EnabledIf("org.ocfcloudbridge.cluster.TestNats#clusterModeCanRun")
class NotificationsAcrossInstancesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    CoapGateway gateway;
    @Inject
    Instances instances;
    @Inject
    EntityManager em;

    private ClusterBus other;
    private final List<UUID> heardThere = new CopyOnWriteArrayList<>();

    @BeforeEach
    void anotherInstance() {
        other = TestNats.anotherInstance(b -> b.subscribe(ClusterSubjects.NOTIFICATIONS_COMMITTED, body -> {
            ByteBuffer ids = ByteBuffer.wrap(body);
            while (ids.remaining() >= 16) {
                heardThere.add(new UUID(ids.getLong(), ids.getLong()));
            }
        }));
    }

    @AfterEach
    void stopTheOther() {
        other.close();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1")
                .setParameter(1, WorkClaimsTest.LIVE_OTHER).executeUpdate());
    }

    private String subscribe(String token, SimulatedDevice device, EventReceiver receiver) {
        Response r = given().auth().oauth2(token).contentType("application/json").body(Map.of("eventsUrl", receiver.url(),
                        "eventTypes", List.of("resource_contentchanged"), "signingSecret", "3BZ6oI9xbRJzOUvUoRb5RgaZjPqHrmql"))
                .post("/api/v1/devices/" + device.di() + "/switch/subscriptions");
        assertEquals(201, r.statusCode(), r.asString());
        return r.path("subscriptionId");
    }

    private void change(String token, SimulatedDevice device, boolean value) {
        Response update = given().auth().oauth2(token).contentType("application/json").body("{\"value\":" + value + "}")
                .post("/api/v1/devices/" + device.di() + "/switch");
        assertEquals(200, update.statusCode(), update.asString());
    }

    @Test
    void aNotificationCommittedHereForASubscriptionAnotherInstanceHoldsIsToldToIt() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            UUID sub = UUID.fromString(subscribe(token, device, receiver));
            assertEquals(0, receiver.await(of(sub.toString(), "resource_contentchanged"), WAIT).sequenceNumber());

            // Another live instance holds the subscription now (as after this one lost its lease for a moment).
            QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                        .setParameter(1, WorkClaimsTest.LIVE_OTHER).setParameter(2, OffsetDateTime.now(ZoneOffset.UTC))
                        .setParameter(3, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1)).executeUpdate();
                em.createNativeQuery("UPDATE subscription SET delivered_by = ?1 WHERE id = ?2")
                        .setParameter(1, WorkClaimsTest.LIVE_OTHER).setParameter(2, sub).executeUpdate();
            });
            TestNats.await("the heartbeat sees the other instance", WAIT, () -> instances.live().contains(WorkClaimsTest.LIVE_OTHER));
            instances.leaseLost();

            change(token, device, true);
            TestNats.await("the holder hears that the subscription has a notification here", WAIT, () -> heardThere.contains(sub));
        } finally {
            device.shutdown();
        }
    }

    @Test
    void aNotificationAnotherInstanceCommittedIsDeliveredAtOnceWhenItSaysSo() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            UUID sub = UUID.fromString(subscribe(token, device, receiver));
            EventReceiver.Notification first = receiver.await(of(sub.toString(), "resource_contentchanged"), WAIT);
            assertEquals(0, first.sequenceNumber());

            // The next notification, as the instance holding the device's connection commits it: its own transaction.
            QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("UPDATE subscription SET next_seq = 2 WHERE id = ?1").setParameter(1, sub).executeUpdate();
                OutboxEntry e = new OutboxEntry();
                e.subscriptionId = sub;
                e.seq = 1;
                e.eventType = first.eventType();
                e.eventTimestamp = first.timestamp();
                e.contentType = first.contentType();
                e.body = first.body();
                e.signature = first.signature();
                e.attempts = 0;
                e.nextAttemptAt = OffsetDateTime.now(ZoneOffset.UTC);
                e.createdAt = e.nextAttemptAt;
                e.persist();
            });
            ByteBuffer ids = ByteBuffer.allocate(16).putLong(sub.getMostSignificantBits()).putLong(sub.getLeastSignificantBits());
            other.publish(ClusterSubjects.NOTIFICATIONS_COMMITTED, ids.array());
            assertEquals(1, receiver.await(of(sub.toString(), "resource_contentchanged"), WAIT).sequenceNumber(),
                    "delivered when the other instance said so, not at the next scan an hour away");
        } finally {
            device.shutdown();
        }
    }
}
