package org.ocfcloudbridge.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfcloudbridge.config.BridgeConfigException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ClusterBusTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void clusterModeOnTheEmbeddedH2IsRefusedInOneLineNamingTheKey() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> ClusterBus.verify(Optional.of(List.of("nats://127.0.0.1:4222")), "h2"));
        assertEquals("bridge.cluster.nats-url needs the PostgreSQL build (instances share its database); this build uses h2:"
                + " build with -Ppostgresql or leave bridge.cluster.nats-url out for a single instance", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void severalNatsUrlsAreTakenAndAnythingElseIsRefusedNamingTheKey() {
        assertEquals(List.of("nats://127.0.0.1:4222", "tls://10.0.0.2:4222"),
                ClusterBus.verify(Optional.of(List.of("nats://127.0.0.1:4222", " tls://10.0.0.2:4222")), "postgresql"));
        for (String bad : new String[] {"http://127.0.0.1:4222", "127.0.0.1:4222", "nats://127.0.0.1:4222/path", "nats://"}) {
            BridgeConfigException e = assertThrows(BridgeConfigException.class,
                    () -> ClusterBus.verify(Optional.of(List.of(bad)), "postgresql"), bad);
            assertTrue(e.getMessage().startsWith("bridge.cluster.nats-url must be nats://host:port"), e.getMessage());
        }
        assertThrows(BridgeConfigException.class, () -> ClusterBus.verify(Optional.of(List.of(" ")), "postgresql"));
    }

    @Test
    void credentialsInANatsUrlAreTakenButNeverShown() {
        assertEquals(List.of("nats://bridge:s3cret@10.0.0.2:4222"),
                ClusterBus.verify(Optional.of(List.of("nats://bridge:s3cret@10.0.0.2:4222")), "postgresql"));
        assertEquals("nats://***@10.0.0.2:4222", ClusterBus.redacted("nats://bridge:s3cret@10.0.0.2:4222"));
        assertEquals("tls://***@nats.example:4222", ClusterBus.redacted("tls://t0ken@nats.example:4222"));
        assertEquals("nats://10.0.0.2:4222", ClusterBus.redacted("nats://10.0.0.2:4222"));
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> ClusterBus.verify(Optional.of(List.of("http://bridge:s3cret@10.0.0.2:4222")), "postgresql"));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void withoutTheKeyTheDaemonIsOneInstanceAndTheBusDoesNothing() {
        assertEquals(List.of(), ClusterBus.verify(Optional.empty(), "h2"));
        ClusterBus single = new ClusterBus(List.of());
        AtomicInteger got = new AtomicInteger();
        single.subscribe(ClusterSubjects.SIGNING_KEYS, body -> got.incrementAndGet());
        single.whenMessagesMayHaveBeenMissed(got::incrementAndGet);
        single.publish(ClusterSubjects.SIGNING_KEYS, new byte[0]);
        single.close();
        assertFalse(single.enabled());
        assertFalse(single.connected());
        assertEquals(0, got.get());
    }

    /** CI's PostgreSQL run always has a NATS server: the cluster tests must not be skipped quietly there. */
    @Test
    void theClusterTestsRunInThePostgresqlRun() {
        if ("PostgreSQL".equals(System.getenv("BRIDGE_TEST_EXPECT_DATABASE"))) {
            assertTrue(TestNats.clusterModeCanRun(), TestNats.URL_VARIABLE + " is not set in the PostgreSQL run (bin/test --postgresql sets it)");
        }
    }

    @Test
    void aMessageReachesTheOtherInstancesAndNotItsSender() throws Exception {
        assumeTrue(TestNats.sharedUrl().isPresent(), TestNats.URL_VARIABLE + " not set (bin/test --postgresql sets it)");
        ClusterBus a = new ClusterBus(List.of(TestNats.sharedUrl().get()));
        ClusterBus b = new ClusterBus(List.of(TestNats.sharedUrl().get()));
        try {
            List<String> atA = new CopyOnWriteArrayList<>();
            List<String> atB = new CopyOnWriteArrayList<>();
            String subject = ClusterSubjects.PREFIX + "test." + a.instanceId();
            a.subscribe(subject, body -> atA.add(new String(body, StandardCharsets.UTF_8)));
            b.subscribe(subject, body -> atB.add(new String(body, StandardCharsets.UTF_8)));
            a.connect();
            b.connect();
            assertTrue(a.connected() && b.connected());
            assertFalse(a.instanceId().equals(b.instanceId()));

            a.publish(subject, "from a".getBytes(StandardCharsets.UTF_8));
            b.publish(subject, "from b".getBytes(StandardCharsets.UTF_8));
            TestNats.await("each instance has the other's message", WAIT, () -> atA.size() == 1 && atB.size() == 1);
            // A last message from each, so that a message handed back to its sender would have arrived by now.
            a.publish(subject, "last a".getBytes(StandardCharsets.UTF_8));
            b.publish(subject, "last b".getBytes(StandardCharsets.UTF_8));
            TestNats.await("the last messages", WAIT, () -> atA.size() == 2 && atB.size() == 2);
            assertEquals(List.of("from b", "last b"), atA);
            assertEquals(List.of("from a", "last a"), atB);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void anInstanceThatLostTheServerReconnectsAndDropsWhatItMayHaveMissed(@TempDir Path dir) throws Exception {
        assumeTrue(TestNats.sharedUrl().isPresent(), TestNats.URL_VARIABLE + " not set (bin/test --postgresql sets it)");
        TestNats.Own server = TestNats.start(dir.resolve("nats"), TestNats.freePort());
        ClusterBus a = new ClusterBus(List.of(server.url()));
        ClusterBus b = new ClusterBus(List.of(server.url()));
        try {
            AtomicInteger dropped = new AtomicInteger();
            List<String> atB = new CopyOnWriteArrayList<>();
            String subject = ClusterSubjects.PREFIX + "test." + a.instanceId();
            b.subscribe(subject, body -> atB.add(new String(body, StandardCharsets.UTF_8)));
            b.whenMessagesMayHaveBeenMissed(dropped::incrementAndGet);
            a.connect();
            b.connect();
            assertEquals(1, dropped.get(), "on the first connection");

            server.stop();
            TestNats.await("both see the server gone", WAIT, () -> !a.connected() && !b.connected());
            server = server.restart();
            TestNats.await("both reconnected", Duration.ofSeconds(30), () -> a.connected() && b.connected());
            TestNats.await("the instance dropped what it may have missed", WAIT, () -> dropped.get() == 2);

            // Subscriptions survive the reconnection.
            // (Sent until one arrives: the client resubscribes right after it reconnects, not before.)
            TestNats.await("a message after the reconnection", WAIT, () -> {
                a.publish(subject, "after".getBytes(StandardCharsets.UTF_8));
                return atB.contains("after");
            });
        } finally {
            a.close();
            b.close();
            server.stop();
        }
    }
}
