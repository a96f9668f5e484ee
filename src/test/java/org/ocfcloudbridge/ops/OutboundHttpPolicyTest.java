package org.ocfcloudbridge.ops;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.origin.console.Demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound address policy where it counts: in the real HTTP client, as it connects. A server on loopback counts
 * every connection made to it; with the default policy none may arrive, whatever the spelling of its address. Nothing
 * leaves the machine: refused addresses elsewhere are refused before any connection, and names are looked up only in
 * /etc/hosts and at a DNS server on loopback where nothing answers.
 */
class OutboundHttpPolicyTest {

    static Vertx vertx;
    static ServerSocket server;
    static final AtomicInteger connections = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
                .setServers(List.of("127.0.0.1:9")).setQueryTimeout(1000)));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    InputStream in = s.getInputStream();
                    in.read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }
        }, "loopback-recorder");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static OutboundHttp client(String... allowed) {
        OutboundConfig config = () -> Optional.of(List.of(allowed));
        Demo.DemoConfig demo = new Demo.DemoConfig() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public String user() {
                return "demo";
            }

            @Override
            public int devices() {
                return 0;
            }
        };
        return new OutboundHttp(vertx, new OutboundPolicy(config, demo, vertx));
    }

    static String refusal(OutboundHttp http, String url) {
        OutboundHttp.Refused e = assertThrows(OutboundHttp.Refused.class,
                () -> http.sendAndWait(null, "POST", url, Map.of("Content-Type", "application/json"), "{}".getBytes(),
                        Duration.ofSeconds(5)), url);
        return e.getMessage();
    }

    @Test
    void noSpellingOfALoopbackAddressReachesTheServerUnderTheDefaultPolicy() {
        int port = server.getLocalPort();
        OutboundHttp http = client();
        int before = connections.get();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("http://127.0.0.1:" + port + "/api/admin/users", "127.0.0.1 resolves to a loopback address, refused by"
                + " the outbound address policy (bridge.outbound.allowed-networks)");
        expected.put("http://0.0.0.0:" + port + "/", "resolves to an unspecified address");
        expected.put("http://2130706433:" + port + "/", "spells an IPv4 address other than in dotted decimal");
        expected.put("http://0x7f.1:" + port + "/", "spells an IPv4 address other than in dotted decimal");
        expected.put("http://017700000001:" + port + "/", "spells an IPv4 address other than in dotted decimal");
        expected.put("http://127.1:" + port + "/", "spells an IPv4 address other than in dotted decimal");
        expected.put("http://user:pass@127.0.0.1:" + port + "/", "holds user information (user:password@)");
        expected.put("http://user@0x7f.1:" + port + "/", "holds user information (user:password@)");
        expected.put("http://[::ffff:127.0.0.1]:" + port + "/", "resolves to an IPv4-mapped form of a loopback address");
        expected.put("http://[::ffff:7f00:1]:" + port + "/", "resolves to an IPv4-mapped form of a loopback address");
        expected.put("http://[::127.0.0.1]:" + port + "/", "resolves to an IPv4-compatible form of a loopback address");
        expected.put("http://[::1]:" + port + "/", "resolves to a loopback address");
        expected.put("http://localhost:" + port + "/", "localhost resolves to a loopback address");
        expected.put("http://LOCALHOST.:" + port + "/", "resolves to a loopback address");
        expected.forEach((url, why) -> {
            String message = refusal(http, url);
            assertTrue(message.contains(why), url + ": " + message);
        });
        assertEquals(before, connections.get(), "the loopback server was called");
    }

    @Test
    void addressesElsewhereAreRefusedBeforeAnyConnection() {
        OutboundHttp http = client();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "a link-local address");
        expected.put("http://[fd00:ec2::254]/latest/meta-data/", "a unique-local address");
        expected.put("http://10.0.0.1/", "a private (RFC 1918) address");
        expected.put("http://192.168.0.1:8080/", "a private (RFC 1918) address");
        expected.put("http://100.100.100.200/latest/meta-data/", "a shared (RFC 6598) address");
        expected.put("https://[::ffff:169.254.169.254]/", "an IPv4-mapped form of a link-local address");
        expected.put("http://224.0.0.1/", "a multicast address");
        expected.put("http://255.255.255.255/", "a broadcast address");
        // Not in /etc/hosts, and the only DNS server (on loopback) does not answer: unresolvable is refused too.
        expected.put("http://metadata.google.internal/computeMetadata/v1/", "does not resolve to an address");
        expected.forEach((url, why) -> {
            String message = refusal(http, url);
            assertTrue(message.contains(why), url + ": " + message);
        });
    }

    @Test
    void allowedNetworksLetTheSameCallsThrough() {
        int port = server.getLocalPort();
        OutboundHttp http = client("127.0.0.0/8", "::1/128");
        int before = connections.get();
        for (String url : List.of("http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/",
                "http://[::ffff:127.0.0.1]:" + port + "/")) {
            assertEquals(204, http.sendAndWait(null, "POST", url, Map.of(), new byte[0], Duration.ofSeconds(5)).status(), url);
        }
        assertEquals(before + 3, connections.get());
        // Opening loopback opens neither the unspecified address nor odd spellings of loopback.
        assertTrue(refusal(http, "http://0.0.0.0:" + port + "/").contains("an unspecified address"));
        assertTrue(refusal(http, "http://2130706433:" + port + "/").contains("dotted decimal"));
        assertTrue(refusal(http, "http://10.0.0.1/").contains("a private (RFC 1918) address"));
    }
}
