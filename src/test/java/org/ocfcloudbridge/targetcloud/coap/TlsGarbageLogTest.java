package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.LogCapture;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Garbage on the TLS port costs its sender a closed connection and the log at most a short line a minute. */
@QuarkusTest
class TlsGarbageLogTest {

    @Inject
    CoapGateway gateway;

    @Test
    void twoHundredGarbageConnectionsLogAFewShortLinesWithoutThePeersBytes() throws Exception {
        Random random = new Random(11);
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 200; i++) {
                byte[] garbage = new byte[4096];
                random.nextBytes(garbage);
                // Half look like a TLS handshake record (0x16 0x03 0x03) with nonsense inside, half are not TLS at all.
                garbage[0] = (byte) (i % 2 == 0 ? 0x16 : 0x47);
                if (i % 2 == 0) {
                    garbage[1] = 3;
                    garbage[2] = 3;
                    // A whole record (200 bytes), so that TLS reads it rather than waiting for the rest.
                    garbage[3] = 0;
                    garbage[4] = (byte) 200;
                }
                assertClosedAfter(garbage);
            }
            assertEquals(200, given().get("/q/health/ready").statusCode());
            List<LogCapture.Entry> shown = log.atLeast(Level.INFO).stream()
                    .filter(e -> e.logger().startsWith("org.eclipse.californium") || e.logger().startsWith("io.netty")
                            || e.logger().startsWith("org.ocfcloudbridge.targetcloud.coap"))
                    .toList();
            assertTrue(shown.size() <= 3, "at most a few lines, got " + shown.size() + ": " + shown);
            for (LogCapture.Entry e : shown) {
                assertTrue(e.line().length() < 300, "a short line: " + e.line().length() + " chars");
                assertTrue(!e.thrown(), "no stack trace: " + e.line());
            }
        }
    }

    private void assertClosedAfter(byte[] garbage) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gateway.tlsPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            try {
                out.write(garbage);
                out.flush();
                byte[] sink = new byte[8192];
                while (in.read(sink) >= 0) {
                    // a TLS alert may come before the close
                }
            } catch (SocketException reset) {
                // closed under our write or read: also a close
            }
        }
    }
}
