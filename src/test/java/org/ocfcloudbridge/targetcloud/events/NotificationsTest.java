package org.ocfcloudbridge.targetcloud.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiContract;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.testing.EventReceiver.of;

/**
 * Subscriptions and their notifications over real HTTP: a simulated device changes, a real receiver on loopback gets
 * signed notifications with the current state first, then each change, in order and with no gaps.
 */
@QuarkusTest
class NotificationsTest {

    static final String SECRET = "3BZ6oI9xbRJzOUvUoRb5RgaZjPqHrmql";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    CoapGateway gateway;

    @Inject
    org.ocfcloudbridge.targetcloud.coap.DeviceTwin twin;

    @Inject
    DeviceLanes lanes;

    final CloudApiContract contract = CloudApiContract.get();

    Response subscribe(String token, String path, Map<String, Object> body, String accept) {
        var spec = given().auth().oauth2(token).contentType("application/json").header("Correlation-ID", "corr-" + path.length())
                .body(body);
        if (accept != null) {
            spec.header("Accept", accept);
        }
        Response r = spec.post(path);
        contract.assertValid("POST", path, r);
        return r;
    }

    String subscribed(String token, String path, EventReceiver receiver, List<String> types) {
        Response r = subscribe(token, path, Map.of("eventsUrl", receiver.url(), "eventTypes", types, "signingSecret", SECRET), null);
        assertEquals(201, r.statusCode(), r.asString());
        return r.path("subscriptionId");
    }

