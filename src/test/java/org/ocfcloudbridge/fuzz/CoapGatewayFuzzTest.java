package org.ocfcloudbridge.fuzz;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated and mutated CoAP-over-TCP frames (RFC 8323 framing, options, OCF CBOR bodies) over real sockets to the
 * gateway, from a connection that never signed in and from one signed in as a device. After each frame a probe request
 * follows on the same connection; the case ends with the probe's answer or the connection's close ({@link Fuzz}
 * states the property).
 */
@QuarkusTest
class CoapGatewayFuzzTest {

    private static final int WORKERS = 4;
    private static final int PROBE_TIMEOUT_MILLIS = 10_000;
    private static final int SIGNED_IN = 0x44; // 2.04 Changed
    private static final int UNAUTHORIZED = 0x81; // 4.01

    @Inject
    CoapGateway gateway;

    @Inject
    DataSource db;

    @Test
    void framesFromAConnectionThatNeverSignedInAreAnsweredWithoutAServerError() throws Exception {
        CoapFrames.Identity nobody = new CoapFrames.Identity("u", UUID.randomUUID().toString(), "t", "r");
        run("coap-before-sign-in", i -> nobody, false, null);
    }

    @Test
    void framesFromASignedInDeviceAreAnsweredWithoutAServerError() throws Exception {
        String[] user = OAuthTestClient.newUser();
        CoapFrames.Identity[] devices = new CoapFrames.Identity[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            devices[i] = signUp(user);
        }
        run("coap-after-sign-in", i -> devices[i], true, () -> {
            try {
                return signUp(user);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aSignUpWithBytesAfterItsBodyIs400() throws Exception {
        // Issue 11 §6: "bf ff" and garbage behind it was read as an empty map.
        try (CloudConnection c = CloudConnection.open(uri(), false)) {
            var r = c.postRaw("/oic/sec/account", HexFormat.of().parseHex("bfff0102"), 10000);
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.BAD_REQUEST, r.getCode(), r.getResponseText());
            assertTrue(r.getResponseText().contains("bytes after"), r.getResponseText());
        }
    }

    @Test
    void anEmptyMessageWithBytesIsIgnoredWithoutAStackTrace() throws Exception {
        // Found by the fuzzer: Californium threw "Empty message contains 70 bytes payload!" and logged it with a stack trace.
        try (org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture();
             CoapFrames.Connection c = new CoapFrames.Connection(gateway.tcpPort(), PROBE_TIMEOUT_MILLIS)) {
            TreeMap<Integer, List<byte[]>> probe = new TreeMap<>();
            probe.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("res")));
            c.write(CoapFrames.frame(0, new byte[] {7}, CoapFrames.body(new TreeMap<>(), new byte[] {1, 2, 3}, false), -1));
            c.write(CoapFrames.frame(1, new byte[] {9, 9}, CoapFrames.body(probe, null, false), -1));
            CoapFrames.Frame f;
            while ((f = c.read()) != null && !Arrays.equals(f.token(), new byte[] {9, 9})) {
                assertTrue(f.code() >= 0xE0, "nothing but our CSM before the probe's answer: " + Integer.toHexString(f.code()));
            }
            assertEquals(UNAUTHORIZED, f == null ? -1 : f.code(), "the connection goes on");
            var logged = log.atLeast(java.util.logging.Level.WARNING).stream()
                    .filter(e -> e.logger().startsWith("org.eclipse.californium") || e.logger().startsWith("org.ocfcloudbridge.targetcloud")).toList();
            assertTrue(logged.isEmpty(), "nothing logged: " + logged);
        }
    }

    @Test
    void aSize2AboveTheSignedIntRangeIs402NotA500() throws Exception {
        // Found by the fuzzer: Californium keeps Size2 as an int, so ff ff ff ff became -1, and listing the request's
        // options in our handler threw ("Size2 value of 8 bytes"): 5.00 and a stack trace.
        String[] user = OAuthTestClient.newUser();
        CoapFrames.Identity device = signUp(user);
        TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
        o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("res")));
        o.put(28, List.of(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        assertAnsweredWithoutAStackTrace(device, CoapFrames.frame(1, new byte[] {5}, CoapFrames.body(o, null, false), -1), 0x82,
                "Size2");
    }

    @Test
    void aBlock1PayloadLargerThanItsBlockSizeIs400WithoutAStackTrace() throws Exception {
        // Found by the fuzzer: Californium threw "payload exceeds the blocksize" in its protocol stage (a stack trace
        // per request) and the device got no answer.
        TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
        o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("sec"), CoapFrames.text("account")));
        o.put(27, List.of(new byte[] {0x08})); // num 0, more blocks, 16 bytes each
        assertAnsweredWithoutAStackTrace(null, CoapFrames.frame(2, new byte[] {5}, CoapFrames.body(o, new byte[40], false), -1), 0x80,
                "exceeds the blocksize");
    }

    @Test
    void aBlock1WithSize1ZeroIs400WithoutAStackTrace() throws Exception {
        // Found by the fuzzer: Californium sized its reassembly buffer by Size1 and threw "max. size must not be 0!" in
        // its protocol stage (a stack trace per request), without an answer.
        TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
        o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("sec"), CoapFrames.text("account")));
        o.put(27, List.of(new byte[] {0x08})); // num 0, more blocks, 16 bytes each
        o.put(60, List.of(new byte[0])); // Size1 0
        assertAnsweredWithoutAStackTrace(null, CoapFrames.frame(2, new byte[] {5}, CoapFrames.body(o, new byte[16], false), -1), 0x80,
                "Size1 0");
    }

    @Test
    void aPublishFromADeviceDeregisteredUnderItsSessionIs404NotA500() throws Exception {
        // Found by the fuzzer: a device's row went away (another case deregistered it) while its session was open, and
        // its links' insert failed on the foreign key: 5.00 and a stack trace. The row is deleted here directly, as a
        // deregistration between the session check and the insert would leave it.
        CoapFrames.Identity device = signUp(OAuthTestClient.newUser());
        try (org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture();
             CoapFrames.Connection c = new CoapFrames.Connection(gateway.tcpPort(), PROBE_TIMEOUT_MILLIS)) {
            assertEquals(SIGNED_IN, Worker.signIn(c, device), "signed in");
            try (Connection sql = db.getConnection(); java.sql.PreparedStatement d = sql.prepareStatement("DELETE FROM device WHERE id = ?")) {
                d.setString(1, device.di());
                assertEquals(1, d.executeUpdate());
            }
            TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
            o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("rd")));
            o.put(12, List.of(CoapFrames.uint(10000)));
            com.fasterxml.jackson.databind.node.ObjectNode rd = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("di", device.di()).put("ttl", 0);
            com.fasterxml.jackson.databind.node.ObjectNode link = rd.putArray("links").addObject().put("href", "/switch");
            link.putArray("rt").add("oic.r.switch.binary");
            link.putArray("if").add("oic.if.a");
            c.write(CoapFrames.frame(2, new byte[] {6}, CoapFrames.body(o, OcfBodies.cbor(rd), false), -1));
            CoapFrames.Frame f;
            while ((f = c.read()) != null && !Arrays.equals(f.token(), new byte[] {6})) {
                // our CSM
            }
            assertTrue(f != null, "answered");
            assertEquals("84", Integer.toHexString(f.code()), new String(f.rest(), java.nio.charset.StandardCharsets.UTF_8));
            var logged = log.atLeast(java.util.logging.Level.WARNING).stream().filter(e -> e.stackTrace()
                    || e.level().intValue() >= java.util.logging.Level.SEVERE.intValue()).toList();
            assertTrue(logged.isEmpty(), "no stack trace: " + logged);
        }
    }

    @Test
    void aRequestWithAnOptionLongerThanItsDefinitionIsAnswered402() throws Exception {
        // Found by the fuzzer: Californium dropped such a request without an answer, and the device waited for one.
        TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
        o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("res")));
        o.put(17, List.of(new byte[] {1, 2, 3})); // Accept takes at most 2 bytes
        assertAnsweredWithoutAStackTrace(null, CoapFrames.frame(1, new byte[] {5}, CoapFrames.body(o, null, false), -1), 0x82,
                "Accept");
    }

    /** Sends the frame (signed in as the device, if one is given) and expects its answer, then the probe's. */
    void assertAnsweredWithoutAStackTrace(CoapFrames.Identity device, byte[] frame, int code, String diagnostic) throws Exception {
        try (org.ocfcloudbridge.testing.LogCapture log = new org.ocfcloudbridge.testing.LogCapture();
             CoapFrames.Connection c = new CoapFrames.Connection(gateway.tcpPort(), PROBE_TIMEOUT_MILLIS)) {
            if (device != null) {
                assertEquals(SIGNED_IN, Worker.signIn(c, device), "signed in");
            }
            TreeMap<Integer, List<byte[]>> probe = new TreeMap<>();
            probe.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("res")));
            c.write(frame);
            c.write(CoapFrames.frame(1, new byte[] {9, 9}, CoapFrames.body(probe, null, false), -1));
            CoapFrames.Frame answer = null;
            CoapFrames.Frame f;
            while ((f = c.read()) != null && !Arrays.equals(f.token(), new byte[] {9, 9})) {
                if (Arrays.equals(f.token(), new byte[] {5})) {
                    answer = f;
                }
            }
            assertTrue(answer != null, "the request is answered");
            String text = new String(answer.rest(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(Integer.toHexString(code), Integer.toHexString(answer.code()), text);
            assertTrue(text.contains(diagnostic), text);
            assertTrue(f != null, "the connection goes on");
            var logged = log.atLeast(java.util.logging.Level.WARNING).stream()
                    .filter(e -> e.logger().startsWith("org.eclipse.californium") || e.logger().startsWith("org.ocfcloudbridge")).toList();
            assertTrue(logged.isEmpty(), "nothing logged: " + logged);
        }
    }

    URI uri() {
        return URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort());
    }

    CoapFrames.Identity signUp(String[] user) throws Exception {
        SignUpRequest s = new SignUpRequest();
        s.di = UUID.randomUUID().toString();
        s.accesstoken = CloudApiUsers.deviceCode(user[0]);
        s.devicetype = "device";
        try (CloudConnection c = CloudConnection.open(uri(), false)) {
            SignUpResponse a = CloudConnection.decode(c.post("/oic/sec/account", s), SignUpResponse.class);
            return new CoapFrames.Identity(a.uid, s.di, a.accesstoken, a.refreshtoken);
        }
    }

    void run(String entry, java.util.function.IntFunction<CoapFrames.Identity> identity, boolean signIn,
             java.util.function.Supplier<CoapFrames.Identity> renew) throws Exception {
        String ready = "http://127.0.0.1:" + io.restassured.RestAssured.port + "/q/health/ready";
        Fuzz.Result r = Fuzz.run(entry, ready, WORKERS, 100, w -> new Worker(gateway.tcpPort(), identity.apply(w), signIn, renew),
                () -> counts("device", "device_link", "device_resource"));
        assertTrue(r.cases() >= Fuzz.expectedCases());
    }

    Map<String, Long> counts(String... tables) {
        return Fuzz.rowCounts(db, tables);
    }

    /** One connection: a frame, then the probe, per case; reconnects (and signs in again) after a close. */
    static final class Worker implements Fuzz.Worker {
        private final int port;
        private CoapFrames.Identity me;
        private final java.util.function.Supplier<CoapFrames.Identity> renew;
        private final boolean signIn;
        private CoapFrames.Connection c;
        private final byte[] probeToken = new byte[8];

        Worker(int port, CoapFrames.Identity me, boolean signIn, java.util.function.Supplier<CoapFrames.Identity> renew) {
            this.port = port;
            this.me = me;
            this.renew = renew;
            this.signIn = signIn;
        }

        private void connect(Random r) throws IOException {
            closeQuietly();
            c = new CoapFrames.Connection(port, PROBE_TIMEOUT_MILLIS);
            if (signIn) {
                int code = signIn(c, me);
                if (code == UNAUTHORIZED && renew != null) {
                    // A case deregistered the device or revoked its token (valid requests, by chance): a new one.
                    me = renew.get();
                    connect(r);
                    return;
                }
                if (code != SIGNED_IN) {
                    throw new IOException("sign-in refused: " + Integer.toHexString(code));
                }
            }
        }

        /** Signs the connection in as the device; the answer's code, or -1 when the connection closed. */
        static int signIn(CoapFrames.Connection c, CoapFrames.Identity me) throws IOException {
            SessionRequest s = new SessionRequest();
            s.uid = me.uid();
            s.di = me.di();
            s.accesstoken = me.accessToken();
            s.login = true;
            TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
            o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("sec"), CoapFrames.text("session")));
            o.put(12, List.of(CoapFrames.uint(10000)));
            byte[] token = {1, 2, 3, 4};
            c.write(CoapFrames.frame(2, token, CoapFrames.body(o, OcfCodec.get().encode(s, OcfFormat.OCF_CBOR), false), -1));
            CoapFrames.Frame f;
            while ((f = c.read()) != null) {
                if (Arrays.equals(f.token(), token)) {
                    return f.code();
                }
            }
            return -1;
        }

        @Override
        public void run(Random r, int n, Fuzz.Tally tally) throws IOException {
            for (int i = 0; i < n; i++) {
                if (c == null) {
                    connect(r);
                }
                String id = tally.next();
                byte[] frame = CoapFrames.generate(r, me);
                r.nextBytes(probeToken);
                if (tally.skip(id)) {
                    continue;
                }
                TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
                o.put(11, List.of(CoapFrames.text("oic"), CoapFrames.text("res")));
                byte[] probe = CoapFrames.frame(1, probeToken, CoapFrames.body(o, null, false), -1);
                byte[] both = Arrays.copyOf(frame, frame.length + probe.length);
                System.arraycopy(probe, 0, both, frame.length, probe.length);
                String shown = id + " (frame " + HexFormat.of().formatHex(frame) + ")";
                tally.sending(shown);
                try {
                    c.write(both);
                } catch (IOException closed) {
                    // closed under our write: read what came before the close
                }
                boolean accepted = false;
                boolean failed = false;
                CoapFrames.Frame f;
                try {
                    while ((f = c.read()) != null) {
                        if (f.code() >= 0xA0 && f.code() < 0xC0) {
                            tally.fail("5.xx " + (f.code() >>> 5) + "." + String.format("%02d", f.code() & 31) + " "
                                    + new String(f.rest(), java.nio.charset.StandardCharsets.UTF_8).replaceAll("[^ -~]", "?")
                                    + " <- " + shown);
                            failed = true;
                        }
                        if (Arrays.equals(f.token(), probeToken)) {
                            if (signIn && f.code() == UNAUTHORIZED) {
                                // The case signed the session out (or the device out): sign in again for the next one.
                                closeQuietly();
                            }
                            break;
                        }
                        if (f.code() >= 0x40 && f.code() < 0x60) {
                            accepted = true;
                        }
                    }
                } catch (SocketTimeoutException e) {
                    tally.failed("no answer to the probe and no close within " + PROBE_TIMEOUT_MILLIS + " ms <- " + shown);
                    closeQuietly();
                    continue;
                }
                if (f == null) {
                    closeQuietly();
                    if (!failed) {
                        tally.closed();
                    } else {
                        tally.refused();
                    }
                } else if (failed) {
                    tally.refused();
                } else if (accepted) {
                    tally.accepted();
                } else {
                    tally.refused();
                }
            }
        }

        private void closeQuietly() {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                c = null;
            }
        }

        @Override
        public void close() {
            closeQuietly();
        }
    }
}
