package org.ocfcloudbridge.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.DaemonProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged daemon, started as the README says with nothing configured, keeps its H2 file database in ./data and
 * finds everything it wrote after a restart.
 */
class EmbeddedDefaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDaemonStartsOnEmbeddedDefaultsAndKeepsItsDataAcrossARestart() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("defaults-" + UUID.randomUUID());
        String firstSid;
        try (DaemonProcess daemon = new DaemonProcess(work).start()) {
            daemon.awaitReady(Duration.ofSeconds(60));
            JsonNode ready = JSON.readTree(daemon.get("/q/health/ready"));
            assertEquals("UP", ready.path("status").asText());
            JsonNode conf = JSON.readTree(daemon.get("/.well-known/ocf-cloud-configuration"));
            firstSid = conf.path("sid").asText();
            UUID.fromString(firstSid);
            assertEquals("coaps+tcp://localhost:5684", conf.path("cis").asText());
            assertTrue(conf.path("roles").path("target").asBoolean() && conf.path("roles").path("origin").asBoolean(),
                    "both roles are on by default: " + conf);
            int exit = daemon.stop();
            // 143 is how the JVM reports an exit on SIGTERM once its shutdown hooks have run.
            assertTrue(exit == 0 || exit == 143, "exit code " + exit + " on SIGTERM:\n" + daemon.output());
            assertTrue(daemon.output().contains("ocf-cloud-bridge stopped"), "no orderly shutdown:\n" + daemon.output());
        }
        assertTrue(Files.isRegularFile(work.resolve("data/bridge.mv.db")), "the H2 file lives under ./data");

        try (DaemonProcess again = new DaemonProcess(work).start()) {
            again.awaitReady(Duration.ofSeconds(60));
            JsonNode conf = JSON.readTree(again.get("/.well-known/ocf-cloud-configuration"));
            assertEquals(firstSid, conf.path("sid").asText(), "the cloud id changed across a restart");
            String log = again.output();
            assertFalse(log.contains("Exception"), "a clean second start logs no exception:\n" + log);
        }
    }

    @Test
    void anotherDataFolderIsAnotherCloud() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("datadir-" + UUID.randomUUID());
        Path elsewhere = work.resolve("var/lib/bridge");
        try (DaemonProcess daemon = new DaemonProcess(work).with("bridge.data-dir", elsewhere.toAbsolutePath().toString()).start()) {
            daemon.awaitReady(Duration.ofSeconds(60));
        }
        assertTrue(Files.isRegularFile(elsewhere.resolve("bridge.mv.db")), "the H2 file follows bridge.data-dir");
        assertFalse(Files.exists(work.resolve("data")), "nothing is written to the default folder");
    }
}
