package org.ocfcloudbridge.it;

import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.DaemonDatabase;
import org.ocfcloudbridge.testing.DaemonProcess;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged daemon gets SIGTERM while devices change and their notifications flow: it stops within seconds with
 * exit code 0 and a quiet log, and after a restart the receiver gets no notification it already had (the stop
 * forgot nothing it delivered) and misses none (every subscription gapless).
 */
class ACleanStopSendsNothingTwiceIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final int DEVICES = 4;
    /** A WARN or ERROR line of the daemon's log format, or a stack trace's frame or cause. */
    private static final Pattern NOISE = Pattern.compile("(?m)^\\S+ +(WARN|ERROR) |^\\s+at |^Caused by|Exception");

    @AfterEach
    void resetRestAssured() {
        RestAssured.reset();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private DaemonProcess daemon(Path work, int coap, Map<String, String> database) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        database.forEach(d::with);
        d.with("bridge.identity.admin-secret", "test-admin-secret-0123456789")
                .with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                // The receiver is on loopback, which the outbound address policy refuses by default.
                .with("bridge.outbound.allowed-networks", "127.0.0.0/8,::1/128")
                .with("bridge.events.initial-backoff", "200MS").with("bridge.events.max-backoff", "500MS").start();
        d.awaitReady(Duration.ofSeconds(60));
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = d.httpPort();
        return d;
    }

    private static double temperature(Notification n) {
        return OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON).path("temperature").asDouble(Double.NaN);
    }

    @Test
    void aStopUnderLoadIsQuickQuietAndSendsNothingTwice() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("clean-stop-" + UUID.randomUUID());
        Map<String, String> database = DaemonDatabase.fresh();
        int coap = freePort();
        List<SimulatedDevice> devices = new ArrayList<>();
        List<String> subscriptions = new ArrayList<>();
        AtomicBoolean changing = new AtomicBoolean(true);
        Thread load = null;
        try (EventReceiver receiver = new EventReceiver()) {
            String token;
            String stopLog;
            try (DaemonProcess first = daemon(work, coap, database)) {
                String[] user = OAuthTestClient.newUser();
                token = CloudApiUsers.token(user, "r:*");
                subscriptions.add(given().auth().oauth2(token).contentType("application/json")
                        .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("devices_online", "devices_offline"),
                                "signingSecret", SECRET))
                        .post("/api/v1/devices/subscriptions").then().statusCode(201).extract().<String>path("subscriptionId"));
                for (int i = 0; i < DEVICES; i++) {
                    SimulatedDevice d = CloudApiUsers.onlineDevice(user, coap);
                    devices.add(d);
                    subscriptions.add(given().auth().oauth2(token).contentType("application/json")
                            .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("resource_contentchanged"),
                                    "signingSecret", SECRET))
                            .post("/api/v1/devices/" + d.di() + "/temperature/subscriptions").then().statusCode(201)
                            .extract().<String>path("subscriptionId"));
                }
                // A steady load: every device changes every 10 ms, through the stop and after it.
                load = new Thread(() -> {
                    double v = 0;
                    while (changing.get()) {
                        v += 0.5;
                        for (SimulatedDevice d : devices) {
                            d.setTemperature(v);
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "device-changes");
                load.start();
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (receiver.all().size() < 200 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                assertTrue(receiver.all().size() >= 200, "notifications flow before the stop: " + receiver.all().size());

                long before = first.outputSize();
                long signalled = System.nanoTime();
                int exit = first.stop();
                Duration took = Duration.ofNanos(System.nanoTime() - signalled);
                stopLog = first.outputFrom(before);
                assertEquals(0, exit, "exit code after SIGTERM; log after the signal:\n" + stopLog);
                assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "stopped in " + took + "; log after the signal:\n" + stopLog);
            }
            changing.set(false);
            load.join();
            assertTrue(!NOISE.matcher(stopLog).find(), "no WARN, ERROR or stack trace after the signal:\n" + stopLog);

            Set<String> delivered = new HashSet<>();
            for (Notification n : receiver.all()) {
                delivered.add(n.subscriptionId() + "#" + n.sequenceNumber());
            }
            int seen = receiver.all().size();

            try (DaemonProcess second = daemon(work, coap, database)) {
                // Each device comes back with a value it never had: once each subscription has it, everything the
                // first run queued before it has been sent (a subscription's notifications go in order).
                for (int i = 0; i < DEVICES; i++) {
                    SimulatedDevice d = devices.get(i);
                    d.connect();
                    d.signIn();
                    d.publish(0);
                }
                for (int i = 0; i < DEVICES; i++) {
                    String sub = subscriptions.get(i + 1);
                    double marker = -1000 - i;
                    SimulatedDevice d = devices.get(i);
                    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    // The Target observes the resource shortly after sign-in: a change before that is only in the twin.
                    while (receiver.all().stream().noneMatch(n -> sub.equals(n.subscriptionId()) && temperature(n) == marker)) {
                        assertTrue(System.nanoTime() < end, "the marker of device " + i + " never arrived");
                        d.setTemperature(marker + 0.25);
                        d.setTemperature(marker);
                        Thread.sleep(200);
                    }
                }
                receiver.await(n -> subscriptions.get(0).equals(n.subscriptionId()) && "devices_online".equals(n.eventType())
                        && n.sequenceNumber() > 0 && !delivered.contains(n.subscriptionId() + "#" + n.sequenceNumber()), Duration.ofSeconds(30));
            }

            List<Notification> all = receiver.all();
            List<String> again = new ArrayList<>();
            for (Notification n : all.subList(seen, all.size())) {
                if (delivered.contains(n.subscriptionId() + "#" + n.sequenceNumber())) {
                    again.add(n.eventType() + " " + n.subscriptionId() + "#" + n.sequenceNumber());
                }
            }
            assertEquals(List.of(), again, "notifications delivered before the stop and sent again after the restart");

            Map<String, TreeSet<Long>> seqs = new HashMap<>();
            for (Notification n : all) {
                assertTrue(n.signedWith(SECRET), "signature of #" + n.sequenceNumber());
                seqs.computeIfAbsent(n.subscriptionId(), k -> new TreeSet<>()).add(n.sequenceNumber());
            }
            for (String sub : subscriptions) {
                TreeSet<Long> s = seqs.get(sub);
                assertEquals(s.last() - s.first() + 1, s.size(), "subscription " + sub + " is gapless: " + s);
            }
        } finally {
            changing.set(false);
            for (SimulatedDevice d : devices) {
                d.shutdown();
            }
        }
    }
}
