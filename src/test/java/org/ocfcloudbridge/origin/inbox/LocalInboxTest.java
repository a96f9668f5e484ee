package org.ocfcloudbridge.origin.inbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.LocalInbox;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.OriginSubscription;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.OriginLinks;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One daemon running both roles, its Origin linked to its own Target: the Target hands each notification to the
 * Origin's inbox in process, with the same checks and answers as the inbox's POST, and only for subscriptions that
 * inbox knows.
 */
@QuarkusTest
class LocalInboxTest {

    @Inject
    CoapGateway gateway;

    @Inject
    LocalInbox inbox;

    @Inject
    DataCipher cipher;

    @Inject
    MeterRegistry metrics;

    private double handedOver() {
        return metrics.counter("bridge.notifications.in.process").count();
    }

    @Test
    void aDeviceChangeReachesThisDaemonsOwnOriginWithoutAnHttpPost() throws Exception {
        OriginLinks.withSettledLink(gateway.tcpPort(), l -> {
            UUID link = UUID.fromString(l.link());
            double before = handedOver();
            l.device().setTemperature(31.5);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (QuarkusTransaction.requiringNew().call(() -> VendorEvent.count("linkId = ?1 and deviceId = ?2 and type = 'content.changed'"
                    + " and payload like ?3", link, l.device().di(), "%31.5%")) == 0) {
                assertTrue(System.nanoTime() < end, "the change never became a vendor event");
                Thread.sleep(20);
            }
            assertTrue(handedOver() > before, "the notification was handed over in process");
        });
    }

    @Test
    void theHandoffAnswersAsTheInboxPostWould() throws Exception {
        OriginLinks.withSettledLink(gateway.tcpPort(), l -> {
            OriginSubscription devicesLevel = OriginLinks.devicesLevel(l.link());
            String url = OriginLinks.base() + "/inbox/" + devicesLevel.id;
            String secret = cipher.open(devicesLevel.secret);
            String sub = devicesLevel.targetId.toString();
            long next = QuarkusTransaction.requiringNew().call(
                    () -> OriginSubscription.<OriginSubscription>findById(devicesLevel.id)).lastSeq + 1;
            long now = Instant.now().getEpochSecond();
            byte[] online = ("[{\"di\":\"" + l.device().di() + "\"}]").getBytes(StandardCharsets.UTF_8);
            String signed = EventSignature.sign(secret, "application/json", "devices_online", sub, next, now, online);

            LocalInbox.Answer forged = answer(url, new LocalInbox.Notification("devices_online", sub, next, now, "0".repeat(64),
                    "application/json", online));
            assertEquals(400, forged.status());
            assertEquals("bad signature", forged.reason());
            LocalInbox.Answer stale = answer(url, new LocalInbox.Notification("devices_online", sub, next, now - 3600,
                    EventSignature.sign(secret, "application/json", "devices_online", sub, next, now - 3600, online),
                    "application/json", online));
            assertEquals(400, stale.status(), stale.reason());

            LocalInbox.Notification good = new LocalInbox.Notification("devices_online", sub, next, now, signed, "application/json", online);
            assertEquals(new LocalInbox.Answer(200, "ok"), answer(url, good));
            assertEquals(next, QuarkusTransaction.requiringNew().call(
                    () -> OriginSubscription.<OriginSubscription>findById(devicesLevel.id)).lastSeq, "applied");
            assertEquals(new LocalInbox.Answer(200, "already processed"), answer(url, good), "a resend is not applied twice");
        });
    }

    /**
     * Only what this daemon's Origin holds is taken: another host's address, an inbox id it does not know (another
     * daemon given the same public URL by mistake) or another Target subscription's notification go out over HTTP.
     */
    @Test
    void aNotificationForAnInboxThisDaemonDoesNotHoldGoesOutOverHttp() throws Exception {
        OriginLinks.withSettledLink(gateway.tcpPort(), l -> {
            OriginSubscription devicesLevel = OriginLinks.devicesLevel(l.link());
            String sub = devicesLevel.targetId.toString();
            LocalInbox.Notification n = new LocalInbox.Notification("devices_online", sub, 1, Instant.now().getEpochSecond(),
                    "0".repeat(64), "application/json", "[]".getBytes(StandardCharsets.UTF_8));
            assertNull(inbox.offer("http://elsewhere.example:8081/inbox/" + devicesLevel.id, n), "another host");
            assertNull(inbox.offer(OriginLinks.base() + "/inbox/" + UUID.randomUUID(), n), "an inbox not held here");
            assertNull(inbox.offer(OriginLinks.base() + "/inbox/" + devicesLevel.id + "/x", n), "not an inbox address");
            assertNull(inbox.offer(OriginLinks.base() + "/inbox/" + devicesLevel.id, new LocalInbox.Notification("devices_online",
                    UUID.randomUUID().toString(), 1, n.eventTimestamp(), n.signature(), n.contentType(), n.body())),
                    "another Target subscription's notification");
            assertNotNull(inbox.offer(OriginLinks.base() + "/inbox/" + devicesLevel.id, n), "this daemon's own inbox");
        });
    }

    private LocalInbox.Answer answer(String url, LocalInbox.Notification n) throws Exception {
        java.util.concurrent.CompletionStage<LocalInbox.Answer> a = inbox.offer(url, n);
        assertNotNull(a, "taken in process");
        return a.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
