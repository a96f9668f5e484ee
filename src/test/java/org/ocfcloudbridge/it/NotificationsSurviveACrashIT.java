package org.ocfcloudbridge.it;

import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.DaemonProcess;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged daemon is killed (SIGKILL) while notifications wait for a receiver that is down; started again, it
 * delivers every one of them with the same sequence numbers and signatures, and tells the subscriber that the device
 * it lost in the crash is offline.
 */
class NotificationsSurviveACrashIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @AfterEach
    void resetRestAssured() {
        RestAssured.reset();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private int coap;

    private DaemonProcess daemon(Path work) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        do {
            coap = freePort();
        } while (coap == d.httpPort());
        d.with("bridge.identity.admin-secret", "test-admin-secret-0123456789")
                // The receiver is on loopback.
                .with("bridge.outbound.allowed-networks", "127.0.0.0/8,::1/128")
                .with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                .with("bridge.events.initial-backoff", "200MS").with("bridge.events.max-backoff", "500MS").start();
        d.awaitReady(Duration.ofSeconds(60));
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = d.httpPort();
        return d;
    }

    @Test
    void nothingQueuedIsLostAndTheLostDeviceIsReportedOffline() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("crash-" + UUID.randomUUID());
        String sub;
        String di;
        try (EventReceiver receiver = new EventReceiver()) {
            try (DaemonProcess first = daemon(work)) {
                String[] user = OAuthTestClient.newUser();
                String token = CloudApiUsers.token(user, "r:*");
                SimulatedDevice device = new SimulatedDevice(UUID.randomUUID().toString(), "lamp", URI.create("coap+tcp://127.0.0.1:" + coap), false);
                device.connect();
                device.signUp(CloudApiUsers.deviceCode(user[0]), null);
                device.signIn();
                di = device.di();
                // The receiver takes the first notification, then is down for the rest.
                receiver.answerNext(200);
                receiver.answerAlways(503);
                sub = given().auth().oauth2(token).contentType("application/json")
                        .body(Map.of("eventsUrl", receiver.url(), "eventTypes",
                                List.of("devices_registered", "devices_unregistered", "devices_online", "devices_offline"),
                                "signingSecret", SECRET))
                        .post("/api/v1/devices/subscriptions").then().statusCode(201).extract().path("subscriptionId");
                long end = System.nanoTime() + 20_000_000_000L;
                while (receiver.postsFor(sub).size() < 4 && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                assertTrue(receiver.postsFor(sub).size() >= 4, "a first delivery and some refused retries");
                first.kill();
                device.shutdown();
            }
            List<Notification> before = receiver.postsFor(sub);
            receiver.answerAlways(200);
            try (DaemonProcess second = daemon(work)) {
                receiver.await(EventReceiver.of(sub, "devices_registered"), Duration.ofSeconds(20));
                receiver.await(EventReceiver.of(sub, "devices_unregistered"), Duration.ofSeconds(20));
                receiver.await(EventReceiver.of(sub, "devices_online"), Duration.ofSeconds(20));
                receiver.await(EventReceiver.of(sub, "devices_offline"), Duration.ofSeconds(20));
                Notification lost = receiver.await(EventReceiver.of(sub, "devices_offline"), Duration.ofSeconds(20));
                assertEquals(List.of(Map.of("di", di)), OcfCodec.get().mapper(OcfFormat.JSON)
                        .convertValue(OcfCodec.get().decodeTree(lost.body(), OcfFormat.JSON).get("content"), List.class),
                        "the device lost in the crash is reported offline after the restart");
                assertEquals(4, lost.sequenceNumber(), "after the four initial notifications");

                List<Notification> all = receiver.postsFor(sub);
                List<Notification> after = all.subList(before.size(), all.size());
                // At least once: a POST that outlived its timeout on a slow machine is sent again, never out of order.
                List<Long> seqs = after.stream().map(Notification::sequenceNumber).toList();
                for (int i = 1; i < seqs.size(); i++) {
                    assertTrue(seqs.get(i) >= seqs.get(i - 1), "never out of order: " + seqs);
                }
                assertEquals(List.of(1L, 2L, 3L, 4L), seqs.stream().distinct().toList(),
                        "delivery resumes at the first undelivered notification, in order, none lost");
                for (Notification n : all) {
                    assertTrue(n.signedWith(SECRET), "signature of #" + n.sequenceNumber());
                }
                Notification retried = before.stream().filter(n -> n.sequenceNumber() == 1).findFirst().orElseThrow();
                Notification delivered = after.get(0);
                assertEquals(retried.signature(), delivered.signature(), "the same notification, byte for byte");
                assertEquals(retried.timestamp(), delivered.timestamp());
            }
        }
    }
}