    static JsonNode body(Notification n) {
        return OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON);
    }

    /** Each notification: signed with the secret, JSON as the swagger defines it, stamped now. */
    void wellFormed(Notification n, String definition) {
        assertTrue(n.signedWith(SECRET), "signature of " + n.eventType() + "#" + n.sequenceNumber());
        assertEquals("application/json", n.contentType());
        assertTrue(Math.abs(n.timestamp() - Instant.now().getEpochSecond()) < 60, "Event-Timestamp in Unix seconds");
        contract.assertDefinition(definition, n.text());
    }

    static List<String> dis(Notification n) {
        List<String> out = new ArrayList<>();
        body(n).get("content").forEach(d -> out.add(d.get("di").asText()));
        return out;
    }

    static void gapless(EventReceiver receiver, String subscription) {
        List<Long> seqs = receiver.postsFor(subscription).stream().map(Notification::sequenceNumber).distinct().sorted().toList();
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i, seqs.get(i), "sequence numbers from 0 without gaps: " + seqs);
        }
    }

    @Test
    void theDevicesLevelGetsTheCurrentStateThenEveryChangeSignedInOrder() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice first = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            Response r = subscribe(token, "/api/v1/devices/subscriptions", Map.of("eventsUrl", receiver.url(),
                    "eventTypes", List.of("devices_registered", "devices_unregistered", "devices_online", "devices_offline",
                            "resource_contentchanged"), "signingSecret", SECRET), null);
            assertEquals(201, r.statusCode(), r.asString());
            String sub = r.path("subscriptionId");

            Notification registered = receiver.await(of(sub, "devices_registered"), WAIT);
            assertEquals(0, registered.sequenceNumber());
            assertEquals(List.of(first.di()), dis(registered));
            wellFormed(registered, "DevicesRegisteredEvent");
            assertEquals("corr-" + "/api/v1/devices/subscriptions".length(), registered.correlationId(),
                    "the subscribe request's Correlation-ID on every notification");
            Notification unregistered = receiver.await(of(sub, "devices_unregistered"), WAIT);
            assertEquals(1, unregistered.sequenceNumber());
            assertEquals(List.of(), dis(unregistered));
            wellFormed(unregistered, "DevicesUnregisteredEvent");
            Notification online = receiver.await(of(sub, "devices_online"), WAIT);
            assertEquals(List.of(first.di()), dis(online));
            wellFormed(online, "DevicesOnlineEvent");
            Notification offline = receiver.await(of(sub, "devices_offline"), WAIT);
            assertEquals(3, offline.sequenceNumber());
            assertEquals(List.of(), dis(offline));
            wellFormed(offline, "DevicesOfflineEvent");

            first.signOut();
            Notification signedOut = receiver.await(of(sub, "devices_offline"), WAIT);
            assertEquals(4, signedOut.sequenceNumber());
            assertEquals(List.of(first.di()), dis(signedOut));
            first.signIn();
            Notification signedIn = receiver.await(of(sub, "devices_online"), WAIT);
            assertEquals(5, signedIn.sequenceNumber());
            wellFormed(signedIn, "DevicesOnlineEvent");

            SimulatedDevice second = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
            assertEquals(List.of(second.di()), dis(receiver.await(of(sub, "devices_registered"), WAIT)));
            assertEquals(List.of(second.di()), dis(receiver.await(of(sub, "devices_online"), WAIT)));
            second.deregister();
            second.shutdown();
            assertEquals(List.of(second.di()), dis(receiver.await(of(sub, "devices_unregistered"), WAIT)));

            first.close();
            // The second device went offline too when it left; this waits for the first one's lost connection.
            receiver.await(of(sub, "devices_offline").and(n -> dis(n).equals(List.of(first.di()))), WAIT);
            gapless(receiver, sub);
            assertTrue(receiver.postsFor(sub).stream().noneMatch(n -> n.eventType().equals("resource_contentchanged")),
                    "a type of another level was left out");
        } finally {
            first.shutdown();
        }
    }

    @Test
    void theDeviceAndResourceLevelsFollowLinksAndContentInJsonAndCbor() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        String di = device.di();
        try (EventReceiver receiver = new EventReceiver()) {
            String links = subscribed(token, "/api/v1/devices/" + di + "/subscriptions", receiver,
                    List.of("resources_published", "resources_unpublished"));
            Notification published = receiver.await(of(links, "resources_published"), WAIT);
            wellFormed(published, "ResourcesPublishedEvent");
            List<String> hrefs = new ArrayList<>();
            body(published).get("content").forEach(l -> hrefs.add(l.get("href").asText()));
            assertTrue(hrefs.containsAll(List.of("/" + di + "/oic/d", "/" + di + "/switch", "/" + di + "/temperature")), hrefs.toString());
            Notification none = receiver.await(of(links, "resources_unpublished"), WAIT);
            assertEquals(0, body(none).get("content").size());

            Long ins = device.publish(0).stream().filter(l -> l.href.equals("/temperature")).map(l -> l.ins).findFirst().orElseThrow();
            receiver.await(of(links, "resources_published"), WAIT);
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.DELETED,
                    device.connection().delete("/oic/rd?di=" + di + "&ins=" + ins).getCode());
            Notification unpublished = receiver.await(of(links, "resources_unpublished"), WAIT);
            wellFormed(unpublished, "ResourcesUnpublishedEvent");
            assertEquals("/" + di + "/temperature", body(unpublished).get("content").get(0).get("href").asText());

            String content = subscribed(token, "/api/v1/devices/" + di + "/switch/subscriptions", receiver,
                    List.of("resource_contentchanged"));
            Response cbor = subscribe(token, "/api/v1/devices/" + di + "/switch/subscriptions", Map.of("eventsUrl", receiver.url(),
                    "eventTypes", List.of("resource_contentchanged"), "signingSecret", SECRET), "application/vnd.ocf+cbor");
            String cborSub = cbor.path("subscriptionId");
            Notification initial = receiver.await(of(content, "resource_contentchanged"), WAIT);
            assertTrue(initial.signedWith(SECRET));
            assertEquals(false, body(initial).get("value").asBoolean(), "the current representation first");
            Notification initialCbor = receiver.await(of(cborSub, "resource_contentchanged"), WAIT);
            assertEquals("application/vnd.ocf+cbor", initialCbor.contentType());
            assertTrue(initialCbor.signedWith(SECRET), "signed over the raw CBOR bytes");
            assertEquals(false, OcfCodec.get().decodeTree(initialCbor.body(), OcfFormat.OCF_CBOR).get("value").asBoolean());

            Response update = given().auth().oauth2(token).contentType("application/json").body("{\"value\":true}")
                    .post("/api/v1/devices/" + di + "/switch");
            assertEquals(200, update.statusCode(), update.asString());
            Notification changed = receiver.await(of(content, "resource_contentchanged"), WAIT);
            assertEquals(true, body(changed).get("value").asBoolean());
            assertEquals(1, changed.sequenceNumber());
            Notification changedCbor = receiver.await(of(cborSub, "resource_contentchanged"), WAIT);
            assertEquals(true, OcfCodec.get().decodeTree(changedCbor.body(), OcfFormat.OCF_CBOR).get("value").asBoolean());
            gapless(receiver, links);
            gapless(receiver, content);
        } finally {
            device.shutdown();
        }
    }

    /**
     * A subscription made while its resource changes: whichever of the two the Target stores first, the subscriber
     * ends on the new representation (its initial state, or a change after it) and never on the old one with the
     * change lost between the two transactions.
     */
    @Test
    void aSubscriptionMadeWhileItsResourceChangesEndsOnTheNewRepresentation() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        java.util.concurrent.ExecutorService changes = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (EventReceiver receiver = new EventReceiver()) {
            String path = "/api/v1/devices/" + device.di() + "/temperature/subscriptions";
            // First the Target observes the resource (set up just after sign-in): a change before that is not a race
            // of the subscription's.
            String probe = subscribed(token, path, receiver, List.of("resource_contentchanged"));
            device.setTemperature(99);
            receiver.await(n -> probe.equals(n.subscriptionId()) && body(n).path("temperature").asDouble() == 99, WAIT);
            for (int i = 1; i <= 30; i++) {
                double value = 100 + i;
                int delayMs = i % 4;
                java.util.concurrent.Future<?> change = changes.submit(() -> {
                    Thread.sleep(delayMs);
                    device.setTemperature(value);
                    return null;
                });
                String sub = subscribed(token, path, receiver, List.of("resource_contentchanged"));
                change.get();
                receiver.await(n -> sub.equals(n.subscriptionId()) && body(n).path("temperature").asDouble() == value,
                        Duration.ofSeconds(20));
            }
        } finally {
            changes.shutdownNow();
            device.shutdown();
        }
    }

    /**
     * The device lane stores a burst of a device's changes in as few transactions as it can: whatever the batches,
     * each change is notified once and in order, a value equal to the stored one is not a change (also when an
     * earlier write of the same burst stored it), the twin ends on the last value, and a write of a device that is not
     * registered (deregistered meanwhile) on the same lane is dropped without costing the others.
     */
    @Test
    void aBurstOfChangesIsNotifiedOnceEachInOrderWithRepeatsSkippedWhateverItsBatches() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        String di = device.di();
        String owner = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(
                () -> org.ocfcloudbridge.store.DeviceRecord.<org.ocfcloudbridge.store.DeviceRecord>findById(di).ownerId);
        String gone = java.util.stream.Stream.generate(() -> java.util.UUID.randomUUID().toString())
                .filter(x -> lanes.laneOf(x) == lanes.laneOf(di)).findFirst().orElseThrow();
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = subscribed(token, "/api/v1/devices/" + di + "/temperature/subscriptions", receiver,
                    List.of("resource_contentchanged"));
            receiver.await(n -> sub.equals(n.subscriptionId()), WAIT);
            double[] burst = {31, 31, 32, 32, 33, 31};
            for (double t : burst) {
                byte[] cbor = OcfCodec.get().encode(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("temperature", t), OcfFormat.OCF_CBOR);
                twin.store(di, owner, "/temperature", cbor, 10000);
                twin.store(gone, owner, "/temperature", cbor, 10000);
            }
            receiver.await(n -> sub.equals(n.subscriptionId()) && n.sequenceNumber() == 4, WAIT);
            List<Double> seen = receiver.postsFor(sub).stream().filter(n -> n.sequenceNumber() > 0)
                    .collect(java.util.stream.Collectors.toMap(Notification::sequenceNumber, n -> body(n).path("temperature").asDouble(),
                            (a, b) -> a, java.util.TreeMap::new)).values().stream().toList();
            assertEquals(List.of(31.0, 32.0, 33.0, 31.0), seen);
            gapless(receiver, sub);
            assertEquals(31.0, OcfCodec.get().decodeTree(twin.latest(di, "/temperature").orElseThrow().content, OcfFormat.OCF_CBOR)
                    .path("temperature").asDouble());
            assertTrue(twin.latest(gone, "/temperature").isEmpty(), "nothing stored for a device that is not registered");
        } finally {
            device.shutdown();
        }
    }

    /**
     * A device signs up while a devices-level subscription is made: the subscriber learns of it, in its initial
     * {@code devices_registered} or in one after, never in neither.
     */
    @Test
    void aDeviceSigningUpWhileTheDevicesLevelIsSubscribedIsNeverMissed() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        java.util.concurrent.ExecutorService signUps = java.util.concurrent.Executors.newSingleThreadExecutor();
        List<SimulatedDevice> devices = new ArrayList<>();
        try (EventReceiver receiver = new EventReceiver()) {
            for (int i = 0; i < 20; i++) {
                SimulatedDevice d = new SimulatedDevice(java.util.UUID.randomUUID().toString(), "lamp",
                        java.net.URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort()), false);
                devices.add(d);
                d.connect();
                String code = CloudApiUsers.deviceCode(user[0]);
                int delayMs = i % 4;
                java.util.concurrent.Future<?> signUp = signUps.submit(() -> {
                    Thread.sleep(delayMs);
                    d.signUp(code, null);
                    return null;
                });
                String sub = subscribed(token, "/api/v1/devices/subscriptions", receiver, List.of("devices_registered"));
                signUp.get();
                receiver.await(n -> sub.equals(n.subscriptionId()) && n.text().contains(d.di()), Duration.ofSeconds(20));
            }
        } finally {
            signUps.shutdownNow();
            devices.forEach(SimulatedDevice::shutdown);
        }
    }

    @Inject
    Subscriptions subscriptions;

    /**
     * The device was deregistered (its subscriptions ended) after the request's ownership check: the subscription is
     * refused, 404 over the API, and nothing is stored that could follow the device id to a next owner.
     */
    @Test
    void aSubscriptionToADeviceGoneMeanwhileIsRefusedAndNotStored() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        given().auth().oauth2(token).get("/api/v1/devices/" + device.di()).then().statusCode(200);
        String owner = device.uid();
        device.deregister();
        device.shutdown();
        for (org.ocfcloudbridge.store.Subscription.Level level : List.of(org.ocfcloudbridge.store.Subscription.Level.DEVICE,
                org.ocfcloudbridge.store.Subscription.Level.RESOURCE)) {
            org.ocfcloudbridge.store.Subscription s = new org.ocfcloudbridge.store.Subscription();
            s.ownerId = owner;
            s.level = level;
            s.deviceId = device.di();
            s.href = level == org.ocfcloudbridge.store.Subscription.Level.RESOURCE ? "/switch" : null;
            s.eventsUrl = "http://127.0.0.1:9/events";
            s.eventTypes = level == org.ocfcloudbridge.store.Subscription.Level.RESOURCE ? "resource_contentchanged" : "resources_published";
            s.signingSecret = SECRET;
            s.contentType = "application/json";
            org.junit.jupiter.api.Assertions.assertThrows(EventJournal.DeviceGone.class, () -> subscriptions.subscribe(s));
        }
        assertEquals(0L, (long) io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                org.ocfcloudbridge.store.Subscription.count("deviceId", device.di())), "nothing stored");
    }

    @Test
    void plgdReceiversCanAskForBareArrays() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            Response r = subscribe(token, "/api/v1/devices/subscriptions", Map.of("eventsUrl", receiver.url(),
                    "eventTypes", List.of("devices_registered"), "signingSecret", SECRET + "-44-characters-like-plgd", "bodyShape", "array"),
                    "application/json,application/vnd.ocf+cbor");
            assertEquals(201, r.statusCode(), r.asString());
            String sub = r.path("subscriptionId");
            Notification n = receiver.await(of(sub, "devices_registered"), WAIT);
            assertTrue(body(n).isArray(), n.text());
            assertEquals(202, given().auth().oauth2(token).delete("/api/v1/devices/subscriptions/" + sub).statusCode());
            Notification cancelled = receiver.await(of(sub, "subscription_cancelled"), WAIT);
            assertEquals(0, cancelled.body().length, "plgd's shape: no body");
            assertEquals(null, cancelled.contentType());
            assertTrue(cancelled.signedWith(SECRET + "-44-characters-like-plgd"));
        }
    }

    @Test
    void cancellingEndsWithSubscriptionCancelledAndNothingAfter() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = subscribed(token, "/api/v1/devices/subscriptions", receiver, List.of("devices_registered"));
            receiver.await(of(sub, "devices_registered"), WAIT);
            String path = "/api/v1/devices/subscriptions/" + sub;
            Response shown = given().auth().oauth2(token).get(path);
            assertEquals(200, shown.statusCode());
            assertEquals(sub, shown.path("subscriptionId"));
            Response deleted = given().auth().oauth2(token).delete(path);
            contract.assertValid("DELETE", path, deleted);
            assertEquals(202, deleted.statusCode());
            Notification cancelled = receiver.await(of(sub, "subscription_cancelled"), WAIT);
            assertEquals(1, cancelled.sequenceNumber());
            assertEquals("{}", cancelled.text());
            wellFormed(cancelled, "SubscriptionCancelledEvent");
            assertEquals(404, given().auth().oauth2(token).get(path).statusCode());
            Response again = given().auth().oauth2(token).delete(path);
            contract.assertValid("DELETE", path, again);
            assertEquals(404, again.statusCode());

            SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
            device.shutdown();
            Thread.sleep(1000);
            assertEquals(2, receiver.postsFor(sub).size(), "nothing after subscription_cancelled");
        }
    }

    @Test
    void oneUserCanNeitherSeeNorCancelNorReceiveAnothersSubscriptions() throws Exception {
        String[] alice = OAuthTestClient.newUser();
        String[] mallory = OAuthTestClient.newUser();
        String aliceToken = CloudApiUsers.token(alice, "r:*");
        String malloryToken = CloudApiUsers.token(mallory, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String di = device.di();
        try (EventReceiver receiver = new EventReceiver()) {
            String alices = subscribed(aliceToken, "/api/v1/devices/" + di + "/subscriptions", receiver, List.of("resources_published"));
            String mallorys = subscribed(malloryToken, "/api/v1/devices/subscriptions", receiver,
                    List.of("devices_registered", "devices_online"));
            assertEquals(List.of(), dis(receiver.await(of(mallorys, "devices_registered"), WAIT)), "none of alice's devices");

            String path = "/api/v1/devices/" + di + "/subscriptions/" + alices;
            assertEquals(404, given().auth().oauth2(malloryToken).get(path).statusCode());
            Response delete = given().auth().oauth2(malloryToken).delete(path);
            contract.assertValid("DELETE", path, delete);
            assertEquals(404, delete.statusCode());
            assertEquals(200, given().auth().oauth2(aliceToken).get(path).statusCode(), "still alice's");
            assertEquals(404, given().auth().oauth2(malloryToken).delete("/api/v1/devices/subscriptions/" + alices).statusCode(),
                    "nor at another level");
            String alicesResource = subscribed(aliceToken, "/api/v1/devices/" + di + "/switch/subscriptions", receiver,
                    List.of("resource_contentchanged"));
            String alicesDevices = subscribed(aliceToken, "/api/v1/devices/subscriptions", receiver, List.of("devices_online"));
            for (String other : List.of("/api/v1/devices/" + di + "/switch/subscriptions/" + alicesResource,
                    "/api/v1/devices/subscriptions/" + alicesDevices)) {
                assertEquals(404, given().auth().oauth2(malloryToken).get(other).statusCode(), other);
                Response d = given().auth().oauth2(malloryToken).delete(other);
                contract.assertValid("DELETE", other, d);
                assertEquals(404, d.statusCode(), other);
                assertEquals(200, given().auth().oauth2(aliceToken).get(other).statusCode(), "still alice's: " + other);
            }
            for (String p : List.of("/api/v1/devices/" + di + "/subscriptions", "/api/v1/devices/" + di + "/switch/subscriptions")) {
                Response r = subscribe(malloryToken, p, Map.of("eventsUrl", receiver.url(),
                        "eventTypes", List.of("resources_published", "resource_contentchanged"), "signingSecret", SECRET), null);
                assertEquals(404, r.statusCode(), p);
            }
            device.signOut();
            device.signIn();
            device.publish(0);
            receiver.await(of(alices, "resources_published"), WAIT);
            receiver.await(of(alices, "resources_published"), WAIT);
            assertTrue(receiver.postsFor(mallorys).stream().allMatch(n -> dis(n).isEmpty()),
                    "mallory never hears of alice's device");
        } finally {
            device.shutdown();
        }
    }

    @Test
    void badSubscriptionsAre400WithAReason() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        String path = "/api/v1/devices/subscriptions";
        List<Map<String, Object>> bad = List.of(
                Map.of("eventsUrl", "ftp://example.com/x", "eventTypes", List.of("devices_online"), "signingSecret", SECRET),
                Map.of("eventsUrl", "/relative", "eventTypes", List.of("devices_online"), "signingSecret", SECRET),
                Map.of("eventsUrl", "http://127.0.0.1:9/e", "eventTypes", List.of("resources_published"), "signingSecret", SECRET),
                Map.of("eventsUrl", "http://127.0.0.1:9/e", "eventTypes", List.of("devices_online"), "signingSecret", "short"),
                Map.of("eventsUrl", "http://127.0.0.1:9/e", "eventTypes", "devices_online", "signingSecret", SECRET),
                Map.of("eventTypes", List.of("devices_online"), "signingSecret", SECRET));
        for (Map<String, Object> b : bad) {
            Response r = subscribe(token, path, b, null);
            assertEquals(400, r.statusCode(), b.toString());
            assertTrue(!r.asString().isBlank() && r.asString().length() < 200, r.asString());
        }
        Response notJson = given().auth().oauth2(token).contentType("application/json").body("{\"eventsUrl\":").post(path);
        contract.assertValid("POST", path, notJson);
        assertEquals(400, notJson.statusCode());
        Response unauthenticated = given().contentType("application/json").body("{}").post(path);
        contract.assertValid("POST", path, unauthenticated);
        assertEquals(401, unauthenticated.statusCode());
    }

    @Test
    void aFailingReceiverGetsTheSameNotificationAgainUntilItTakesItAndOrderIsKept() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            receiver.answerNext(500, 503, 500);
            String sub = subscribed(token, "/api/v1/devices/subscriptions", receiver,
                    List.of("devices_registered", "devices_unregistered", "devices_online"));
            receiver.await(of(sub, "devices_online"), WAIT);
            List<Notification> posts = receiver.postsFor(sub);
            assertEquals(6, posts.size(), "three refused attempts, then three notifications");
            for (int i = 1; i <= 3; i++) {
                Notification retry = posts.get(i);
                assertEquals(0, retry.sequenceNumber(), "the first notification again, the others wait");
                assertEquals(posts.get(0).timestamp(), retry.timestamp());
                assertEquals(posts.get(0).signature(), retry.signature());
                assertArrayEquals(posts.get(0).body(), retry.body());
            }
            assertEquals(List.of(0L, 0L, 0L, 0L, 1L, 2L), posts.stream().map(Notification::sequenceNumber).toList());
        }
    }

    @Test
    void goneEndsTheSubscriptionAtOnce() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        try (EventReceiver receiver = new EventReceiver()) {
            receiver.answerNext(410);
            String sub = subscribed(token, "/api/v1/devices/subscriptions", receiver,
                    List.of("devices_registered", "devices_unregistered", "devices_online"));
            String path = "/api/v1/devices/subscriptions/" + sub;
            long end = System.nanoTime() + WAIT.toNanos();
            while (given().auth().oauth2(token).get(path).statusCode() != 404 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertEquals(404, given().auth().oauth2(token).get(path).statusCode());
            Thread.sleep(1000);
            assertEquals(1, receiver.postsFor(sub).size(), "nothing after the 410, not even subscription_cancelled");
        }
    }
}
