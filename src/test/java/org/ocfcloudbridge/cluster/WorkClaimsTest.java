package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.cluster.Claims.Unit;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * Ordered work (a subscription's notifications, a link's webhook deliveries) is claimed by one instance at a time, in
 * batches with SELECT … FOR UPDATE SKIP LOCKED, against the real database of the run (H2 or PostgreSQL).
 */
@QuarkusTest
class WorkClaimsTest {

    /** Sorts after every UUID, so this instance stays the leader while the fake one lives. */
    static final String LIVE_OTHER = "zzzzzzzz-0000-0000-0000-000000000001";
    static final String GONE = "dead0000-0000-0000-0000-000000000002";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Claims claims;

    @Inject
    Instances instances;

    @Inject
    EntityManager em;

    @Inject
    CoapGateway gateway;

    @AfterEach
    void noFakeInstanceOrRowLeft() {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, LIVE_OTHER).executeUpdate();
            em.createNativeQuery("DELETE FROM subscription WHERE owner_id = 'claims-test'").executeUpdate();
        });
    }

    UUID subscriptionRow(String deliveredBy) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                        INSERT INTO subscription (id, owner_id, level, events_url, event_types, signing_secret, content_type,
                                                  bare_arrays, next_seq, state, created_at, delivered_by)
                        VALUES (?1, 'claims-test', 'DEVICES', 'http://127.0.0.1:9/', 'devices_online', 'x', 'application/json',
                                FALSE, 0, 'ACTIVE', ?2, ?3)""")
                .setParameter(1, id).setParameter(2, OffsetDateTime.now(ZoneOffset.UTC)).setParameter(3, deliveredBy)
                .executeUpdate());
        return id;
    }

    String deliveredBy(UUID subscription) {
        return QuarkusTransaction.requiringNew().call(() -> (String) em
                .createNativeQuery("SELECT delivered_by FROM subscription WHERE id = ?1").setParameter(1, subscription)
                .getSingleResult());
    }

    void anotherInstanceAlive() throws InterruptedException {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                .setParameter(1, LIVE_OTHER).setParameter(2, OffsetDateTime.now(ZoneOffset.UTC))
                .setParameter(3, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1)).executeUpdate());
        long end = System.nanoTime() + WAIT.toNanos();
        while (!instances.live().contains(LIVE_OTHER)) {
            assertTrue(System.nanoTime() < end, "the heartbeat sees the other instance's lease");
            Thread.sleep(50);
        }
    }

    @Test
    void freeRowsAndRowsOfInstancesThatAreGoneAreClaimedButALiveInstancesAreNot() throws Exception {
        anotherInstanceAlive();
        UUID free = subscriptionRow(null);
        UUID orphaned = subscriptionRow(GONE);
        UUID held = subscriptionRow(LIVE_OTHER);
        UUID mine = subscriptionRow(instances.id());

        assertEquals(Set.of(free, orphaned, mine), claims.claim(Unit.SUBSCRIPTION, List.of(free, orphaned, held, mine)));
        assertEquals(instances.id(), deliveredBy(free));
        assertEquals(instances.id(), deliveredBy(orphaned));
        assertEquals(LIVE_OTHER, deliveredBy(held), "a live instance keeps what it holds");
    }

    @Test
    void aRowLockedByAnotherTransactionIsSkippedNotWaitedFor() throws Exception {
        UUID locked = subscriptionRow(null);
        UUID free = subscriptionRow(null);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("SELECT id FROM subscription WHERE id = ?1 FOR UPDATE").setParameter(1, locked).getResultList();
            holding.countDown();
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the other transaction holds its lock");
        try {
            // Would wait for the lock (and time out) without SKIP LOCKED.
            Set<UUID> got = CompletableFuture.supplyAsync(() -> claims.claim(Unit.SUBSCRIPTION, List.of(locked, free)))
                    .get(20, TimeUnit.SECONDS);
            assertEquals(Set.of(free), got);
        } finally {
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
        }
        assertEquals(Set.of(locked), claims.claim(Unit.SUBSCRIPTION, List.of(locked)), "claimed once the lock is gone");
    }

    @Test
    void aSubscriptionLeftByAnInstanceThatIsGoneIsTakenOverAndDeliveredInOrder() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            String path = "/api/v1/devices/" + device.di() + "/switch/subscriptions";
            Response r = given().auth().oauth2(token).contentType("application/json").body(Map.of("eventsUrl", receiver.url(),
                    "eventTypes", List.of("resource_contentchanged"), "signingSecret", "3BZ6oI9xbRJzOUvUoRb5RgaZjPqHrmql")).post(path);
            assertEquals(201, r.statusCode(), r.asString());
            String sub = r.path("subscriptionId");
            assertEquals(0, receiver.await(of(sub, "resource_contentchanged"), WAIT).sequenceNumber());
            assertEquals(instances.id(), deliveredBy(UUID.fromString(sub)), "claimed by the instance that delivered it");

            // As if this instance had lost its lease and a now-dead one had taken the subscription meanwhile.
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "UPDATE subscription SET delivered_by = ?1 WHERE id = ?2").setParameter(1, GONE)
                    .setParameter(2, UUID.fromString(sub)).executeUpdate());
            instances.leaseLost();

            for (boolean value : new boolean[]{true, false}) {
                Response update = given().auth().oauth2(token).contentType("application/json").body("{\"value\":" + value + "}")
                        .post("/api/v1/devices/" + device.di() + "/switch");
                assertEquals(200, update.statusCode(), update.asString());
            }
            assertEquals(1, receiver.await(of(sub, "resource_contentchanged"), WAIT).sequenceNumber());
            assertEquals(2, receiver.await(of(sub, "resource_contentchanged"), WAIT).sequenceNumber());
            assertEquals(instances.id(), deliveredBy(UUID.fromString(sub)), "taken over from the instance that is gone");
        } finally {
            device.shutdown();
        }
    }
}
