package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.targetcloud.events.DeviceLanes;
import org.ocfcloudbridge.targetcloud.events.PresenceJournal;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OriginLinks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * Online/offline stays truthful across instances (issue 14): a device's row names the instance holding its connection;
 * a start marks offline only what no live instance holds; the devices of an instance whose lease ran out are marked
 * offline by the survivor that takes its row, with the usual {@code devices_offline} and {@code device.offline}.
 *
 * <p>Runs on the database of the run (H2 or PostgreSQL) without NATS: the other instances are rows in
 * {@code bridge_instance}, and the start's and takeover's steps are called as the cluster-mode daemon calls them.
 */
@QuarkusTest
class DevicePresenceAcrossInstancesTest {

    /** Sort after every UUID, so this instance stays the leader while they live. */
    static final String LIVE_OTHER = "zzzzzzzz-0000-0000-0000-0000000000a1";
    static final String EXPIRED = "zzzzzzzz-0000-0000-0000-0000000000a2";
    static final String GONE = "zzzzzzzz-0000-0000-0000-0000000000a3";
    static final String SECRET = "3BZ6oI9xbRJzOUvUoRb5RgaZjPqHrmql";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Instances instances;

    @Inject
    PresenceJournal presence;

    @Inject
    DeviceLanes lanes;

    @Inject
    EntityManager em;

    @Inject
    CoapGateway gateway;

    private final List<SimulatedDevice> devices = new ArrayList<>();

