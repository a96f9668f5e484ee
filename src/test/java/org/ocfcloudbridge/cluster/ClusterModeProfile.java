package org.ocfcloudbridge.cluster;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * This daemon in cluster mode on the run's NATS server ({@code BRIDGE_TEST_NATS_URL}). Shared by the cluster tests so
 * that they share one start of the daemon.
 */
public class ClusterModeProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        // Test discovery asks for the overrides before @EnabledIf is read: without a NATS server the classes are
        // skipped, and must still load (the H2 run of CI failed at discovery on a Map.of with a null value).
        // Event streams and the notification outbox look in the database on their own only hourly here, so that an
        // event or a notification another instance committed, delivered here, proves the bus woke this instance.
        return TestNats.sharedUrl().map(url -> Map.of("bridge.cluster.nats-url", url, "bridge.origin.event-stream-poll", "1H",
                "bridge.events.poll-interval", "1H")).orElse(Map.of());
    }
}
