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
import org.ocfcloudbridge.testing.TcpRelay;
import org.ocfcloudbridge.origin.link.AccountLinking;
import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three packaged instances in cluster mode on one PostgreSQL and one NATS (issue 14), behind a TCP load balancer whose
 * URL is the cloud's one public URL: a token one issued is good at the others, a Cloud API request through any
 * instance reaches every device wherever it is connected, a subscription's notifications are delivered once by one
 * instance; then one instance is killed (SIGKILL) under changes, its devices sign in again at the others (the simulator
 * moves on down its list of instances), and no notification is lost, none is out of order; duplicates, which
 * at-least-once allows after a crash, are counted. The second case does the same for an Origin Cloud's linked account
 * and its vendor webhooks. Runs in the PostgreSQL run, where {@code bin/test --postgresql} starts the NATS server.
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

    private static Instance instance(Path work, Map<String, String> shared, TcpRelay balancer) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        int coap;
        do {
            coap = DaemonProcess.freePort();
        } while (coap == d.httpPort());
        shared.forEach(d::with);
        d.with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0");
        balancer.add("127.0.0.1", d.httpPort());
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

    /**
     * Three instances on one fresh database behind {@code balancer}, whose URL is the cloud's one public URL (and token
     * issuer) for all; {@code extra} settings go to all.
     */
    private static Map<String, String> cluster(Path work, Map<String, String> extra, TcpRelay balancer, List<Instance> instances)
            throws Exception {
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
        shared.put("bridge.public-url", "http://127.0.0.1:" + balancer.port());
        shared.putAll(extra);
        // The first start migrates the shared database and makes the identity; the others join it.
        instances.add(instance(work.resolve("i0"), shared, balancer));
        instances.get(0).daemon().awaitReady(WAIT);
        instances.add(instance(work.resolve("i1"), shared, balancer));
        instances.add(instance(work.resolve("i2"), shared, balancer));
        instances.get(1).daemon().awaitReady(WAIT);
        instances.get(2).daemon().awaitReady(WAIT);
        return shared;
    }

    @Test
    void threeInstancesServeEveryDeviceAndAKilledOneLosesNoNotification() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("cluster-" + UUID.randomUUID());
        List<Instance> instances = new ArrayList<>();
        ScheduledExecutorService agentsThreads = Executors.newScheduledThreadPool(4);
        List<DeviceAgent> agents = new ArrayList<>();
        SimulatedDevice stays = null;
        com.fasterxml.jackson.databind.JsonNode published = null;
        try (EventReceiver receiver = new EventReceiver(); TcpRelay balancer = new TcpRelay()) {
            cluster(work, Map.of(), balancer, instances);
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

    /** The vendor's webhook receiver: every POST's webhook-id and body, answered 204 after {@code delay} ms. */
    private record Hooks(HttpServer server, List<String[]> received, AtomicLong delay) implements AutoCloseable {
        static Hooks start() throws Exception {
            List<String[]> received = new CopyOnWriteArrayList<>();
            AtomicLong delay = new AtomicLong();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                received.add(new String[] {ex.getRequestHeaders().getFirst("webhook-id"), new String(body, StandardCharsets.UTF_8)});
                try {
                    // A slow vendor: events queue up behind it, so a kill finds some claimed and not yet delivered.
                    Thread.sleep(delay.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
            return new Hooks(server, received, delay);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        List<String> ids() {
            return received.stream().map(h -> h[0]).toList();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * Linking across instances, the vendor proxy from any instance, webhooks sent once; then the instance that delivers
     * the link's webhooks is killed (SIGKILL) while its events queue behind a slow vendor and the device keeps changing:
     * a survivor takes the link over when the lease runs out, and every vendor event stored reaches the webhook, in
     * order; resends, which at-least-once allows after a crash, are counted.
     */
    @Test
    void anAccountLinkedAcrossInstancesIsServedByEveryOneAndAKilledOneLosesNoVendorEvent() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("cluster-link-" + UUID.randomUUID());
        List<Instance> instances = new ArrayList<>();
        ScheduledExecutorService agentThreads = Executors.newScheduledThreadPool(2);
        DeviceAgent agent = null;
        byte[] hookKey = new byte[24];
        new SecureRandom().nextBytes(hookKey);
        try (Hooks hooks = Hooks.start(); TcpRelay balancer = new TcpRelay()) {
            Map<String, String> settings = cluster(work, Map.of("bridge.origin.webhooks.vendor.url", hooks.url(),
                    "bridge.origin.webhooks.vendor.secret", "whsec_" + Base64.getEncoder().encodeToString(hookKey),
                    "bridge.origin.vendor.embedded-clients", "bridge-console," + CloudApiUsers.VENDOR_CLIENT,
                    "bridge.origin.return-to-prefixes", "http://127.0.0.1:9/app"), balancer, instances);
            Instance first = instances.get(0);
            Instance second = instances.get(1);
            Instance third = instances.get(2);
            int publicPort = balancer.port();

            // The Target Cloud entry names the public URL (the load balancer) for the API and the OAuth endpoints.
            RestAssured.baseURI = "http://127.0.0.1";
            RestAssured.port = publicPort;
            String cloud = OriginLinks.registerCloud();
            String[] vendorUser = OAuthTestClient.newUser();
            String[] targetUser = OAuthTestClient.newUser();
            use(second);
            String vendorToken = CloudApiUsers.vendorToken(vendorUser);
            // The device signs in at the third instance and moves down its list if that one dies.
            List<URI> clouds = List.of(third.cloud(), first.cloud(), second.cloud());
            agent = new DeviceAgent(new SimulatedDevice(UUID.randomUUID().toString(), "lamp", clouds.get(0), false), agentThreads, 1, clouds);
            agent.start(CloudApiUsers.deviceCode(targetUser[0]), null);
            DeviceAgent a = agent;
            await("the device signed in", () -> a.state() == DeviceAgent.State.ONLINE);
            SimulatedDevice device = agent.device();

            // The link starts at the second instance...
            Response start = given().baseUri("http://127.0.0.1").port(second.daemon().httpPort()).redirects().follow(false)
                    .queryParam("return_to", OriginLinks.RETURN_TO).queryParam("token", vendorToken).get("/link/" + cloud);
            assertEquals(303, start.statusCode(), start.asString());
            String authorize = start.header("Location");
            String state = OAuthTestClient.query(authorize).get("state");
            io.restassured.http.Cookie bound = start.detailedCookie(AccountLinking.browserCookieName(state));
            assertTrue(bound != null, "the start binds the link to this browser");
            // ...the browser signs in and consents at the public URL...
            RestAssured.port = publicPort;
            Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(authorize));
            assertEquals(200, page.statusCode());
            String request = OAuthTestClient.requestId(page.asString());
            Response login = OAuthTestClient.login(request, targetUser[0], targetUser[1]);
            Response consent = OAuthTestClient.consent(request, login.cookie("bridge_authz"), "allow");
            String callback = consent.header("Location");
            assertTrue(callback.startsWith("http://127.0.0.1:" + publicPort + "/link/callback?"), callback);
            // ...and the callback, at the first instance (not the one that started it), finds the link and the binding.
            Response back = given().urlEncodingEnabled(false).redirects().follow(false).cookie(bound.getName(), bound.getValue())
                    .get(URI.create(callback.replace(":" + publicPort + "/", ":" + first.daemon().httpPort() + "/")));
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
            await("the device changed", () -> device.switchResource().representation().get("value").asBoolean());

            // The change reaches the vendor's webhook once, whichever instance delivered it.
            await("the change is delivered to the webhook", () -> hooks.received().stream()
                    .anyMatch(h -> h[1].contains("content.changed") && h[1].replace(" ", "").contains("\"value\":true")));
            assertEquals(List.of(), sentTwice(hooks.ids()), "no webhook event sent twice by the instances; received " + hooks.received().size());

            // Now a slow vendor, so that events queue, and the device changing; the instance delivering this link's
            // webhooks is killed part-way.
            hooks.delay().set(200);
            String dbUrl = settings.get("quarkus.datasource.jdbc.url");
            String dbUser = settings.get("quarkus.datasource.username");
            String dbPassword = settings.getOrDefault("quarkus.datasource.password", "");
            Instance killed = null;
            int changes = 12;
            for (int i = 0; i < changes; i++) {
                double celsius = 30 + i * 0.5;
                device.setTemperature(celsius);
                // Each change waits until the Origin has it (and so its vendor event): changes faster than the
                // device's observer is told may reach the cloud as only the latest, which observe allows.
                await("the Origin has temperature " + celsius, () -> temperatureIs(publicPort, vendorToken, link, celsius));
                if (i == changes / 3) {
                    String holder = deliveredBy(dbUrl, dbUser, dbPassword, link);
                    for (Instance candidate : instances) {
                        if (candidate.daemon().output().contains("as instance " + holder)) {
                            killed = candidate;
                        }
                    }
                    assertTrue(killed != null, "the link's webhooks are claimed by one of the instances: " + holder);
                    int waiting = storedEvents(dbUrl, dbUser, dbPassword, link).size() - hooks.ids().stream().distinct().toList().size();
                    killed.daemon().kill();
                    System.out.printf("ClusterOfThreeIT: killed instance %d, which delivered the link's webhooks, with %d events not yet at the webhook%n",
                            instances.indexOf(killed), waiting);
                }
            }
            hooks.delay().set(0);
            List<String> stored = storedEvents(dbUrl, dbUser, dbPassword, link).stream().map(id -> "evt_" + id).toList();
            await("every stored vendor event reaches the webhook", () -> hooks.ids().containsAll(stored));
            // At least once: a resend may repeat an event; first arrivals are in event order.
            List<Long> order = hooks.ids().stream().distinct().map(id -> Long.parseLong(id.substring(4))).toList();
            assertEquals(order.stream().sorted().toList(), order, "webhooks in event order for the link");
            for (int i = 0; i < changes; i++) {
                String value = "\"temperature\":" + (30 + i * 0.5);
                assertTrue(hooks.received().stream().anyMatch(h -> h[1].replace(" ", "").contains(value)), "the webhook got " + value);
            }
            System.out.printf("ClusterOfThreeIT: %d vendor events, %d webhooks sent twice after the kill -9%n",
                    stored.size(), sentTwice(hooks.ids()).size());
        } finally {
            if (agent != null) {
                agent.stop();
            }
            agentThreads.shutdownNow();
            for (Instance i : instances) {
                i.daemon().close();
            }
        }
    }

    private static List<String> sentTwice(List<String> ids) {
        Map<String, Integer> perId = new LinkedHashMap<>();
        ids.forEach(id -> perId.merge(id, 1, Integer::sum));
        return perId.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    private static boolean temperatureIs(int port, String vendorToken, String link, double value) {
        Response r = given().baseUri("http://127.0.0.1").port(port).auth().oauth2(vendorToken).get("/api/v1/links/" + link + "/devices");
        if (r.statusCode() != 200) {
            return false;
        }
        Object t = r.jsonPath().get("[0].content.'/temperature'.temperature");
        return t instanceof Number n && n.doubleValue() == value;
    }

    /** The instance that holds the claim on the link's deliveries. */
    private static String deliveredBy(String url, String user, String password, String link) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement s = c.prepareStatement("SELECT delivered_by FROM linked_account WHERE id = ?")) {
            s.setObject(1, UUID.fromString(link));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The ids of the vendor events stored for the link, in order. */
    private static List<Long> storedEvents(String url, String user, String password, String link) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement s = c.prepareStatement("SELECT id FROM vendor_event WHERE link_id = ? ORDER BY id")) {
            s.setObject(1, UUID.fromString(link));
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    private static Boolean switchValue(Notification n) {
        var tree = OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON);
        return tree.has("value") ? tree.get("value").asBoolean() : null;
    }
}
