package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.cluster.Instances;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled sweeps run once per cluster (issue 14): on the leader, the live instance with the smallest id. The dead-letter
 * sweep stands for them all (the identity and Origin sweeps and the reconcile have the same guard): while an instance
 * with a smaller id lives it leaves an expired dead letter alone; once that instance is gone it deletes it.
 */
@QuarkusTest
class SweepsRunOnTheLeaderOnlyTest {

    /** Sorts before every random UUID: the leader while it lives. */
    static final String SMALLER = "00000000-0000-0000-0000-000000000000";

    @Inject
    Instances instances;

    @Inject
    DeadLetterSweeper sweeper;

    @Inject
    EventsConfig config;

    @Inject
    EntityManager em;

    @AfterEach
    void noFakeInstanceLeft() {
        QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, SMALLER).executeUpdate());
    }

    void waitForLeader(boolean expected) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (instances.leader() != expected) {
            assertTrue(System.nanoTime() < end, "the heartbeat sees the leader change");
            Thread.sleep(50);
        }
    }

    @Test
    void theDeadLetterSweepRunsOnlyOnTheLeader() throws Exception {
        assertTrue(instances.leader(), "alone on the database, this instance leads");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                .setParameter(1, SMALLER).setParameter(2, now).setParameter(3, now.plusHours(1)).executeUpdate());
        waitForLeader(false);
        long old = DeadLetterRetentionTest.deadLetter(now.minus(config.deadLetterRetention()).minusDays(1));

        sweeper.scheduled();
        assertNotNull(DeadLetterRetentionTest.find(old), "not the leader: the other instance sweeps");

        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "UPDATE bridge_instance SET lease_until = ?1 WHERE id = ?2")
                .setParameter(1, now.minusMinutes(1)).setParameter(2, SMALLER).executeUpdate());
        waitForLeader(true);
        assertFalse(instances.live().contains(SMALLER));
        sweeper.scheduled();
        assertNull(DeadLetterRetentionTest.find(old), "the leader once the other's lease ran out");
    }
}
