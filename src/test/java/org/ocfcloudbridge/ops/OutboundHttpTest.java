package org.ocfcloudbridge.ops;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outbound calls end in time whatever the peer does: trickling an answer, or announcing a huge one. */
@QuarkusTest
class OutboundHttpTest {

    @Inject
    OutboundHttp http;

    /** A peer that reads the request, then answers with {@code head} and one byte every 300 ms. */
    static ServerSocket peer(String head) throws Exception {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                in.read(buf);
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 200; i++) {
                    Thread.sleep(300);
                    out.write('x');
                    out.flush();
                }
            } catch (Exception ignored) {
                // the client gave up: what the test wants
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aPeerTricklingItsAnswerIsCutOffAtTheDeadline() throws Exception {
        try (ServerSocket server = peer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
             org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture()) {
            long start = System.nanoTime();
            assertThrows(OutboundHttp.Unreachable.class, () -> http.sendAndWait(null, "GET",
                    "http://127.0.0.1:" + server.getLocalPort() + "/slow", Map.of(), null, Duration.ofSeconds(2)));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took < 6000, "gave up after " + took + " ms, though bytes kept coming");
            Thread.sleep(200);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("StreamResetException")),
                    "the cut is the caller's answer, not an error in the log: " + log.lines());
        }
    }

    @Test
    void anAnswerAnnouncedTooLargeIsRefused() throws Exception {
        try (ServerSocket server = peer("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n");
             org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture()) {
            assertThrows(OutboundHttp.Unreachable.class, () -> http.sendAndWait(null, "GET",
                    "http://127.0.0.1:" + server.getLocalPort() + "/huge", Map.of(), null, Duration.ofSeconds(10)));
            Thread.sleep(200);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("StreamResetException")),
                    "the refusal is the caller's answer, not an error in the log: " + log.lines());
        }
    }
}
