package org.ocfcloudbridge.origin.sync;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.OriginDevice;
import org.ocfcloudbridge.store.OriginSubscription;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Origin role keeps a linked account's device set current through the Target role's notifications, both roles in
 * one daemon over real loopback HTTP and a simulated device over real CoAP.
 */
@QuarkusTest
class DeviceSyncTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DataCipher cipher;

    @Inject
    DeviceSync sync;

    @Inject
    org.ocfcloudbridge.origin.link.TargetClient target;

    @Inject
    org.ocfcloudbridge.config.BridgeConfig bridge;

    @Inject
    org.ocfcloudbridge.origin.OriginConfig originConfig;

    @Inject
    org.ocfcloudbridge.origin.forward.VendorEvents vendorEvents;

    @Inject
    org.ocfcloudbridge.cluster.Instances instances;

    @Inject
    org.ocfcloudbridge.origin.link.AccountLinking linking;

    /**
     * The last sync is kept with the link: another instance (or this daemon after a restart, a new DeviceSync with
     * nothing in memory) shows when the link last synced, not "never".
     */
    @Test
    void theLastSyncIsKeptWithTheLinkSoARestartedOrAnotherInstanceShowsIt() throws Exception {
        OriginLinks.Linked l = OriginLinks.linkedDevice(gateway.tcpPort());
        try {
            OriginLinks.settled(l.link());
            UUID id = UUID.fromString(l.link());
            DeviceSync another = new DeviceSync(target, cipher, bridge, originConfig, vendorEvents, instances);
            org.ocfcloudbridge.origin.console.DevicePage page = new org.ocfcloudbridge.origin.console.DevicePage(linking, another);
            org.ocfcloudbridge.store.LinkedAccount a = QuarkusTransaction.requiringNew().call(
                    () -> org.ocfcloudbridge.store.LinkedAccount.<org.ocfcloudbridge.store.LinkedAccount>findById(id));
            java.util.Map<String, Object> shown = page.account(a);
            assertTrue(!String.valueOf(shown.get("lastSync")).isBlank(), shown.toString());
            java.time.OffsetDateTime at = another.lastSync(id).map(DeviceSync.LastSync::succeededAt).orElse(null);
            assertTrue(at != null && !at.isAfter(java.time.OffsetDateTime.now()), "the last sync's time: " + at);
            assertEquals("", shown.get("syncError"), shown.toString());
        } finally {
            l.device().shutdown();
        }
    }

    /**
     * After this bridge's public URL changed, the subscriptions whose notifications go to the old one (made before
     * the change) are ended at the Target and made again with the current eventsUrl, and say so at INFO; the
     * device's changes arrive again.
     */
    @Test
    void subscriptionsWhoseEventsUrlIsAnOldPublicUrlAreRenewedWithTheCurrentOne() throws Exception {
        OriginLinks.Linked l = OriginLinks.linkedDevice(gateway.tcpPort());
        try (org.ocfcloudbridge.testing.LogCapture logs = new org.ocfcloudbridge.testing.LogCapture()) {
            OriginLinks.settled(l.link());
            UUID id = UUID.fromString(l.link());
            String old = "http://127.0.0.1:9";
            // As if made under an earlier public URL: the Target sends their notifications where nobody listens.
            List<UUID> before = QuarkusTransaction.requiringNew().call(() -> {
                List<OriginSubscription> held = OriginSubscription.list("linkId", id);
                for (OriginSubscription s : held) {
                    s.eventsUrl = old + "/inbox/" + s.id;
                    Subscription at = Subscription.findById(s.targetId);
                    at.eventsUrl = s.eventsUrl;
                }
                return held.stream().map(s -> s.targetId).toList();
            });
            assertTrue(before.size() >= 3, before.toString());

            sync.request(id);
            String inbox = OriginLinks.BASE + "/inbox/";
            long end = System.nanoTime() + 20_000_000_000L;
            while (QuarkusTransaction.requiringNew().call(() -> OriginSubscription.count(
                    "linkId = ?1 and (eventsUrl is null or eventsUrl not like ?2 or targetId is null)", id, inbox + "%")) > 0) {
                assertTrue(System.nanoTime() < end, "subscriptions still at the old URL");
                Thread.sleep(100);
            }
            OriginLinks.settled(l.link());
            QuarkusTransaction.requiringNew().run(() -> {
                // Ended: each waits only for its final subscription_cancelled, to the old URL.
                assertEquals(0, Subscription.count("id in ?1 and state = ?2", before, Subscription.State.ACTIVE),
                        "the old subscriptions are ended at the Target");
                List<OriginSubscription> now = OriginSubscription.list("linkId", id);
                assertEquals(before.size(), now.size());
                for (OriginSubscription s : now) {
                    assertEquals(inbox + s.id, s.eventsUrl);
                    assertEquals(inbox + s.id, Subscription.<Subscription>findById(s.targetId).eventsUrl, "what the Target was given");
                }
            });
            assertTrue(logs.entries().stream().anyMatch(e -> e.level().intValue() == java.util.logging.Level.INFO.intValue()
                    && e.message().contains("send notifications to " + old + ", not to this bridge's public URL " + OriginLinks.BASE)),
                    logs.lines().toString());

            // And the device's changes arrive again.
            l.device().switchResource().update(java.util.Map.of("value", com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
            end = System.nanoTime() + 15_000_000_000L;
            while (QuarkusTransaction.requiringNew().call(() -> VendorEvent.count("linkId = ?1 and type = 'content.changed'"
                    + " and payload like '%\"value\":true%'", id)) == 0) {
                assertTrue(System.nanoTime() < end, "the switch's change never arrived");
                Thread.sleep(100);
            }
        } finally {
            l.device().shutdown();
        }
    }

    static JsonPath devices(String vendorToken, String link) {
        Response r = given().auth().oauth2(vendorToken).get("/api/v1/links/" + link + "/devices");
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath();
    }

    static JsonPath await(String vendorToken, String link, Predicate<JsonPath> until) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        JsonPath last = null;
        while (System.nanoTime() < end) {
            last = devices(vendorToken, link);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never came true; last: " + (last == null ? null : last.prettify()));
    }

    @Test
    void aLinkedAccountsDevicesFollowTheTargetThroughVerifiedNotifications() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String di = device.di();
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            JsonPath synced = await(vendorToken, link, j -> j.getList("").size() == 1 && "online".equals(j.getString("[0].status"))
                    && j.getMap("[0].content").containsKey("/switch"));
            assertEquals(di, synced.getString("[0].deviceId"));
            assertEquals(false, synced.getBoolean("[0].content.'/switch'.value"));
            assertTrue(synced.getList("[0].links.href", String.class).contains("/" + di + "/temperature"));
            // The sync subscribes after it stores what it read, one call to the Target at a time.
            OriginLinks.settled(link);
            long held = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.count("linkId = ?1 and targetId is not null",
                    UUID.fromString(link)));
            assertTrue(held >= 5, "devices, device and one per resource: " + held);

            device.setTemperature(31.5);
            await(vendorToken, link, j -> j.getDouble("[0].content.'/temperature'.temperature") == 31.5);

            device.signOut();
            await(vendorToken, link, j -> "offline".equals(j.getString("[0].status")));
            device.signIn();
            await(vendorToken, link, j -> "online".equals(j.getString("[0].status")));

            given().auth().oauth2(CloudApiUsers.vendorToken(OAuthTestClient.newUser())).get("/api/v1/links/" + link + "/devices")
                    .then().statusCode(404);

            given().auth().oauth2(vendorToken).delete("/api/v1/links/" + link).then().statusCode(204);
            assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> OriginSubscription.count("linkId", UUID.fromString(link))));
            assertEquals(0L, QuarkusTransaction.requiringNew().call(() -> Subscription.count("ownerId = ?1 and state = ?2", alice[2],
                    Subscription.State.ACTIVE)), "every subscription ended at the Target");
        } finally {
            device.shutdown();
        }
    }

    @Test
    void theDeviceThatLeavesIsTheOneRemovedAndAGapResyncs() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice staying = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        SimulatedDevice leaving = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            await(vendorToken, link, j -> j.getList("").size() == 2);
            leaving.deregister();
            JsonPath after = await(vendorToken, link, j -> j.getList("").size() == 1);
            assertEquals(staying.di(), after.getString("[0].deviceId"), "the right device went");

            // Drift: the stored status is wrong; a notification after a gap in sequence numbers makes the bridge re-read all.
            QuarkusTransaction.requiringNew().run(() -> OriginDevice.update("status = 'offline' where key.deviceId = ?1", staying.di()));
            OriginSubscription devicesLevel = OriginLinks.devicesLevel(link);
            String secret = cipher.open(devicesLevel.secret);
            String sub = devicesLevel.targetId.toString();
            long gap = devicesLevel.lastSeq + 10;
            long now = Instant.now().getEpochSecond();
            byte[] none = "{\"content\":[]}".getBytes(StandardCharsets.UTF_8);
            assertEquals(200, post("/inbox/" + devicesLevel.id, sub, "devices_online", gap, now, none,
                    EventSignature.sign(secret, "application/json", "devices_online", sub, gap, now, none)).statusCode());
            await(vendorToken, link, j -> "online".equals(j.getString("[0].status")));
        } finally {
            staying.shutdown();
            leaving.shutdown();
        }
    }

    /**
     * A device that leaves between the sync's read and the devices-level subscription is never named by a
     * devices_unregistered: the subscription's first devices_registered, the Target's whole set, leaves it out, and
     * that makes the bridge re-read (it stayed listed until the next reconcile before).
     */
    @Test
    void aDeviceTheFirstDevicesRegisteredLeavesOutIsRemoved() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        try {
            String link = linked.link();
            await(linked.vendorToken(), link, j -> j.getList("").size() == 1);
            OriginLinks.settled(link);
            // As the sync left it when the device went right after its read: still held, never to be named again.
            String ghost = UUID.randomUUID().toString();
            QuarkusTransaction.requiringNew().run(() -> {
                OriginDevice d = new OriginDevice();
                d.key = new OriginDevice.Key(UUID.fromString(link), ghost);
                d.status = "online";
                d.device = "{}";
                d.links = "[]";
                d.updatedAt = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
                d.persist();
            });
            await(linked.vendorToken(), link, j -> j.getList("").size() == 2);

            OriginSubscription devicesLevel = OriginLinks.devicesLevel(link);
            String secret = cipher.open(devicesLevel.secret);
            String sub = devicesLevel.targetId.toString();
            long next = devicesLevel.lastSeq + 1;
            long now = Instant.now().getEpochSecond();
            byte[] set = ("[{\"di\":\"" + linked.device().di() + "\"}]").getBytes(StandardCharsets.UTF_8);
            assertEquals(200, post("/inbox/" + devicesLevel.id, sub, "devices_registered", next, now, set,
                    EventSignature.sign(secret, "application/json", "devices_registered", sub, next, now, set)).statusCode());
            JsonPath after = await(linked.vendorToken(), link, j -> j.getList("").size() == 1);
            assertEquals(linked.device().di(), after.getString("[0].deviceId"));
        } finally {
            linked.device().shutdown();
        }
    }

    @Test
    void aSubscriptionTheTargetLostIsMadeAgainOnResyncAndEventsFlowThroughIt() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            await(vendorToken, link, j -> j.getList("").size() == 1 && j.getMap("[0].content").containsKey("/temperature"));
            UUID linkId = UUID.fromString(link);
            OriginSubscription temperature = null;
            for (long end = System.nanoTime() + 15_000_000_000L; temperature == null && System.nanoTime() < end; Thread.sleep(50)) {
                temperature = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>find(
                        "linkId = ?1 and level = 'resource' and href = '/temperature' and targetId is not null", linkId).firstResult());
            }
            assertTrue(temperature != null, "the sync subscribed to the temperature");
            UUID lost = temperature.targetId;
            // The Target loses it without a word (say, its database restored from an older backup).
            QuarkusTransaction.requiringNew().run(() -> {
                org.ocfcloudbridge.store.OutboxEntry.delete("subscriptionId", lost);
                Subscription.deleteById(lost);
            });

            given().auth().oauth2(vendorToken).post("/api/v1/links/" + link + "/resync").then().statusCode(202);
            long end = System.nanoTime() + 15_000_000_000L;
            OriginSubscription renewed = null;
            while (renewed == null && System.nanoTime() < end) {
                renewed = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>find(
                        "linkId = ?1 and level = 'resource' and href = '/temperature' and targetId is not null", linkId).firstResult());
                if (renewed != null && renewed.targetId.equals(lost)) {
                    renewed = null;
                }
                Thread.sleep(100);
            }
            assertTrue(renewed != null, "subscribed again");
            UUID renewedAtTarget = renewed.targetId;
            assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> Subscription.count("id", renewedAtTarget)));
            device.setTemperature(44.5);
            await(vendorToken, link, j -> j.getDouble("[0].content.'/temperature'.temperature") == 44.5);
        } finally {
            device.shutdown();
        }
    }

    /**
     * The Origin's copy says offline while the device is online (a notification raced the sync's read, say): the
     * resync corrects it and tells the vendor, who mirrors the state from events.
     */
    @Test
    void aStatusTheEventsMissedIsCorrectedByTheResyncAndTheVendorTold() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        String vendorToken = linked.vendorToken();
        SimulatedDevice device = linked.device();
        String link = linked.link();
        try {
            await(vendorToken, link, j -> "online".equals(j.getString("[0].status")));
            // The devices level's initial devices_online would otherwise correct the copy itself, and tell the vendor,
            // if it arrived after the copy is set below (a CI run saw that).
            OriginLinks.settled(link);
            UUID linkId = UUID.fromString(link);
            QuarkusTransaction.requiringNew().run(() -> OriginDevice.update("status = 'offline' where key.linkId = ?1", linkId));
            java.util.function.Supplier<Long> onlineEvents = () -> QuarkusTransaction.requiringNew().call(() ->
                    VendorEvent.count("linkId = ?1 and deviceId = ?2 and type = 'device.online'", linkId, device.di()));
            long before = onlineEvents.get();

            given().auth().oauth2(vendorToken).post("/api/v1/links/" + link + "/resync").then().statusCode(202);
            await(vendorToken, link, j -> "online".equals(j.getString("[0].status")));
            long end = System.nanoTime() + 10_000_000_000L;
            while (onlineEvents.get() == before && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertEquals(before + 1, onlineEvents.get(), "one device.online for the vendor");
        } finally {
            device.shutdown();
        }
    }

    /**
     * A resync reads the Target, a notification changes the device meanwhile, then the resync stores its read: the
     * notification's state stays and the vendor hears nothing of the old one (a CI run showed the console's switch
     * flipped back so). A read made after the notification does correct the copy.
     */
    @Test
    void aResyncsReadOlderThanANotificationDoesNotPutTheOldStateBack() throws Exception {
        // No reconcile of its own while the test stores reads by hand.
        scheduler.pause(DeviceSync.RECONCILE);
        try {
            resyncsReadOlderThanANotification();
        } finally {
            scheduler.resume(DeviceSync.RECONCILE);
        }
    }

    private void resyncsReadOlderThanANotification() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        String vendorToken = linked.vendorToken();
        SimulatedDevice device = linked.device();
        String link = linked.link();
        UUID linkId = UUID.fromString(link);
        try {
            await(vendorToken, link, j -> j.getList("").size() == 1 && j.getMap("[0].content").containsKey("/temperature"));
            OriginLinks.settled(link);
            String targetToken = CloudApiUsers.token(linked.targetUser(), "r:*");
            java.time.OffsetDateTime readAt = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode base = json.readTree(given().auth().oauth2(targetToken).get("/api/v1/devices").asString());
            com.fasterxml.jackson.databind.JsonNode all = json.readTree(given().auth().oauth2(targetToken)
                    .get("/api/v1/devices?content=all").asString());
            java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> read = new java.util.LinkedHashMap<>();
            base.forEach(d -> read.put(d.at("/device/di").asText(), d));
            assertEquals("online", read.get(device.di()).path("status").asText());
            double old = devices(vendorToken, link).getDouble("[0].content.'/temperature'.temperature");

            device.setTemperature(old + 11.5);
            await(vendorToken, link, j -> j.getDouble("[0].content.'/temperature'.temperature") == old + 11.5);
            device.signOut();
            await(vendorToken, link, j -> "offline".equals(j.getString("[0].status")));
            java.util.function.Supplier<Long> online = () -> QuarkusTransaction.requiringNew().call(() ->
                    VendorEvent.count("linkId = ?1 and deviceId = ?2 and type = 'device.online'", linkId, device.di()));
            long onlineBefore = online.get();

            sync.store(linkId, read, all, readAt);
            JsonPath kept = devices(vendorToken, link);
            assertEquals(old + 11.5, kept.getDouble("[0].content.'/temperature'.temperature"), "the notified content stays");
            assertEquals("offline", kept.getString("[0].status"), "the notified status stays");
            assertEquals(onlineBefore, online.get(), "the vendor is not told the old status");

            java.time.OffsetDateTime later = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
            sync.store(linkId, read, all, later);
            JsonPath corrected = devices(vendorToken, link);
            assertEquals(old, corrected.getDouble("[0].content.'/temperature'.temperature"), "a newer read wins");
            assertEquals("online", corrected.getString("[0].status"));
            assertEquals(onlineBefore + 1, online.get(), "and the vendor is told the drift it corrects");
        } finally {
            device.shutdown();
        }
    }

    @Inject
    io.quarkus.scheduler.Scheduler scheduler;

    /**
     * Linking syncs once: the subscriptions it makes start with notifications of what it holds already, and those ask
     * for no other full read of the Target (which with many devices is the expensive part). Before, the initial
     * {@code devices_registered} and {@code resources_published} each asked for one.
     */
    @Test
    void linkingReadsTheTargetOnceTheInitialNotificationsAskForNoOtherSync() throws Exception {
        scheduler.pause(DeviceSync.RECONCILE);
        try (org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture()) {
            OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
            try {
                await(linked.vendorToken(), linked.link(), j -> j.getList("").size() == 1);
                OriginLinks.settled(linked.link());
                List<String> syncs = log.lines().stream().filter(l -> l.contains("link " + linked.link() + ": the Target lists")).toList();
                assertEquals(1, syncs.size(), syncs.toString());

                // A device published later is news: the link reads it and subscribes to its resources.
                SimulatedDevice second = CloudApiUsers.onlineDevice(linked.targetUser(), gateway.tcpPort());
                try {
                    await(linked.vendorToken(), linked.link(), j -> j.getList("").size() == 2);
                    OriginLinks.settled(linked.link());
                    assertTrue(QuarkusTransaction.requiringNew().call(() -> OriginSubscription.count(
                            "linkId = ?1 and deviceId = ?2 and level = 'resource' and targetId is not null",
                            UUID.fromString(linked.link()), second.di())) >= 2, "the new device's resources are subscribed");
                } finally {
                    second.shutdown();
                }
            } finally {
                linked.device().shutdown();
            }
        } finally {
            scheduler.resume(DeviceSync.RECONCILE);
        }
    }

    @Test
    void theInboxTakesOnlySignedFreshNewNotifications() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String di = device.di();
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            await(vendorToken, link, j -> j.getList("").size() == 1 && "online".equals(j.getString("[0].status")));
            OriginSubscription devicesLevel = OriginLinks.devicesLevel(link);
            String secret = cipher.open(devicesLevel.secret);
            String sub = devicesLevel.targetId.toString();
            long next = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>findById(devicesLevel.id)).lastSeq + 1000;
            byte[] offline = ("[{\"di\":\"" + di + "\"}]").getBytes(StandardCharsets.UTF_8);
            long now = Instant.now().getEpochSecond();
            String path = "/inbox/" + devicesLevel.id;

            assertEquals(400, post(path, sub, "devices_offline", next, now, offline, "0".repeat(64)).statusCode(), "forged signature");
            assertEquals(400, post(path, sub, "devices_offline", next, now - 3600, offline,
                    EventSignature.sign(secret, "application/json", "devices_offline", sub, next, now - 3600, offline)).statusCode(),
                    "an hour old");
            assertEquals(410, post("/inbox/" + UUID.randomUUID(), sub, "devices_offline", next, now, offline, "x").statusCode(),
                    "unknown subscription");
            UUID linkId = UUID.fromString(link);
            java.util.function.Supplier<Long> offlineEvents = () -> QuarkusTransaction.requiringNew().call(() -> VendorEvent.count(
                    "linkId = ?1 and deviceId = ?2 and type = 'device.offline'", linkId, di));
            java.util.function.Supplier<Long> lastSeq = () -> QuarkusTransaction.requiringNew().call(
                    () -> OriginSubscription.<OriginSubscription>findById(devicesLevel.id)).lastSeq;
            assertEquals(0L, offlineEvents.get(), "nothing refused was processed");
            assertTrue(lastSeq.get() < next);

            // plgd's bare-array shape, properly signed: processed (its effects are journalled in the same transaction).
            Response ok = post(path, sub, "devices_offline", next, now, offline,
                    EventSignature.sign(secret, "application/json", "devices_offline", sub, next, now, offline));
            assertEquals(200, ok.statusCode(), ok.asString());
            assertEquals(next, lastSeq.get());
            assertEquals(1L, offlineEvents.get());
            // Were it processed again, the device (set online here) would go offline again and journal a second event.
            QuarkusTransaction.requiringNew().run(() -> OriginDevice.update("status = 'online' where key.deviceId = ?1", di));
            Response again = post(path, sub, "devices_offline", next, now, offline,
                    EventSignature.sign(secret, "application/json", "devices_offline", sub, next, now, offline));
            assertEquals(200, again.statusCode());
            assertEquals("already processed", again.asString());
            assertEquals(1L, offlineEvents.get(), "a duplicate is not processed twice");
        } finally {
            device.shutdown();
        }
    }

    private static Response post(String path, String sub, String type, long seq, long ts, byte[] body, String signature) {
        // As sent: RestAssured would otherwise add a charset to the Content-Type, which is signed.
        return given().config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false))).contentType("application/json").header("Event-Type", type).header("Subscription-ID", sub)
                .header("Sequence-Number", Long.toString(seq)).header("Event-Timestamp", Long.toString(ts))
                .header("Event-Signature", signature).body(body).post(path);
    }
}
