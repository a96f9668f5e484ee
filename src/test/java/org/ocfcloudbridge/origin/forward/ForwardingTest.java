package org.ocfcloudbridge.origin.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accepted changes reach the vendor cloud: a real webhook receiver gets each, signed Standard-Webhooks style, retried
 * after a refusal and in order; the Server-Sent Events stream shows them and resumes after Last-Event-ID.
 */
@QuarkusTest
@TestProfile(ForwardingTest.Webhook.class)
class ForwardingTest {

    static final int PORT = freePort();
    static final byte[] KEY = "forwarding-test-webhook-key-0123".getBytes(StandardCharsets.UTF_8);
    static final ObjectMapper JSON = new ObjectMapper();

    public static final class Webhook implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Retries at most 1 s apart: a test that refuses events for a while must not wait minutes once it stops.
            return Map.of("bridge.origin.webhooks.vendor.url", "http://127.0.0.1:" + PORT + "/hook",
                    "bridge.origin.webhooks.vendor.secret", "whsec_" + Base64.getEncoder().encodeToString(KEY),
                    "bridge.origin.webhook-max-backoff", "1S");
        }
    }

    record Hook(String id, String timestamp, String signature, byte[] body, boolean accepted) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    @Inject
    CoapGateway gateway;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String expectedSignature(String id, String ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** Whether the vendor's webhook takes a delivery, by its body. */
    interface Acceptance {
        boolean accepts(byte[] body) throws IOException;
    }

    /**
     * The vendor's webhook on {@link #PORT}/hook, started: every delivery is kept in {@code hooks}, answered 204 when
     * {@code acceptance} takes it and {@code refusal} otherwise.
     */
    private static HttpServer hookReceiver(List<Hook> hooks, Acceptance acceptance, int refusal) throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            boolean accept = acceptance.accepts(body);
            hooks.add(new Hook(ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestHeaders().getFirst("webhook-timestamp"),
                    ex.getRequestHeaders().getFirst("webhook-signature"), body, accept));
            ex.sendResponseHeaders(accept ? 204 : refusal, -1);
            ex.close();
        });
        receiver.start();
        return receiver;
    }

    @Test
    void changesReachTheVendorsWebhookSignedAndInOrderAndTheEventStream() throws Exception {
        List<Hook> hooks = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = hookReceiver(hooks, body -> calls.incrementAndGet() != 1, 500);
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(OriginLinks.registerCloud(), vendorToken, alice);
            // Only this test's link and device: events of earlier tests' links may still be on their way.
            Hook linked = await(hooks, h -> h.accepted() && type(h).equals("link.state") && key(h).equals(link + "/"));
            Hook added = await(hooks, h -> h.accepted() && type(h).equals("device.added") && device(h).equals(device.di()));
            assertEquals(link, linked.json().get("link").asText());
            assertEquals(vendorUser[2], linked.json().get("user").asText(), "the vendor's user");
            assertEquals(device.di(), added.json().get("device").asText());
            assertFalse(hooks.get(0).accepted(), "the first POST was refused");
            Hook refused = hooks.get(0);
            Hook retried = await(hooks, h -> h.accepted() && h.id().equals(refused.id()));
            for (Hook h : hooks.subList(0, hooks.indexOf(retried))) {
                assertFalse(h.accepted() && key(h).equals(key(refused)), "nothing of the refused event's device went before it");
            }

            device.setTemperature(27.25);
            Hook changed = await(hooks, h -> {
                try {
                    return h.accepted() && type(h).equals("content.changed") && device(h).equals(device.di())
                            && h.json().at("/payload/content/temperature").asDouble() == 27.25;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals("/temperature", changed.json().at("/payload/href").asText());
            device.signOut();
            await(hooks, h -> h.accepted() && type(h).equals("device.offline") && device(h).equals(device.di()));

            Map<String, List<Long>> idsByDevice = new java.util.HashMap<>();
            for (Hook h : hooks) {
                assertEquals(expectedSignature(h.id(), h.timestamp(), h.body()), h.signature(), "Standard Webhooks signature");
                if (h.accepted()) {
                    idsByDevice.computeIfAbsent(key(h), k -> new ArrayList<>()).add(Long.parseLong(h.id().substring(4)));
                }
            }
            idsByDevice.forEach((key, ids) -> assertEquals(ids.stream().sorted().toList(), ids, "in event order for " + key));
            assertTrue(idsByDevice.get(link + "/" + device.di()).size() >= 3, idsByDevice.toString());

            List<String> firstRead = sse(vendorToken, "0", 3);
            assertEquals(3, firstRead.size(), firstRead.toString());
            assertTrue(firstRead.get(0).contains("link.state"), firstRead.toString());
            String firstId = java.util.Arrays.stream(firstRead.get(0).split("\n")).filter(l -> l.startsWith("id:"))
                    .findFirst().orElseThrow().substring(3).trim();
            List<String> resumed = sse(vendorToken, firstId, 1);
            assertEquals(firstRead.get(1), resumed.get(0), "resumes right after Last-Event-ID");
        } finally {
            device.shutdown();
            receiver.stop(0);
        }
    }

    /**
     * The webhook refuses everything of one device for a while: the other device's changes still arrive at once, and
     * the refused device's events follow in their order once the webhook takes them again.
     */
    @Test
    void aRefusedEventHoldsBackOnlyItsOwnDevicesLaterEvents() throws Exception {
        java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Hook> hooks = new CopyOnWriteArrayList<>();
        HttpServer receiver = hookReceiver(hooks, body -> !refused.contains(JSON.readTree(body).path("device").asText("")), 503);
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice held = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        SimulatedDevice flowing = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        refused.add(held.di());
        try {
            OriginLinks.link(OriginLinks.registerCloud(), vendorToken, alice);
            await(hooks, h -> !h.accepted() && device(h).equals(held.di()));
            // More of the held device's events than a round reads (100): they must not fill the page for the other
            // device. Each change waits for its event: changes faster than the observer is told may reach it as only
            // the latest, which on a slow CI machine left too few.
            for (int i = 0; i < 110; i++) {
                long before = heldEvents(held.di());
                held.setTemperature(40 + i / 2.0);
                long end = System.nanoTime() + 10_000_000_000L;
                while (heldEvents(held.di()) == before && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertTrue(heldEvents(held.di()) > before, "change " + i + " of the held device waits for the webhook");
            }
            held.setTemperature(31.5);
            flowing.setTemperature(32.5);
            await(hooks, h -> h.accepted() && device(h).equals(flowing.di()) && temperature(h) == 32.5);
            assertTrue(hooks.stream().noneMatch(h -> h.accepted() && device(h).equals(held.di())), "the held device's wait");
            assertEquals(List.of(hooks.stream().filter(h -> device(h).equals(held.di())).findFirst().orElseThrow().id()),
                    hooks.stream().filter(h -> device(h).equals(held.di())).map(Hook::id).distinct().toList(),
                    "while its first event is refused, the held device's later ones are not even tried");

            refused.clear();
            await(hooks, h -> h.accepted() && device(h).equals(held.di()) && temperature(h) == 31.5);
            List<Long> heldIds = hooks.stream().filter(h -> h.accepted() && device(h).equals(held.di()))
                    .map(h -> Long.parseLong(h.id().substring(4))).toList();
            assertEquals(heldIds.stream().sorted().toList(), heldIds, "the held device's events in their order");
            assertEquals("device.added", hooks.stream().filter(h -> h.accepted() && device(h).equals(held.di()))
                    .findFirst().map(ForwardingTest::type).orElseThrow(), "beginning with the one refused first");
        } finally {
            held.shutdown();
            flowing.shutdown();
            receiver.stop(0);
        }
    }

    static long heldEvents(String deviceId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                org.ocfcloudbridge.store.VendorEvent.count("deviceId", deviceId));
    }

    static String device(Hook h) {
        try {
            return h.json().path("device").asText("");
        } catch (Exception e) {
            return "";
        }
    }

    static double temperature(Hook h) {
        try {
            return h.json().at("/payload/content/temperature").asDouble(Double.NaN);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    @Inject
    WebhookSender sender;

    /**
     * A new link's events are claimed for delivery when they commit: with the scan for links nobody holds pushed an
     * hour away, the link's first events and a device change still reach the webhook, and no scan ran meanwhile.
     */
    @Test
    void aNewLinksEventsAreClaimedAtTheirCommitWithoutWaitingForTheScan() throws Exception {
        List<Hook> hooks = new CopyOnWriteArrayList<>();
        HttpServer receiver = hookReceiver(hooks, body -> true, 503);
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        long scans = sender.scanEvery(java.time.Duration.ofHours(1));
        try {
            String link = OriginLinks.link(OriginLinks.registerCloud(), vendorToken, alice);
            await(hooks, h -> type(h).equals("link.state") && key(h).equals(link + "/"));
            await(hooks, h -> type(h).equals("device.added") && device(h).equals(device.di()));
            device.setTemperature(31.5);
            await(hooks, h -> type(h).equals("content.changed") && device(h).equals(device.di())
                    && temperature(h) == 31.5);
            assertEquals(scans, sender.scans(), "delivered without a scan");
        } finally {
            sender.scanEvery(WebhookSender.SCAN_EVERY);
            device.shutdown();
            receiver.stop(0);
        }
    }

    /** The order a webhook keeps: a device's events, or a link's own. */
    static String key(Hook h) {
        try {
            return h.json().path("link").asText() + "/" + h.json().path("device").asText("");
        } catch (Exception e) {
            return "";
        }
    }

    static String type(Hook h) {
        try {
            return h.json().get("type").asText();
        } catch (Exception e) {
            return "";
        }
    }

    static Hook await(List<Hook> hooks, Predicate<Hook> which) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < end) {
            for (Hook h : hooks) {
                if (which.test(h)) {
                    return h;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such webhook call; got " + hooks.stream().map(ForwardingTest::type).toList());
    }

    /** Reads {@code n} events ("id: …\nevent: …\ndata: …") from the stream, resuming after {@code lastEventId}. */
    static List<String> sse(String token, String lastEventId, int n) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(OriginLinks.BASE + "/api/v1/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId)
                .build();
        HttpResponse<Stream<String>> resp = client.send(req, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, resp.statusCode());
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            StringBuilder current = new StringBuilder();
            try {
                resp.body().forEach(line -> {
                if (line.isEmpty()) {
                    if (current.length() > 0) {
                        events.add(current.toString());
                        current.setLength(0);
                    }
                } else if (!line.startsWith(":")) {
                    current.append(line).append('\n');
                }
                });
            } catch (java.io.UncheckedIOException closed) {
                // The test closed the stream.
            }
        });
        reader.setDaemon(true);
        reader.start();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                break;
            }
            out.add(e);
        }
        reader.interrupt();
        resp.body().close();
        return out;
    }

}