    @AfterEach
    void noFakeInstanceLeft() {
        // A device left held by a fake instance would stay online when its connection closes: handed back first.
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("UPDATE device SET held_by = ?1 WHERE held_by IN (?2)").setParameter(1, instances.id())
                    .setParameter(2, List.of(LIVE_OTHER, EXPIRED, GONE)).executeUpdate();
            em.createNativeQuery("DELETE FROM bridge_instance WHERE id IN (?1)")
                    .setParameter(1, List.of(LIVE_OTHER, EXPIRED, GONE)).executeUpdate();
        });
        devices.forEach(SimulatedDevice::shutdown);
        devices.clear();
    }

    void instanceRow(String id, Duration leaseFromNow) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                .setParameter(1, id).setParameter(2, now.minusHours(1)).setParameter(3, now.plus(leaseFromNow)).executeUpdate());
    }

    boolean instanceRowExists(String id) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT COUNT(*) FROM bridge_instance WHERE id = ?1").setParameter(1, id).getSingleResult()).intValue() == 1);
    }

    void holdBy(String di, String instance) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE device SET held_by = ?1 WHERE id = ?2")
                .setParameter(1, instance).setParameter(2, di).executeUpdate());
    }

    static DeviceRecord row(String di) {
        return QuarkusTransaction.requiringNew().call(() -> DeviceRecord.findById(di));
    }

    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what);
            Thread.sleep(50);
        }
    }

    static List<String> dis(Notification n) {
        List<String> out = new ArrayList<>();
        OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON).get("content").forEach(d -> out.add(d.get("di").asText()));
        return out;
    }

    static java.util.function.Predicate<Notification> about(String sub, String type, String di) {
        return of(sub, type).and(n -> dis(n).equals(List.of(di)));
    }

    static long vendorEvents(String link, String di, String type) {
        return QuarkusTransaction.requiringNew().call(() -> VendorEvent.count("linkId = ?1 and deviceId = ?2 and type = ?3",
                UUID.fromString(link), di, type));
    }

    /** A linked Target user with {@code count} devices online here, settled, and a devices-level subscription. */
    record Scene(OriginLinks.Linked linked, List<SimulatedDevice> devices, String sub) {
        String di(int i) {
            return devices.get(i).di();
        }
    }

    Scene scene(int count, EventReceiver receiver) throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        devices.add(linked.device());
        List<SimulatedDevice> mine = new ArrayList<>(List.of(linked.device()));
        for (int i = 1; i < count; i++) {
            SimulatedDevice d = CloudApiUsers.onlineDevice(linked.targetUser(), gateway.tcpPort());
            devices.add(d);
            mine.add(d);
        }
        for (SimulatedDevice d : mine) {
            waitFor("device " + d.di() + " online and held here", () -> {
                DeviceRecord r = row(d.di());
                return r.online && instances.id().equals(r.heldBy);
            });
            waitFor("device.online of " + d.di() + " for the vendor",
                    () -> vendorEvents(linked.link(), d.di(), "device.online") + vendorEvents(linked.link(), d.di(), "device.added") > 0);
        }
        OriginLinks.settled(linked.link());
        Response r = given().auth().oauth2(CloudApiUsers.token(linked.targetUser(), "r:*")).contentType("application/json")
                .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_online", "devices_offline"),
                        "signingSecret", SECRET)).post("/api/v1/devices/subscriptions");
        assertEquals(201, r.statusCode(), r.asString());
        String sub = r.path("subscriptionId");
        // The current state comes first (both types, whatever they list); what follows is what the test does.
        receiver.await(of(sub, "devices_online"), WAIT);
        receiver.await(of(sub, "devices_offline"), WAIT);
        return new Scene(linked, mine, sub);
    }

    @Test
    void aStartMarksOfflineOnlyTheDevicesNoLiveInstanceHolds() throws Exception {
        instanceRow(LIVE_OTHER, Duration.ofHours(1));
        instanceRow(EXPIRED, Duration.ofMinutes(-1));
        try (EventReceiver receiver = new EventReceiver()) {
            Scene s = scene(3, receiver);
            String ofLive = s.di(1), ofExpired = s.di(0), ofNobody = s.di(2);
            holdBy(ofLive, LIVE_OTHER);
            holdBy(ofExpired, EXPIRED);
            holdBy(ofNobody, null);

            assertTrue(presence.offlineUnheld() >= 2);

            receiver.await(about(s.sub(), "devices_offline", ofExpired), WAIT);
            receiver.await(about(s.sub(), "devices_offline", ofNobody), WAIT);
            waitFor("device.offline of the expired instance's device for the vendor",
                    () -> vendorEvents(s.linked().link(), ofExpired, "device.offline") == 1);
            assertFalse(row(ofExpired).online);
            assertNull(row(ofExpired).heldBy);
            assertFalse(row(ofNobody).online);
            DeviceRecord live = row(ofLive);
            assertTrue(live.online, "a live instance's device stays online");
            assertEquals(LIVE_OTHER, live.heldBy);
            assertTrue(receiver.all().stream().noneMatch(n -> n.subscriptionId().equals(s.sub())
                    && n.eventType().equals("devices_offline") && dis(n).contains(ofLive)), "no devices_offline for it");
        }
    }

    @Test
    void theDevicesOfAnInstanceWhoseLeaseRanOutGoOfflineOnceThroughTheSurvivorThatTakesItsRow() throws Exception {
        instanceRow(LIVE_OTHER, Duration.ofHours(1));
        instanceRow(GONE, Duration.ofMinutes(-1));
        try (EventReceiver receiver = new EventReceiver()) {
            Scene s = scene(2, receiver);
            String ofGone = s.di(0), ofLive = s.di(1);
            holdBy(ofGone, GONE);
            holdBy(ofLive, LIVE_OTHER);

            // Another survivor is taking the gone instance over (holds its row): this one skips it, without waiting.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("SELECT id FROM bridge_instance WHERE id = ?1 FOR UPDATE").setParameter(1, GONE).getResultList();
                holding.countDown();
                try {
                    release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            try {
                List<String> taken = CompletableFuture.supplyAsync(instances::takeOverGone).get(20, TimeUnit.SECONDS);
                assertFalse(taken.contains(GONE), taken.toString());
                assertTrue(row(ofGone).online, "left to the survivor holding the row");
            } finally {
                release.countDown();
                other.get(30, TimeUnit.SECONDS);
            }

            List<String> taken = instances.takeOverGone();
            assertTrue(taken.contains(GONE), taken.toString());
            assertFalse(taken.contains(LIVE_OTHER));
            assertFalse(instanceRowExists(GONE), "the gone instance's row is deleted once its devices are offline");
            receiver.await(about(s.sub(), "devices_offline", ofGone), WAIT);
            waitFor("device.offline for the vendor", () -> vendorEvents(s.linked().link(), ofGone, "device.offline") == 1);
            assertFalse(row(ofGone).online);
            assertNull(row(ofGone).heldBy);
            assertTrue(row(ofLive).online, "a live instance's device stays online");
            assertFalse(instances.takeOverGone().contains(GONE), "taken over once");
        }
    }

    @Test
    void anOldConnectionClosingHereLeavesOnlineADeviceThatSignedInAtAnotherInstance() throws Exception {
        instanceRow(LIVE_OTHER, Duration.ofHours(1));
        try (EventReceiver receiver = new EventReceiver()) {
            Scene s = scene(1, receiver);
            String di = s.di(0);
            holdBy(di, LIVE_OTHER);
            s.devices().get(0).signOut();
            // The sign-out's change runs on the device's lane: once a task queued after it ran, it has been applied.
            CountDownLatch applied = new CountDownLatch(1);
            lanes.run(di, applied::countDown);
            assertTrue(applied.await(20, TimeUnit.SECONDS));
            DeviceRecord r = row(di);
            assertTrue(r.online, "online at the other instance");
            assertEquals(LIVE_OTHER, r.heldBy);
            // Signing in here again takes it back: the newest sign-in holds the device.
            s.devices().get(0).signIn();
            waitFor("held here again", () -> instances.id().equals(row(di).heldBy));
            s.devices().get(0).signOut();
            receiver.await(about(s.sub(), "devices_offline", di), WAIT);
            assertNull(row(di).heldBy);
        }
    }

    @Test
    void anInstanceWhoseLeaseRanOutAndWasTakenOverPutsItsDevicesOnlineAgainWhenItRenews() throws Exception {
        try (EventReceiver receiver = new EventReceiver()) {
            Scene s = scene(1, receiver);
            String di = s.di(0);
            // What a survivor does to this instance's devices after its lease ran out (the database was away).
            presence.instanceGone(instances.id());
            receiver.await(about(s.sub(), "devices_offline", di), WAIT);
            assertFalse(row(di).online);
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                            "UPDATE bridge_instance SET lease_until = ?1 WHERE id = ?2")
                    .setParameter(1, OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1)).setParameter(2, instances.id())
                    .executeUpdate());

            // The next heartbeat finds its lease run out, renews it, and the device still connected here is online.
            receiver.await(about(s.sub(), "devices_online", di), WAIT);
            waitFor("held here again", () -> {
                DeviceRecord r = row(di);
                return r.online && instances.id().equals(r.heldBy);
            });
        }
    }
}
