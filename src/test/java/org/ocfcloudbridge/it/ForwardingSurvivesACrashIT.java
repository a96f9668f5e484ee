package org.ocfcloudbridge.it;

import com.sun.net.httpserver.HttpServer;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.DaemonProcess;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both roles in the packaged daemon; the vendor's webhook is down while device changes flow; the daemon is killed
 * (SIGKILL) and started again: every vendor event stored before the crash reaches the webhook, each device's in order.
 */
class ForwardingSurvivesACrashIT {

    private final List<String> delivered = new CopyOnWriteArrayList<>();
    /** Each accepted POST's id under the order the webhook keeps: its device's, or its link's own. */
    private final java.util.Map<String, List<String>> deliveredByDevice = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int status = 204;

    @AfterEach
    void reset() {
        RestAssured.reset();
    }

    private static int freePort(int... not) throws Exception {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                int p = s.getLocalPort();
                if (java.util.Arrays.stream(not).noneMatch(n -> n == p)) {
                    return p;
                }
            }
        }
    }

    private DaemonProcess daemon(Path work, int hook) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        int coap = freePort(d.httpPort(), hook);
        d.with("bridge.identity.admin-secret", "test-admin-secret-0123456789")
                .with("bridge.public-url", "http://localhost:" + d.httpPort())
                // The webhook receiver and the linked cloud (this daemon) are on loopback.
                .with("bridge.outbound.allowed-networks", "127.0.0.0/8,::1/128")
                .with("bridge.origin.return-to-prefixes", "http://127.0.0.1:9/app")
                .with("bridge.origin.vendor.embedded-clients", "bridge-console,vendor-app")
                .with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                .with("bridge.events.initial-backoff", "200MS").with("bridge.events.max-backoff", "500MS")
                .with("bridge.origin.webhooks.vendor.url", "http://127.0.0.1:" + hook + "/hook")
                .with("bridge.origin.webhooks.vendor.secret", "whsec_" + Base64.getEncoder().encodeToString(new byte[24]))
                .start();
        d.awaitReady(Duration.ofSeconds(60));
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = d.httpPort();
        return d;
    }

    @Test
    void vendorEventsStoredBeforeACrashAllReachTheWebhookAfterIt() throws Exception {
        int hook = freePort();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), hook), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            int answer = status;
            if (answer < 300) {
                String id = ex.getRequestHeaders().getFirst("webhook-id");
                var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
                deliveredByDevice.computeIfAbsent(json.path("link").asText() + "/" + json.path("device").asText(""),
                        k -> new CopyOnWriteArrayList<>()).add(id);
                delivered.add(id);
            }
            ex.sendResponseHeaders(answer, -1);
            ex.close();
        });
        receiver.start();
        Path work = DaemonProcess.workRoot().resolve("forward-crash-" + UUID.randomUUID());
        List<Long> stored = new ArrayList<>();
        try {
            try (DaemonProcess first = daemon(work, hook)) {
                String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
                String[] alice = OAuthTestClient.newUser();
                String coap = first.output().replaceAll("(?s).*coap\\+tcp on (\\d+).*", "$1");
                SimulatedDevice device = new SimulatedDevice(UUID.randomUUID().toString(), "lamp",
                        URI.create("coap+tcp://127.0.0.1:" + coap), false);
                device.connect();
                device.signUp(CloudApiUsers.deviceCode(alice[0]), null);
                device.signIn();
                device.publish(0);
                String link = OriginLinks.link(OriginLinks.registerCloud(), vendorToken, alice);
                long end = System.nanoTime() + 20_000_000_000L;
                while (delivered.size() < 2 && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                assertTrue(delivered.size() >= 2, "link.state and device.added delivered while the webhook is up");
                status = 503;
                // Each change waits until the Origin has it (and so its vendor event): changes faster than the
                // device's observer is told may reach it as only the latest.
                for (int i = 0; i < 5; i++) {
                    double value = 40 + i;
                    device.setTemperature(value);
                    long until = System.nanoTime() + 20_000_000_000L;
                    while (!temperatureIs(vendorToken, link, value) && System.nanoTime() < until) {
                        Thread.sleep(50);
                    }
                    assertTrue(temperatureIs(vendorToken, link, value), "the Origin has temperature " + value);
                }
                first.kill();
                device.shutdown();
            }
            try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("data/bridge").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "", "");
                 ResultSet rs = db.createStatement().executeQuery("select id from vendor_event order by id")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
            assertTrue(stored.size() >= 7, "link, device added and five content changes were stored: " + stored);
            status = 204;
            try (DaemonProcess second = daemon(work, hook)) {
                long end = System.nanoTime() + 30_000_000_000L;
                while (!delivered.containsAll(stored.stream().map(id -> "evt_" + id).toList()) && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                List<String> missing = stored.stream().map(id -> "evt_" + id).filter(id -> !delivered.contains(id)).toList();
                assertEquals(List.of(), missing, "every stored event reached the webhook");
                // At least once: a resend may repeat an event; first arrivals are in event order for each device.
                deliveredByDevice.forEach((device, ids) -> {
                    List<Long> order = ids.stream().distinct().map(id -> Long.parseLong(id.substring(4))).toList();
                    assertEquals(order.stream().sorted().toList(), order, "in order for " + device);
                });
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static boolean temperatureIs(String vendorToken, String link, double value) {
        io.restassured.response.Response r = io.restassured.RestAssured.given().auth().oauth2(vendorToken)
                .get("/api/v1/links/" + link + "/devices");
        if (r.statusCode() != 200) {
            return false;
        }
        Object t = r.jsonPath().get("[0].content.'/temperature'.temperature");
        return t instanceof Number n && n.doubleValue() == value;
    }
}
