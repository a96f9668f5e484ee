package org.ocfcloudbridge.origin;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.LinkRequest;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Vendor events and link requests do not pile up: the sweep deletes events past the retention that no webhook
 * delivery waits for, and link requests an hour after they expired; everything else stays.
 */
@QuarkusTest
class OriginSweepTest {

    @Inject
    OriginSweeper sweeper;

    @Inject
    OriginConfig config;

    @Test
    void oldDeliveredEventsOldDeadLettersAndExpiredLinkRequestsGoTheRestStays() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime old = now.minus(config.eventRetention()).minusHours(1);
        long delivered = event(old);
        long waiting = event(old);
        long dead = event(old);
        long longDead = event(old);
        long recent = event(now.minus(config.eventRetention()).plusHours(1));
        long waitingDelivery = delivery(waiting, null);
        delivery(dead, now.minusDays(1));
        long longDeadDelivery = delivery(longDead, now.minus(config.deadLetterRetention()).minusHours(1));
        String expiredLongAgo = linkRequest(now.minus(OriginSweeper.LINK_REQUEST_MEMORY).minusMinutes(5));
        String expiredJustNow = linkRequest(now.minusMinutes(5));
        String pending = linkRequest(now.plus(config.linkTimeout()));

        // No count: the scheduled sweep may have taken some of these rows first; what is left is what matters.
        sweeper.sweep(now);
        assertNull(find(delivered), "an old event no webhook waits for is gone");
        assertNotNull(find(waiting), "an old event a delivery still holds stays");
        WebhookDelivery orphan = QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.findById(waitingDelivery));
        assertNotNull(orphan.deadAt, "a delivery to a webhook no longer configured dies once its time is up");
        assertEquals("the webhook is no longer configured", orphan.lastError);
        assertNotNull(find(dead), "a dead letter keeps its event, for the operator to retry");
        assertNull(QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.findById(longDeadDelivery)),
                "a dead letter past its retention is gone");
        assertNull(find(longDead), "and its event with it");
        assertNotNull(find(recent), "an event within the retention stays, for the stream to replay");
        assertNull(request(expiredLongAgo));
        assertNotNull(request(expiredJustNow), "a state just expired is still told apart as expired");
        assertNotNull(request(pending));

        QuarkusTransaction.requiringNew().run(() -> WebhookDelivery.deleteById(waitingDelivery));
        sweeper.sweep(now);
        assertNull(find(waiting), "once its delivery is done, it goes too");
        assertNotNull(find(dead));
        assertNotNull(find(recent));
    }

    private static long event(OffsetDateTime at) {
        return QuarkusTransaction.requiringNew().call(() -> {
            VendorEvent e = new VendorEvent();
            e.vendorUser = "sweep-" + UUID.randomUUID();
            e.linkId = UUID.randomUUID();
            e.type = "device.online";
            e.payload = "{}";
            e.createdAt = at;
            e.persist();
            return e.id;
        });
    }

    private static long delivery(long eventId, OffsetDateTime deadAt) {
        return QuarkusTransaction.requiringNew().call(() -> {
            WebhookDelivery d = new WebhookDelivery();
            // No webhook of that name is configured: the sender never picks it up, the row only has to exist.
            d.webhook = "sweep-test";
            d.eventId = eventId;
            d.attempts = 3;
            d.nextAttemptAt = OffsetDateTime.now(ZoneOffset.UTC).plus(Duration.ofDays(1));
            d.deadAt = deadAt;
            d.persist();
            return d.id;
        });
    }

    private static String linkRequest(OffsetDateTime expiresAt) {
        return QuarkusTransaction.requiringNew().call(() -> {
            LinkRequest r = new LinkRequest();
            r.state = UUID.randomUUID().toString();
            r.cloudName = "sweep-test";
            r.vendorUser = "sweep-test";
            r.codeVerifier = "v".repeat(43);
            r.expiresAt = expiresAt;
            r.persist();
            return r.state;
        });
    }

    private static VendorEvent find(long id) {
        return QuarkusTransaction.requiringNew().call(() -> VendorEvent.findById(id));
    }

    private static LinkRequest request(String state) {
        return QuarkusTransaction.requiringNew().call(() -> LinkRequest.findById(state));
    }
}
