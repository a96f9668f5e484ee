package org.ocfcloudbridge.it;

import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.DaemonProcess;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's run command: the packaged daemon with the demo on prints what to open, and keeps it across a restart. */
class DemoIT {

    private static final Pattern READY = Pattern.compile("Demo ready\\. Open (\\S+)/ and sign in as \"demo\" with password \"([^\"]+)\"");

    private static int freePort(int not) throws Exception {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (s.getLocalPort() != not) {
                    return s.getLocalPort();
                }
            }
        }
    }

    private static DaemonProcess demo(Path work) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        int coap = freePort(d.httpPort());
        d.with("bridge.demo.enabled", "true").with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                .with("bridge.public-url", "http://localhost:" + d.httpPort()).start();
        d.awaitReady(Duration.ofSeconds(60));
        return d;
    }

    private static Matcher awaitReadyLine(DaemonProcess d) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            Matcher m = READY.matcher(d.output());
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the demo did not say it was ready:\n" + d.output());
    }

    @Test
    void theDemoSaysWhatToOpenAndKeepsItsUserAcrossARestart() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("demo-" + UUID.randomUUID());
        String password;
        try (DaemonProcess first = demo(work)) {
            Matcher m = awaitReadyLine(first);
            assertEquals("http://localhost:" + first.httpPort(), m.group(1));
            password = m.group(2);
            assertTrue(first.output().contains("Link an OCF Cloud: this-cloud"), first.output());
            // The page answers and offers the sign-in.
            assertTrue(first.get("/").contains("id=\"sign-in\""));
            first.stop();
        }
        try (DaemonProcess again = demo(work)) {
            Matcher m = awaitReadyLine(again);
            assertEquals(password, m.group(2), "the same demo user and password after a restart");
            assertFalse(again.output().contains("Exception"), again.output());
        }
    }
}
