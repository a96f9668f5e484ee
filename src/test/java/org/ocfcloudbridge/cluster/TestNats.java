package org.ocfcloudbridge.cluster;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The NATS server of the cluster tests: {@code BRIDGE_TEST_NATS_URL}, which {@code bin/test --postgresql} sets beside
 * its PostgreSQL (cluster mode needs PostgreSQL, so the cluster tests run in that run); or one of a test's own, from
 * {@code scripts/nats-test-server.sh}.
 */
final class TestNats {

    static final String URL_VARIABLE = "BRIDGE_TEST_NATS_URL";

    private TestNats() {
    }

    static Optional<String> sharedUrl() {
        return Optional.ofNullable(System.getenv(URL_VARIABLE)).filter(u -> !u.isBlank());
    }

    /** Cluster mode needs the PostgreSQL build and a NATS server: both are there in {@code bin/test --postgresql}. */
    static boolean clusterModeCanRun() {
        return sharedUrl().isPresent() && "postgresql".equalsIgnoreCase(System.getProperty("quarkus.datasource.db-kind"));
    }

    /**
     * Another instance, as far as the bus goes: a {@link ClusterBus} of the test's own on the run's server, with
     * {@code subscriptions} made before it connects (so none misses a message sent once it is connected).
     */
    static ClusterBus anotherInstance(java.util.function.Consumer<ClusterBus> subscriptions) {
        ClusterBus other = new ClusterBus(List.of(System.getenv(URL_VARIABLE)));
        subscriptions.accept(other);
        other.connect();
        Assertions.assertTrue(other.connected(), "the other instance is connected to " + System.getenv(URL_VARIABLE));
        return other;
    }

    /** A server of the test's own (it can stop and restart it); stop it with {@link Own#stop}. */
    static Own start(Path dir, int port) throws IOException, InterruptedException {
        String url = script("start", dir.toString(), Integer.toString(port)).strip();
        return new Own(dir, port, url);
    }

    record Own(Path dir, int port, String url) {
        void stop() throws IOException, InterruptedException {
            script("stop", dir.toString());
        }

        Own restart() throws IOException, InterruptedException {
            return start(dir, port);
        }
    }

    private static String script(String... args) throws IOException, InterruptedException {
        Path script = Path.of("scripts/nats-test-server.sh").toAbsolutePath();
        String[] command = new String[args.length + 1];
        command[0] = script.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Path out = Files.createTempFile("nats-script", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Assertions.assertTrue(p.waitFor(60, TimeUnit.SECONDS), "scripts/nats-test-server.sh " + args[0] + " did not finish");
            Assertions.assertEquals(0, p.exitValue(), "scripts/nats-test-server.sh " + String.join(" ", args) + " failed");
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits for a stated condition, failing with {@code what} when it does not hold in time. */
    static void await(String what, Duration atMost, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("not within " + atMost + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
