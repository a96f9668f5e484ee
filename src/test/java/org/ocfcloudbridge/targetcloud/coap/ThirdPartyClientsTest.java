package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signUp;

/** Clients that are not ours: Debian's libcoap (coap-client-notls / -openssl) and a raw socket speaking RFC 8323. */
@QuarkusTest
class ThirdPartyClientsTest {

    @Inject
    CoapGateway gateway;

    record Run(int exit, String output) {
    }

    static Run coapClient(String binary, String... args) throws Exception {
        if (!new File("/usr/bin/" + binary).canExecute()) {
            throw new IllegalStateException(binary + " is missing: apt-get install libcoap3-bin (.ci/run installs it)");
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/" + binary));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(binary + " hung");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private SignUpResponse signUpWith(String binary, String uri) throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        Path req = Files.createTempFile("signup", ".cbor");
        Path resp = Files.createTempFile("signup-answer", ".cbor");
        Files.write(req, OcfCodec.get().encode(signUp(di, deviceCode(user[0])), OcfFormat.OCF_CBOR));
        Run run = coapClient(binary, "-v", "7", "-m", "post", "-t", "10000", "-f", req.toString(), "-o", resp.toString(),
                "-B", "10", uri + "/oic/sec/account");
        assertTrue(run.output().contains("c:CSM") && run.output().contains("Max-Message-Size:16384"),
                "our CSM reached libcoap:\n" + run.output());
        assertTrue(run.output().contains("c:2.04"), run.output());
        SignUpResponse answer = OcfCodec.get().decode(Files.readAllBytes(resp), SignUpResponse.class, OcfFormat.OCF_CBOR);
        assertEquals(user[2], answer.uid);
        return answer;
    }

    @Test
    void libcoapSignsUpOverCoapTcp() throws Exception {
        SignUpResponse a = signUpWith("coap-client-notls", "coap+tcp://127.0.0.1:" + gateway.tcpPort());
        assertTrue(a.accesstoken.startsWith("ey"));
    }

    @Test
    void libcoapSignsUpOverCoapsTcp() throws Exception {
        signUpWith("coap-client-openssl", "coaps+tcp://127.0.0.1:" + gateway.tlsPort());
    }

    @Test
    void libcoapGetsAClearRefusalBeforeSignIn() throws Exception {
        Run run = coapClient("coap-client-notls", "-m", "get", "-B", "10", "coap+tcp://127.0.0.1:" + gateway.tcpPort() + "/oic/res");
        assertTrue(run.output().contains("4.01 sign in first"), run.output());
    }

    @Test
    void aRawClientGetsOurCsmFirstAndAPongForItsPingWithoutSendingACsm() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.tcpPort())) {
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] csm = new byte[8];
            in.readFully(csm);
            assertEquals("42e10c5b22400020", HexFormat.of().formatHex(csm));
            OutputStream out = s.getOutputStream();
            out.write(HexFormat.of().parseHex("02e2beef"));
            out.flush();
            byte[] pong = new byte[4];
            in.readFully(pong);
            assertArrayEquals(HexFormat.of().parseHex("02e3beef"), pong, "Pong with the Ping's token");
            // Release: the server closes the connection.
            out.write(HexFormat.of().parseHex("00e4"));
            out.flush();
            assertEquals(-1, in.read());
        }
    }
}
