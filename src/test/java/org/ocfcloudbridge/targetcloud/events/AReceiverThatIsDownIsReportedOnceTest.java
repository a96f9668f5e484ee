package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.EventReceiver;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receiver that refuses notifications for a while: the log says so once when its deliveries start failing (not per
 * retry) and once when they succeed again, and the notifications held meanwhile arrive in order.
 */
@QuarkusTest
class AReceiverThatIsDownIsReportedOnceTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Inject
    CoapGateway gateway;

    @Test
    void oneWarningWhenDeliveriesStartFailingAndOneLineWhenTheyRecover() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try (EventReceiver receiver = new EventReceiver(); LogCapture log = new LogCapture()) {
            String sub = given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("eventsUrl", receiver.url(), "eventTypes", List.of("resource_contentchanged"), "signingSecret", SECRET))
                    .post("/api/v1/devices/" + device.di() + "/temperature/subscriptions").then().statusCode(201)
                    .extract().path("subscriptionId");
            receiver.await(EventReceiver.of(sub, "resource_contentchanged"), Duration.ofSeconds(10));
            receiver.answerFor(sub, 503);
            device.setTemperature(31);
            // Several retries (200 ms backoff in tests, up to 1 s) of the one notification.
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (receiver.postsFor(sub).size() < 5 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertTrue(receiver.postsFor(sub).size() >= 5, "retried: " + receiver.postsFor(sub).size());
            receiver.answerFor(sub, 200);
            receiver.await(EventReceiver.of(sub, "resource_contentchanged"), Duration.ofSeconds(10));
            long recovered = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (log.entries().stream().noneMatch(e -> e.message().contains(sub) && e.message().contains("again"))
                    && System.nanoTime() < recovered) {
                Thread.sleep(50);
            }

            List<LogCapture.Entry> about = log.entries().stream().filter(e -> e.message().contains(sub)).toList();
            List<LogCapture.Entry> warnings = about.stream().filter(e -> e.level().intValue() >= Level.WARNING.intValue()).toList();
            List<LogCapture.Entry> infos = about.stream().filter(e -> e.level().intValue() == Level.INFO.intValue()).toList();
            assertEquals(1, warnings.size(), "one WARN when it starts failing, not one per retry: " + about);
            assertTrue(warnings.get(0).message().contains("HTTP 503") && warnings.get(0).message().contains("127.0.0.1"),
                    warnings.get(0).message());
            assertTrue(!warnings.get(0).message().contains("/events"), "the receiver's path stays out of the log");
            assertEquals(1, infos.size(), "one line when it recovers: " + about);
            assertTrue(infos.get(0).message().contains("again"), infos.get(0).message());
        } finally {
            device.shutdown();
        }
    }
}
