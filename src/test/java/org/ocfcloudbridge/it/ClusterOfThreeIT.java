package org.ocfcloudbridge.it;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.DeviceAgent;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.DaemonDatabase;
import org.ocfcloudbridge.testing.DaemonProcess;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;
import org.ocfcloudbridge.origin.link.AccountLinking;
import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three packaged instances in cluster mode on one PostgreSQL and one NATS (issue 14): a token one issued is good at
 * the others, a Cloud API request through any instance reaches every device wherever it is connected, a
 * subscription's notifications are delivered once by one instance; then one instance is killed (SIGKILL) under
 * changes, its devices sign in again at the others (the simulator moves on down its list of instances), and no
 * notification is lost, none is out of order; duplicates, which at-least-once allows after a crash, are counted.
 * Runs in the PostgreSQL run, where {@code bin/test --postgresql} starts the NATS server.
 */
@EnabledIf("clusterCanRun")
class ClusterOfThreeIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final int DEVICES = 6;
    private static final Duration WAIT = Duration.ofSeconds(60);

    static boolean clusterCanRun() {
        String nats = System.getenv("BRIDGE_TEST_NATS_URL");
        return DaemonDatabase.postgres() && nats != null && !nats.isBlank();
    }

    @AfterEach
    void resetRestAssured() {
        RestAssured.reset();
    }

    private record Instance(DaemonProcess daemon, int coap) {
        URI cloud() {
            return URI.create("coap+tcp://127.0.0.1:" + coap);
        }
    }

    private static Instance instance(Path work, Map<String, String> shared, int index) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        int coap;
        do {
            coap = DaemonProcess.freePort();
        } while (coap == d.httpPort());
        shared.forEach(d::with);
        d.with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0");
        if (index == 0) {
            // The first instance stands for the load balancer's address: one public URL (and token issuer) for all.
            d.with("bridge.public-url", "http://127.0.0.1:" + d.httpPort());
        }
        return new Instance(d.start(), coap);
    }

    private static void use(Instance i) {
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = i.daemon().httpPort();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("not within " + WAIT + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Response read(Instance via, String token, String di) {
        return given().baseUri("http://127.0.0.1").port(via.daemon().httpPort()).auth().oauth2(token)
                .header("Accept", "application/json").get("/api/v1/devices/" + di + "/switch");
    }

    private static Response change(Instance via, String token, String di, boolean value) {
        return given().baseUri("http://127.0.0.1").port(via.daemon().httpPort()).auth().oauth2(token)
                .contentType("application/json").body("{\"value\":" + value + "}").post("/api/v1/devices/" + di + "/switch");
    }

    /** Three instances on one fresh database; {@code extra} settings go to all. The first one's URL is the public one. */
    private static List<Instance> cluster(Path work, Map<String, String> extra, List<Instance> instances) throws Exception {
        Map<String, String> shared = new LinkedHashMap<>(DaemonDatabase.fresh());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        shared.put("bridge.data-key", Base64.getEncoder().encodeToString(key));
        shared.put("bridge.cluster.nats-url", System.getenv("BRIDGE_TEST_NATS_URL"));
        shared.put("bridge.cluster.lease", "3S");
        shared.put("bridge.identity.admin-secret", "test-admin-secret-0123456789");
        shared.put("bridge.outbound.allowed-networks", "127.0.0.0/8,::1/128");
        shared.put("bridge.events.initial-backoff", "200MS");
        shared.put("bridge.events.max-backoff", "500MS");
        shared.putAll(extra);
        // The first start migrates the shared database and makes the identity; the others join it.
        instances.add(instance(work.resolve("i0"), shared, 0));
        instances.get(0).daemon().awaitReady(WAIT);
        shared.put("bridge.public-url", "http://127.0.0.1:" + instances.get(0).daemon().httpPort());
        instances.add(instance(work.resolve("i1"), shared, 1));
        instances.add(instance(work.resolve("i2"), shared, 2));
        instances.get(1).daemon().awaitReady(WAIT);
        instances.get(2).daemon().awaitReady(WAIT);
        return instances;
    }

    @Test
    void threeInstancesServeEveryDeviceAndAKilledOneLosesNoNotification() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("cluster-" + UUID.randomUUID());
        List<Instance> instances = new ArrayList<>();
        ScheduledExecutorService agentsThreads = Executors.newScheduledThreadPool(4);
        List<DeviceAgent> agents = new ArrayList<>();
        SimulatedDevice stays = null;
        com.fasterxml.jackson.databind.JsonNode published = null;
        try (EventReceiver receiver = new EventReceiver()) {
            cluster(work, Map.of(), instances);
            // One cloud to the outside: every instance publishes the same configuration (URLs, sid). Only cis differs
            // here, by port: these instances share one machine, so each has its own CoAP port behind the same host.
            for (Instance i : instances) {
                var doc = (com.fasterxml.jackson.databind.node.ObjectNode) OcfCodec.get().decodeTree(
                        i.daemon().get("/.well-known/ocf-cloud-configuration").getBytes(StandardCharsets.UTF_8), OcfFormat.JSON);
                assertTrue(doc.remove("cis").asText().startsWith("coaps+tcp://127.0.0.1:"), doc.toString());
                if (published == null) {
                    published = doc;
                }
                assertEquals(published, doc, "instance " + instances.indexOf(i));
            }

            // A user and a token made at the second instance; used at all three.
            use(instances.get(1));
            String[] user = OAuthTestClient.newUser();
            String token = CloudApiUsers.token(user, "r:* w:*");

            for (int i = 0; i < DEVICES; i++) {
                List<URI> clouds = new ArrayList<>();
                for (int k = 0; k < instances.size(); k++) {
                    clouds.add(instances.get((i + k) % instances.size()).cloud());
                }
                SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "lamp-" + i, clouds.get(0), false);
                DeviceAgent a = new DeviceAgent(d, agentsThreads, 1, clouds);
                agents.add(a);
                a.start(CloudApiUsers.deviceCode(user[0]), null);
            }
            await("every device signed in", () -> agents.stream().allMatch(a -> a.state() == DeviceAgent.State.ONLINE));

            // One subscription per device's switch, made at the third instance.
            use(instances.get(2));
            Map<String, String> subscriptionOf = new LinkedHashMap<>();
            for (DeviceAgent a : agents) {
                String di = a.device().di();
                subscriptionOf.put(di, given().auth().oauth2(token).contentType("application/json")
                        .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("resource_contentchanged"), "signingSecret", SECRET))
                        .post("/api/v1/devices/" + di + "/switch/subscriptions").then().statusCode(201).extract().<String>path("subscriptionId"));
            }

            // Every device through every instance, wherever it is connected.
            for (Instance via : instances) {
                for (DeviceAgent a : agents) {
                    Response r = read(via, token, a.device().di());
                    assertEquals(200, r.statusCode(), "GET through instance " + instances.indexOf(via) + ": " + r.asString());
                }
            }

            boolean value = false;
            for (int round = 0; round < 3; round++) {
                value = !value;
                for (int i = 0; i < agents.size(); i++) {
                    Response r = change(instances.get((i + round) % 3), token, agents.get(i).device().di(), value);
                    assertEquals(200, r.statusCode(), r.asString());
                }
            }

            // A device at the second instance that will not come back, and a subscription to devices going offline.
            stays = CloudApiUsers.onlineDevice(user, instances.get(1).coap());
            String presence = given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_offline"), "signingSecret", SECRET))
                    .post("/api/v1/devices/subscriptions").then().statusCode(201).extract().<String>path("subscriptionId");

            // Kill the second instance: its devices are cut off, and whatever it held (subscriptions) is taken over.
            long killedAt = System.nanoTime();
            instances.get(1).daemon().kill();
            // The device that does not sign in again elsewhere is marked offline by a survivor once the lease is out.
            String gone = stays.di();
            Notification offline = receiver.await(n -> n.subscriptionId().equals(presence) && n.text().contains(gone), WAIT);
            assertEquals("devices_offline", offline.eventType());
            System.out.printf("ClusterOfThreeIT: the dead instance's device reported offline %d ms after the kill (lease 3 s)%n",
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(offline.receivedAtNanos() - killedAt));
            assertEquals("offline", given().baseUri("http://127.0.0.1").port(instances.get(0).daemon().httpPort()).auth().oauth2(token)
                    .get("/api/v1/devices/" + gone).then().statusCode(200).extract().<String>path("status"));
            List<Instance> alive = List.of(instances.get(0), instances.get(2));
            await("every device signed in again at a live instance", () -> agents.stream().allMatch(a ->
                    alive.stream().allMatch(via -> read(via, token, a.device().di()).statusCode() == 200)));
            for (int round = 0; round < 3; round++) {
                value = !value;
                for (int i = 0; i < agents.size(); i++) {
                    Response r = change(alive.get((i + round) % 2), token, agents.get(i).device().di(), value);
                    assertEquals(200, r.statusCode(), r.asString());
                }
            }

            boolean last = value;
            int duplicates = 0;
            for (Map.Entry<String, String> e : subscriptionOf.entrySet()) {
                String sub = e.getValue();
                await("the last change of " + e.getKey() + " is delivered", () -> receiver.postsFor(sub).stream()
                        .anyMatch(n -> Boolean.valueOf(last).equals(switchValue(n))));
                List<Notification> posts = receiver.postsFor(sub);
                List<Long> firsts = new ArrayList<>();
                Set<Long> seen = new HashSet<>();
                for (Notification n : posts) {
                    assertTrue(n.signedWith(SECRET), "signature of #" + n.sequenceNumber());
                    if (seen.add(n.sequenceNumber())) {
                        firsts.add(n.sequenceNumber());
                    } else {
                        duplicates++;
                    }
                }
                long max = firsts.stream().mapToLong(Long::longValue).max().orElse(-1);
                for (int i = 1; i < firsts.size(); i++) {
                    assertTrue(firsts.get(i) > firsts.get(i - 1), "in order per subscription: " + firsts);
                }
                assertEquals(max + 1, firsts.size(), "none lost: every sequence number up to " + max + " arrived: " + firsts);
            }
            System.out.printf("ClusterOfThreeIT: %d devices, %d subscriptions, %d notifications sent twice after the kill -9%n",
                    DEVICES, subscriptionOf.size(), duplicates);

            // A clean stop of the third instance: quick, quiet, and its devices carry on at the one left.
            DaemonProcess third = instances.get(2).daemon();
            long mark = third.outputSize();
            assertEquals(0, third.stop(), "SIGTERM ends the instance cleanly");
            String stopLog = third.outputFrom(mark);
            assertTrue(!stopLog.contains("ERROR") && !stopLog.contains("WARN") && !stopLog.contains("Exception"), "a quiet stop:\n" + stopLog);
            Instance left = instances.get(0);
            await("every device signed in again at the instance left", () -> agents.stream().allMatch(a ->
                    read(left, token, a.device().di()).statusCode() == 200));
        } finally {
            if (stays != null) {
                stays.shutdown();
            }
            agents.forEach(DeviceAgent::stop);
            agentsThreads.shutdownNow();
            for (Instance i : instances) {
                i.daemon().close();
            }
        }
    }

    /** The vendor's webhook receiver: every POST's webhook-id and body, answered 204. */
    private record Hooks(HttpServer server, List<String[]> received) implements AutoCloseable {
        static Hooks start() throws Exception {
            List<String[]> received = new CopyOnWriteArrayList<>();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                received.add(new String[] {ex.getRequestHeaders().getFirst("webhook-id"), new String(body, StandardCharsets.UTF_8)});
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
            return new Hooks(server, received);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void anAccountLinkedAcrossInstancesIsServedByEveryOneAndEachWebhookGoesOutOnce() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("cluster-link-" + UUID.randomUUID());
        List<Instance> instances = new ArrayList<>();
        SimulatedDevice device = null;
        byte[] hookKey = new byte[24];
        new SecureRandom().nextBytes(hookKey);
        try (Hooks hooks = Hooks.start()) {
            cluster(work, Map.of("bridge.origin.webhooks.vendor.url", hooks.url(),
                    "bridge.origin.webhooks.vendor.secret", "whsec_" + Base64.getEncoder().encodeToString(hookKey),
                    "bridge.origin.vendor.embedded-clients", "bridge-console," + CloudApiUsers.VENDOR_CLIENT,
                    "bridge.origin.return-to-prefixes", "http://127.0.0.1:9/app"), instances);
            Instance first = instances.get(0);
            Instance second = instances.get(1);
            Instance third = instances.get(2);

            // The Target Cloud entry names the public URL (the first instance) for the API and the OAuth endpoints.
            use(first);
            String cloud = OriginLinks.registerCloud();
            String[] vendorUser = OAuthTestClient.newUser();
            String[] targetUser = OAuthTestClient.newUser();
            use(second);
            String vendorToken = CloudApiUsers.vendorToken(vendorUser);
            device = CloudApiUsers.onlineDevice(targetUser, third.coap());

            // The link starts at the second instance...
            Response start = given().baseUri("http://127.0.0.1").port(second.daemon().httpPort()).redirects().follow(false)
                    .queryParam("return_to", OriginLinks.RETURN_TO).queryParam("token", vendorToken).get("/link/" + cloud);
            assertEquals(303, start.statusCode(), start.asString());
            String authorize = start.header("Location");
            String state = OAuthTestClient.query(authorize).get("state");
            io.restassured.http.Cookie bound = start.detailedCookie(AccountLinking.browserCookieName(state));
            assertTrue(bound != null, "the start binds the link to this browser");
            // ...the browser signs in and consents at the public URL...
            use(first);
            Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(authorize));
            assertEquals(200, page.statusCode());
            String request = OAuthTestClient.requestId(page.asString());
            Response login = OAuthTestClient.login(request, targetUser[0], targetUser[1]);
            Response consent = OAuthTestClient.consent(request, login.cookie("bridge_authz"), "allow");
            String callback = consent.header("Location");
            assertTrue(callback.startsWith("http://127.0.0.1:" + first.daemon().httpPort() + "/link/callback?"), callback);
            // ...and the callback, at another instance than the start, finds the link and the browser's binding.
            Response back = given().urlEncodingEnabled(false).redirects().follow(false).cookie(bound.getName(), bound.getValue())
                    .get(URI.create(callback));
            assertEquals(303, back.statusCode(), back.asString());
            String link = OAuthTestClient.query(back.header("Location")).get("linked");
            assertTrue(link != null && !link.isBlank(), back.header("Location"));

            // The vendor reads and writes the device through the third instance and the first.
            String path = "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";
            await("the vendor proxy of the third instance reads the device", () -> given().baseUri("http://127.0.0.1")
                    .port(third.daemon().httpPort()).auth().oauth2(vendorToken).accept("application/json").get(path).statusCode() == 200);
            Response write = given().baseUri("http://127.0.0.1").port(first.daemon().httpPort()).auth().oauth2(vendorToken)
                    .contentType("application/json").body("{\"value\":true}").post(path);
            assertEquals(200, write.statusCode(), write.asString());
            SimulatedDevice d = device;
            await("the device changed", () -> d.switchResource().representation().get("value").asBoolean());

            // The change reaches the vendor's webhook once, whichever instance delivered it.
            await("the change is delivered to the webhook", () -> hooks.received().stream()
                    .anyMatch(h -> h[1].contains("content.changed") && h[1].replace(" ", "").contains("\"value\":true")));
            Map<String, Integer> perId = new LinkedHashMap<>();
            hooks.received().forEach(h -> perId.merge(h[0], 1, Integer::sum));
            List<String> twice = perId.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), twice, "no webhook event sent twice by the instances; received " + hooks.received().size());
        } finally {
            if (device != null) {
                device.shutdown();
            }
            for (Instance i : instances) {
                i.daemon().close();
            }
        }
    }

    private static Boolean switchValue(Notification n) {
        var tree = OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON);
        return tree.has("value") ? tree.get("value").asBoolean() : null;
    }
}
