package org.ocfcloudbridge.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ocfcloudbridge.testing.DaemonProcess;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad value stops the daemon with exit code 1 and one line that names the key: no stack trace. */
class BadConfigurationIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "bridge.coap.tcp-port  | 70000      | bridge.coap.tcp-port must be a TCP port between 0 and 65535",
            "bridge.coap.tls-port  | abc        | bridge.coap.tls-port has an invalid value \"abc\"",
            "bridge.coap.max-message-size | 100 | bridge.coap.max-message-size must be at least 1152",
            "bridge.events.max-in-flight  | 0   | bridge.events.max-in-flight must be between 1 and 4096",
            "bridge.coap.workers          | 0   | bridge.coap.workers must be between 1 and 4096",
            "bridge.identity.password-hash-iterations | 1e6 | bridge.identity.password-hash-iterations has an invalid value \"1e6\": expected a whole number",
            "bridge.public-url     | ftp://x    | bridge.public-url must be an absolute http:// or https:// URL",
            "bridge.target.enabled | ture       | bridge.target.enabled has an invalid value \"ture\": expected true or false",
            "bridge.coap.tls-port  | 5683       | bridge.coap.tls-port must differ from bridge.coap.tcp-port (both are 5683)",
            "bridge.coap.tcp-prot  | 1          | bridge.coap.tcp-prot is not a known setting",
            "bridge.data-dir       | /proc/nope | cannot use the database jdbc:h2:file:/proc/nope/bridge: Error while creating file",
            "bridge.outbound.allowed-networks | 10.0.0.1/8 | bridge.outbound.allowed-networks cannot be read: 10.0.0.1/8 has bits set beyond its prefix length (the network is 10.0.0.0/8)",
            "bridge.outbound.allowed-networks | localhost  | bridge.outbound.allowed-networks cannot be read: localhost is not an IPv4 or IPv6 network",
            "bridge.cluster.nats-url | nats://127.0.0.1:9 | bridge.cluster.nats-url needs the PostgreSQL build (instances share its database); this build uses h2",
    })
    void aBadValueStopsStartUpWithOneLineNamingTheKey(String key, String value, String expected) throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(DaemonProcess.workRoot().resolve("bad-" + UUID.randomUUID()))
                .with(key, value).start()) {
            int exit = daemon.awaitExit(Duration.ofSeconds(60));
            String out = daemon.output();
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, exit, out);
            assertEquals(1, lines.size(), "expected one line, got:\n" + out);
            assertTrue(lines.get(0).startsWith("ocf-cloud-bridge: cannot start: "), out);
            assertTrue(lines.get(0).contains(expected), "expected «" + expected + "» in:\n" + out);
            assertFalse(out.contains("\tat "), out);
        }
    }

    @Test
    void aWebhookAtAnAddressTheOutboundPolicyRefusesStopsStartUp() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(DaemonProcess.workRoot().resolve("hook-" + UUID.randomUUID()))
                .with("bridge.origin.webhooks.vendor.url", "http://169.254.169.254/hook")
                .with("bridge.origin.webhooks.vendor.secret", "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]))
                .start()) {
            assertStopsWithOneLine(daemon, "bridge.origin.webhooks.vendor.url resolves to a link-local address, refused by the"
                    + " outbound address policy (bridge.outbound.allowed-networks)");
        }
    }

    @Test
    void aTargetCloudWithNeitherApiUrlNorIssuerNamesApiUrlInOneLine() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(DaemonProcess.workRoot().resolve("api-url-" + UUID.randomUUID()))
                .with("bridge.target.enabled", "false")
                .with("bridge.origin.clouds.target.authorization-endpoint", "https://target.example.com/oauth2/authorize")
                .with("bridge.origin.clouds.target.token-endpoint", "https://target.example.com/oauth2/token")
                .with("bridge.origin.clouds.target.client-id", "origin")
                .start()) {
            assertStopsWithOneLine(daemon, "ocf-cloud-bridge: cannot start: bridge.origin.clouds.target.api-url is required when"
                    + " issuer is not set: the Target's Cloud API base URL, /api/v1 included");
        }
    }

    /** The TLS context is built on a thread of its own during start-up: its failure still stops the daemon, in one line. */
    @Test
    void aTlsCertificateFileThatIsNotPemIsNamedInOneLine() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("tls-" + UUID.randomUUID());
        Files.createDirectories(work);
        Path garbage = Files.writeString(work.resolve("not-a-certificate.pem"), "this is not a PEM file\n");
        try (DaemonProcess daemon = new DaemonProcess(work)
                .with("bridge.coap.tls.certificate", garbage.toString())
                .with("bridge.coap.tls.key", garbage.toString())
                .with("bridge.coap.tcp-port", "0").with("bridge.coap.tls-port", "0").start()) {
            assertStopsWithOneLine(daemon, "bridge.coap.tls.certificate cannot be used: " + garbage + " holds no PEM certificate");
        }
    }

    @Test
    void aCoapPortInUseIsNamedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"));
             DaemonProcess daemon = new DaemonProcess(DaemonProcess.workRoot().resolve("port-" + UUID.randomUUID()))
                     .with("bridge.coap.tcp-port", Integer.toString(taken.getLocalPort())).with("bridge.coap.tls-port", "0").start()) {
            assertStopsWithOneLine(daemon, "bridge.coap.tcp-port cannot listen on port " + taken.getLocalPort());
        }
    }

    /** Exit 1 with one line (start-up INFO lines aside) containing {@code expected}, and no stack trace. */
    private static void assertStopsWithOneLine(DaemonProcess daemon, String expected) throws Exception {
        int exit = daemon.awaitExit(Duration.ofSeconds(60));
        String out = daemon.output();
        List<String> lines = out.lines().filter(l -> !l.isBlank() && !l.contains(" INFO ")).toList();
        assertEquals(1, exit, out);
        assertEquals(1, lines.size(), "expected one line besides start-up INFO logs, got:\n" + out);
        assertTrue(lines.get(0).contains(expected), out);
        assertFalse(out.contains("\tat "), out);
    }
}
