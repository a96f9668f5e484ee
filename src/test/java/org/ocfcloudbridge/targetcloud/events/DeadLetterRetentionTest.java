package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.store.DeadLetter;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Dead letters are kept for operators as long as configured, then go: a receiver away for good fills no table. */
@QuarkusTest
class DeadLetterRetentionTest {

    @Inject
    DeadLetterSweeper sweeper;

    @Inject
    EventsConfig config;

    @Test
    void aDeadLetterPastItsRetentionIsDeletedAYoungerOneKept() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        long old = deadLetter(now.minus(config.deadLetterRetention()).minusMinutes(1));
        long young = deadLetter(now.minus(config.deadLetterRetention()).plusHours(1));

        sweeper.sweep(now);
        assertNull(find(old));
        assertNotNull(find(young));
    }

    /** A dead letter that died at {@code diedAt}, in its own transaction (the leader test uses it too). */
    static long deadLetter(OffsetDateTime diedAt) {
        return QuarkusTransaction.requiringNew().call(() -> {
            DeadLetter d = new DeadLetter();
            d.subscriptionId = UUID.randomUUID();
            d.ownerId = "retention-test";
            d.eventsUrl = "http://127.0.0.1:9/events";
            d.seq = 1;
            d.eventType = "devices_online";
            d.eventTimestamp = diedAt.toEpochSecond();
            d.body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            d.attempts = 10;
            d.createdAt = diedAt.minusDays(1);
            d.diedAt = diedAt;
            d.persist();
            return d.id;
        });
    }

    static DeadLetter find(long id) {
        return QuarkusTransaction.requiringNew().call(() -> DeadLetter.findById(id));
    }
}
