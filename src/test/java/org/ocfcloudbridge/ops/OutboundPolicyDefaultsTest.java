package org.ocfcloudbridge.ops;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.targetcloud.events.Subscriptions;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon with the outbound address policy as shipped (nothing opened, unlike the other tests which open loopback):
 * the subscription and admin APIs refuse the URLs an attacker would use to reach what only the daemon can reach, with a
 * 400 naming the rule, and a notification whose URL is refused by the time it is sent is a failed delivery, said once.
 * The server on loopback standing for the daemon's neighbours counts every connection: none may arrive.
 */
@QuarkusTest
@TestProfile(OutboundPolicyDefaultsTest.Shipped.class)
class OutboundPolicyDefaultsTest {

    public static class Shipped implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.outbound.allowed-networks", "");
        }
    }

    static final String SECRET = "3BZ6oI9xbRJzOUvUoRb5RgaZjPqHrmql";
    static final String RULE = ", refused by the outbound address policy (bridge.outbound.allowed-networks)";

    @Inject
    Subscriptions subscriptions;

    ServerSocket neighbour;
    final AtomicInteger connections = new AtomicInteger();

    @BeforeEach
    void listen() throws IOException {
        neighbour = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!neighbour.isClosed()) {
                try (Socket s = neighbour.accept()) {
                    connections.incrementAndGet();
                    InputStream in = s.getInputStream();
                    in.read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed after the test
                }
            }
        }, "neighbour");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws IOException {
        neighbour.close();
    }

    static Response subscribe(String token, String eventsUrl) {
        return given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("eventsUrl", eventsUrl, "eventTypes", List.of("devices_registered"), "signingSecret", SECRET))
                .post("/api/v1/devices/subscriptions");
    }

    @Test
    void everyEventsUrlThatReachesWhatOnlyTheDaemonCanReachIsA400NamingTheRule() {
        int port = neighbour.getLocalPort();
        String token = CloudApiUsers.token(OAuthTestClient.newUser(), "r:*");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("http://127.0.0.1:" + port + "/api/admin/users", "eventsUrl resolves to a loopback address" + RULE);
        expected.put("http://0.0.0.0:" + port + "/", "eventsUrl resolves to an unspecified address" + RULE);
        expected.put("http://2130706433:" + port + "/",
                "eventsUrl spells an IPv4 address other than in dotted decimal (a.b.c.d)" + RULE);
        expected.put("http://017700000001:" + port + "/",
                "eventsUrl spells an IPv4 address other than in dotted decimal (a.b.c.d)" + RULE);
        expected.put("http://user:pass@127.0.0.1:" + port + "/", "eventsUrl holds user information (user:password@)" + RULE);
        expected.put("http://169.254.169.254/latest/meta-data/", "eventsUrl resolves to a link-local address" + RULE);
        expected.put("http://[fd00:ec2::254]/latest/meta-data/", "eventsUrl resolves to a unique-local address" + RULE);
        expected.put("http://10.0.0.1/", "eventsUrl resolves to a private (RFC 1918) address" + RULE);
        expected.put("http://[::ffff:127.0.0.1]:" + port + "/", "eventsUrl resolves to an IPv4-mapped form of a loopback address" + RULE);
        expected.put("http://[::ffff:7f00:1]:" + port + "/", "eventsUrl resolves to an IPv4-mapped form of a loopback address" + RULE);
        expected.put("http://[::127.0.0.1]:" + port + "/", "eventsUrl resolves to an IPv4-compatible form of a loopback address" + RULE);
        expected.put("http://localhost:" + port + "/", "eventsUrl resolves to a loopback address" + RULE);
        // Not in /etc/hosts; the tests' only DNS server is on loopback and silent, so the name resolves to nothing.
        expected.put("http://metadata.google.internal/computeMetadata/v1/", "eventsUrl names a host that does not resolve to an address");
        // java.net.URI reads no host here: refused as no URL at all.
        expected.put("http://0x7f.1:" + port + "/", "eventsUrl must be an absolute http or https URL");
        long before = QuarkusTransaction.requiringNew().call(() -> Subscription.count());
        expected.forEach((url, why) -> {
            Response r = subscribe(token, url);
            assertEquals(400, r.statusCode(), url + ": " + r.asString());
            assertEquals(why, r.asString(), url);
        });
        assertEquals(before, QuarkusTransaction.requiringNew().call(() -> Subscription.count()), "a refused subscription was stored");
        assertEquals(0, connections.get(), "the daemon connected to its loopback neighbour");
    }

    @Test
    void aSubscriptionWhoseUrlIsRefusedWhenSentFailsItsDeliveriesAndSaysSoOnce() throws Exception {
        // Made before the policy existed (an upgrade), or a name that resolved elsewhere when it was checked.
        Subscription s = new Subscription();
        s.ownerId = UUID.randomUUID().toString();
        s.level = Subscription.Level.DEVICES;
        s.eventsUrl = "http://127.0.0.1:" + neighbour.getLocalPort() + "/events";
        s.eventTypes = "devices_registered";
        s.signingSecret = SECRET;
        s.contentType = "application/json";
        s.correlationId = "old-subscription";
        try (LogCapture log = new LogCapture()) {
            UUID id = subscriptions.subscribe(s);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int attempts = 0;
            while (attempts < 4 && System.nanoTime() < deadline) {
                attempts = QuarkusTransaction.requiringNew().call(() -> OutboxEntry.<OutboxEntry>list("subscriptionId", id)
                        .stream().mapToInt(o -> o.attempts).max().orElse(0));
                Thread.sleep(50);
            }
            assertTrue(attempts >= 4, "retried: " + attempts);
            String lastError = QuarkusTransaction.requiringNew().call(() -> OutboxEntry.<OutboxEntry>list("subscriptionId", id)
                    .get(0).lastError);
            assertEquals("127.0.0.1 resolves to a loopback address" + RULE, lastError);
            List<String> said = log.lines().stream().filter(l -> l.contains(id.toString()) && l.contains("eventsUrl refused")).toList();
            assertEquals(1, said.size(), "said once, not per retry: " + said);
            assertEquals(0, connections.get(), "the daemon connected to its loopback neighbour");
        }
    }

    static Map<String, Object> cloud(String apiUrl, String tokenEndpoint, String issuer) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "c-" + UUID.randomUUID().toString().substring(0, 8));
        m.put("apiUrl", apiUrl);
        m.put("clientId", "some-client");
        if (issuer != null) {
            m.put("issuer", issuer);
        } else {
            m.put("authorizationEndpoint", "https://cloud.example/authorize");
            m.put("tokenEndpoint", tokenEndpoint);
        }
        return m;
    }

    static Response addCloud(Map<String, Object> body) {
        return given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json").body(body)
                .post("/api/admin/clouds");
    }

    @Test
    void linkedCloudUrlsFromTheAdminApiAreCheckedToo() {
        int port = neighbour.getLocalPort();
        Response r = addCloud(cloud("http://127.0.0.1:" + port + "/api/v1", "https://cloud.example/token", null));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("apiUrl resolves to a loopback address" + RULE, r.jsonPath().getString("error"));
        // A public address passes (nothing is called when a cloud is added), so the token endpoint is looked at.
        r = addCloud(cloud("https://93.184.216.34/api/v1", "http://169.254.169.254/token", null));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("tokenEndpoint resolves to a link-local address" + RULE, r.jsonPath().getString("error"));
        r = addCloud(cloud("https://93.184.216.34/api/v1", null, "http://[::ffff:127.0.0.1]:" + port));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("issuer resolves to an IPv4-mapped form of a loopback address" + RULE, r.jsonPath().getString("error"));
        assertEquals(0, connections.get(), "the daemon connected to its loopback neighbour");
    }
}
