package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.cluster.DevicePresenceAcrossInstancesTest.WAIT;
import static org.ocfcloudbridge.cluster.DevicePresenceAcrossInstancesTest.about;
import static org.ocfcloudbridge.cluster.DevicePresenceAcrossInstancesTest.row;
import static org.ocfcloudbridge.cluster.DevicePresenceAcrossInstancesTest.waitFor;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * In cluster mode (PostgreSQL and NATS) nobody calls the takeover: the {@code instance-takeover} thread finds the
 * expired row of an instance that died, marks its devices offline with their {@code devices_offline}, and deletes it.
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
@EnabledIf("org.ocfcloudbridge.cluster.TestNats#clusterModeCanRun")
class DeviceTakeoverInClusterModeTest {

    static final String DEAD = "zzzzzzzz-0000-0000-0000-0000000000b1";

    @Inject
    Instances instances;

    @Inject
    EntityManager em;

    @Inject
    CoapGateway gateway;

    @AfterEach
    void noFakeInstanceLeft() {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("UPDATE device SET held_by = ?1 WHERE held_by = ?2").setParameter(1, instances.id())
                    .setParameter(2, DEAD).executeUpdate();
            em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, DEAD).executeUpdate();
        });
    }

    @Test
    void theDevicesOfAnInstanceThatDiedGoOfflineWithinTheLeaseByThemselves() throws Exception {
        assertTrue(instances.clustered());
        String[] user = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            String di = device.di();
            waitFor("held here after its sign-in", () -> instances.id().equals(row(di).heldBy));
            Response r = given().auth().oauth2(CloudApiUsers.token(user, "r:*")).contentType("application/json")
                    .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_online", "devices_offline"),
                            "signingSecret", DevicePresenceAcrossInstancesTest.SECRET)).post("/api/v1/devices/subscriptions");
            assertEquals(201, r.statusCode(), r.asString());
            String sub = r.path("subscriptionId");
            receiver.await(of(sub, "devices_online"), WAIT);
            receiver.await(of(sub, "devices_offline"), WAIT);

            // As if the device had been connected to an instance that died a while ago.
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                        .setParameter(1, DEAD).setParameter(2, now.minusHours(1)).setParameter(3, now.minusSeconds(1))
                        .executeUpdate();
                em.createNativeQuery("UPDATE device SET held_by = ?1 WHERE id = ?2").setParameter(1, DEAD).setParameter(2, di)
                        .executeUpdate();
            });

            receiver.await(about(sub, "devices_offline", di), WAIT);
            DeviceRecord d = row(di);
            assertFalse(d.online);
            assertNull(d.heldBy);
            waitFor("the dead instance's row deleted", () -> QuarkusTransaction.requiringNew().call(() -> ((Number) em
                    .createNativeQuery("SELECT COUNT(*) FROM bridge_instance WHERE id = ?1").setParameter(1, DEAD)
                    .getSingleResult()).intValue() == 0));
        } finally {
            device.shutdown();
        }
    }
}
