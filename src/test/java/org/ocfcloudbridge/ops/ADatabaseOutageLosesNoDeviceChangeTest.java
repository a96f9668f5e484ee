package org.ocfcloudbridge.ops;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.PublishedLink;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.EventReceiver.Notification;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.RelayedDatabaseProfile;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The database goes away (the relay to it is cut) while a device keeps changing: the Cloud API answers 503 with
 * Retry-After and a short reason; the device's last value is held, stored when the database is back and notified;
 * the log says so once, and nothing running in the background prints a stack trace or a line per run.
 */
@QuarkusTest
@TestProfile(RelayedDatabaseProfile.class)
// The commit test first, always: the other one then also proves the daemon works after it (the order CI met).
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ADatabaseOutageLosesNoDeviceChangeTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    /** Long enough for the link housekeeping (every 5 s) and the outbox polls to run several times. */
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    @Inject
    CoapGateway gateway;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    private static double temperature(Notification n) {
        return OcfCodec.get().decodeTree(n.body(), OcfFormat.JSON).path("temperature").asDouble(Double.NaN);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void changesDuringTheOutageLandAfterItAndTheLogSaysItOnce() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver()) {
            String sub = given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("resource_contentchanged"), "signingSecret", SECRET))
                    .post("/api/v1/devices/" + device.di() + "/temperature/subscriptions").then().statusCode(201)
                    .extract().path("subscriptionId");
            // The Target observes the resource shortly after sign-in: a change arrives once it does.
            awaitValue(receiver, sub, device, 30);

            List<LogCapture.Entry> log;
            Response refused;
            try (LogCapture capture = new LogCapture()) {
                RelayedDatabaseProfile.databaseReachable(false);
                Instant cut = Instant.now();
                try {
                    refused = awaitStatus(token, 503);
                    // A device reporting as devices do, a change every 50 ms (a burst within a millisecond is coalesced
                    // by the simulated device's own CoAP stack before it is sent).
                    for (int i = 1; i <= 20; i++) {
                        device.setTemperature(40 + i);
                        Thread.sleep(50);
                    }
                    awaitLine(capture, Level.WARNING, "device changes are held");
                    // The outage lasts its full length whatever happened already: the point is what it costs in the log.
                    while (Instant.now().isBefore(cut.plus(OUTAGE))) {
                        Response again = given().auth().oauth2(token).get("/api/v1/devices");
                        assertEquals(503, again.statusCode(), again.asString());
                        Thread.sleep(500);
                    }
                } finally {
                    RelayedDatabaseProfile.databaseReachable(true);
                }
                Notification last;
                try {
                    last = receiver.await(n -> sub.equals(n.subscriptionId()) && temperature(n) == 60, Duration.ofSeconds(30));
                } catch (AssertionError e) {
                    throw new AssertionError("the last value never notified; notified: "
                            + receiver.all().stream().map(n -> n.sequenceNumber() + "=" + temperature(n)).toList(), e);
                }
                assertTrue(last.signedWith(SECRET));
                awaitStatus(token, 200);
                log = List.copyOf(capture.entries());
            }

            assertNotNull(refused.header("Retry-After"), "503 with Retry-After");
            assertTrue(Integer.parseInt(refused.header("Retry-After")) > 0);
            String reason = refused.asString();
            assertTrue(reason.length() < 120 && !reason.contains("Exception") && !reason.contains("Error id"), reason);

            com.fasterxml.jackson.databind.JsonNode twin = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    given().auth().oauth2(token).accept("application/json").get("/api/v1/devices/" + device.di() + "?content=all")
                            .then().statusCode(200).extract().asString());
            double held = Double.NaN;
            for (com.fasterxml.jackson.databind.JsonNode l : twin.get("links")) {
                if (l.get("href").asText().equals("/" + device.di() + "/temperature")) {
                    held = l.at("/rep/temperature").asDouble();
                }
            }
            assertEquals(60.0, held, 0.0, "the twin holds the last value: " + twin);

            StringBuilder all = new StringBuilder();
            log.forEach(e -> all.append('\n').append(e));
            for (LogCapture.Entry e : log) {
                assertTrue(!e.stackTrace(), "no stack trace in the log during the outage:" + all);
                assertTrue(e.level().intValue() < Level.SEVERE.intValue(), "no ERROR during the outage:" + all);
            }
            Map<String, Integer> warningsByLogger = new HashMap<>();
            log.stream().filter(e -> e.level().intValue() >= Level.WARNING.intValue())
                    .forEach(e -> warningsByLogger.merge(e.logger() + ": " + e.message().replaceAll("[0-9a-f-]{36}|\\d+", "#"), 1, Integer::sum));
            warningsByLogger.forEach((line, n) -> assertEquals(1, n, "said once, not per run or per call: " + line + all));
            assertEquals(1, log.stream().filter(e -> e.message().contains("device changes are held")).count(), all.toString());
            assertTrue(log.stream().anyMatch(e -> e.level().intValue() == Level.INFO.intValue() && e.message().contains("held meanwhile are stored")), all.toString());
        } finally {
            RelayedDatabaseProfile.databaseReachable(true);
            device.shutdown();
        }
    }

    /**
     * The outage arrives between a transaction's last statement and its commit: the commit fails, and what it throws
     * (the transaction manager keeps the driver's failure as a suppressed exception, not as the cause) still reads as
     * the database being unreachable, so a call caught there is a 503 and a background job's line is the outage's one.
     * CI caught this as an ERROR with a stack trace for GET /api/v1/devices on PostgreSQL.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void aCommitCutOffByTheOutageIsAnOutageNotAFault() {
        RuntimeException thrown = null;
        // The cut closes the relay's sockets; now and then a commit still finds its connection usable (the pool handed
        // out one the cut did not reach), so the precondition, "this commit failed", is tried for a few times.
        for (int attempt = 1; attempt <= 5 && thrown == null; attempt++) {
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    PublishedLink.count();
                    RelayedDatabaseProfile.databaseReachable(false);
                });
            } catch (RuntimeException e) {
                thrown = e;
            } finally {
                RelayedDatabaseProfile.databaseReachable(true);
            }
        }
        // The cut also broke the idle connections in the pool; the daemon finds each out on its next use (a 503,
        // which the other test proves it recovers from). Not this test's subject: the next test starts on a clean pool
        // (the PostgreSQL CI run met one of them in the other test's first token request).
        dataSource.flush(io.agroal.api.AgroalDataSource.FlushMode.ALL);
        assertNotNull(thrown, "a commit over a cut connection failed");
        StringBuilder chain = new StringBuilder();
        DatabaseOutage.related(thrown).forEach(t -> chain.append("\n  ").append(t));
        assertTrue(DatabaseOutage.is(thrown), "read as an outage:" + chain);
    }

    private static void awaitValue(EventReceiver receiver, String sub, SimulatedDevice device, double value) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (receiver.all().stream().noneMatch(n -> sub.equals(n.subscriptionId()) && temperature(n) == value)) {
            if (Instant.now().isAfter(deadline)) {
                fail("the Target never observed the temperature");
            }
            device.setTemperature(value - 1);
            device.setTemperature(value);
            Thread.sleep(200);
        }
    }

    private static Response awaitStatus(String token, int status) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Response last = null;
        while (Instant.now().isBefore(deadline)) {
            last = given().auth().oauth2(token).get("/api/v1/devices");
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(200);
        }
        fail("GET /api/v1/devices never answered " + status + "; last " + (last == null ? "none" : last.statusCode() + " " + last.asString()));
        return last;
    }

    private static void awaitLine(LogCapture capture, Level level, String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (capture.entries().stream().anyMatch(e -> e.level().intValue() == level.intValue() && e.message().contains(text))) {
                return;
            }
            Thread.sleep(100);
        }
        fail("no " + level + " line with \"" + text + "\"; got:" + capture.entries());
    }
}
