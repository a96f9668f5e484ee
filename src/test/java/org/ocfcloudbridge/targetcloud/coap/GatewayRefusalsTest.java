package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.RdPublish;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.link;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signIn;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signUp;

/** Every refusal is a CoAP 4.xx with a short diagnostic, and nothing stored changes. */
@QuarkusTest
class GatewayRefusalsTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceDirectory directory;

    CloudConnection connect() throws Exception {
        return CloudConnection.open(URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort()), false);
    }

    static void refused(CoapResponse r, ResponseCode code, String diagnostic) {
        assertEquals(code, r.getCode(), r.getResponseText());
        assertTrue(r.getResponseText().contains(diagnostic), "diagnostic: " + r.getResponseText());
        assertEquals(0, r.getOptions().getContentFormat(), "a diagnostic body says it is text");
        assertTrue(r.getResponseText().length() < 200 && !r.getResponseText().contains("Exception"), r.getResponseText());
    }

    @Test
    void badBodiesAre400Or415() throws Exception {
        try (CloudConnection c = connect()) {
            refused(c.postRaw("/oic/sec/account", new byte[] {(byte) 0xa2, 0x61}, 10000), ResponseCode.BAD_REQUEST, "not a valid");
            refused(c.postRaw("/oic/sec/account", new byte[0], 10000), ResponseCode.BAD_REQUEST, "empty payload");
            SignUpRequest noDi = new SignUpRequest();
            noDi.accesstoken = "x";
            refused(c.post("/oic/sec/account", noDi), ResponseCode.BAD_REQUEST, "missing di");
            refused(c.post("/oic/sec/account", signUp(UUID.randomUUID().toString(), null)), ResponseCode.BAD_REQUEST, "missing accesstoken");
            refused(c.post("/oic/sec/account", signUp("not a uuid!", "x")), ResponseCode.BAD_REQUEST, "di is not a UUID");
            // {"di": 5}: a number where a string belongs.
            refused(c.postRaw("/oic/sec/account", new byte[] {(byte) 0xa1, 0x62, 'd', 'i', 0x05}, 10000), ResponseCode.BAD_REQUEST,
                    "SignUpRequest");
            refused(c.postRaw("/oic/sec/account", "{}".getBytes(StandardCharsets.UTF_8), 0), ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                    "content format 0");
        }
    }

    @Test
    void codesThatDoNotWorkAre401() throws Exception {
        String di = UUID.randomUUID().toString();
        try (CloudConnection c = connect()) {
            refused(c.post("/oic/sec/account", signUp(di, "no-such-code")), ResponseCode.UNAUTHORIZED, "unknown authorization code");
            SignUpRequest other = signUp(di, "x");
            other.authprovider = "github";
            refused(c.post("/oic/sec/account", other), ResponseCode.UNAUTHORIZED, "unknown authprovider \"github\"");
        }
        assertTrue(directory.find(di).isEmpty(), "nothing stored");
    }

    @Test
    void aNewDeviceSigningUpOnTwoConnectionsAtOnceGetsTwoAnswersNotAServerError() throws Exception {
        String[] alice = OAuthTestClient.newUser();
        try (CloudConnection a = connect(); CloudConnection b = connect()) {
            for (int round = 0; round < 8; round++) {
                String di = UUID.randomUUID().toString();
                SignUpRequest first = signUp(di, deviceCode(alice[0]));
                SignUpRequest second = signUp(di, deviceCode(alice[0]));
                var one = java.util.concurrent.CompletableFuture.supplyAsync(() -> post(a, first));
                var two = java.util.concurrent.CompletableFuture.supplyAsync(() -> post(b, second));
                assertEquals(ResponseCode.CHANGED, one.get().getCode(), one.get().getResponseText());
                assertEquals(ResponseCode.CHANGED, two.get().getCode(), two.get().getResponseText());
                assertEquals(alice[2], directory.find(di).orElseThrow().ownerId);
            }
        }
    }

    private static CoapResponse post(CloudConnection c, SignUpRequest r) {
        try {
            return c.post("/oic/sec/account", r);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aDeviceOfAnotherUserIs403AndStaysTheirs() throws Exception {
        String[] alice = OAuthTestClient.newUser();
        String[] mallory = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        try (CloudConnection c = connect()) {
            assertEquals(ResponseCode.CHANGED, c.post("/oic/sec/account", signUp(di, deviceCode(alice[0]))).getCode());
            refused(c.post("/oic/sec/account", signUp(di, deviceCode(mallory[0]))), ResponseCode.FORBIDDEN, "another user");
        }
        DeviceRecord d = directory.find(di).orElseThrow();
        assertEquals(alice[2], d.ownerId);
    }

    @Test
    void signInAndPublishAreCheckedAgainstTheOwner() throws Exception {
        String[] alice = OAuthTestClient.newUser();
        String[] bob = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        String bobsDi = UUID.randomUUID().toString();
        try (CloudConnection c = connect()) {
            SignUpResponse a = CloudConnection.decode(c.post("/oic/sec/account", signUp(di, deviceCode(alice[0]))), SignUpResponse.class);
            SignUpResponse b = CloudConnection.decode(c.post("/oic/sec/account", signUp(bobsDi, deviceCode(bob[0]))), SignUpResponse.class);
            refused(c.post("/oic/sec/session", signIn(a.uid, di, b.accesstoken)), ResponseCode.UNAUTHORIZED, "another user");
            refused(c.post("/oic/sec/session", signIn(a.uid, di, "garbage")), ResponseCode.UNAUTHORIZED, "token invalid");
            refused(c.post("/oic/sec/session", signIn(b.uid, di, b.accesstoken)), ResponseCode.UNAUTHORIZED, "another device");
            refused(c.post("/oic/rd", new RdPublish()), ResponseCode.UNAUTHORIZED, "sign in first");

            assertEquals(ResponseCode.CHANGED, c.post("/oic/sec/session", signIn(a.uid, di, a.accesstoken)).getCode());
            RdPublish foreign = new RdPublish();
            foreign.di = bobsDi;
            foreign.links = List.of(link("/x", "oic.r.x", null));
            refused(c.post("/oic/rd", foreign), ResponseCode.FORBIDDEN, "only its own links");
            RdPublish noRt = new RdPublish();
            noRt.di = di;
            noRt.links = List.of(link("/x", "oic.r.x", null));
            noRt.links.get(0).rt = null;
            refused(c.post("/oic/rd", noRt), ResponseCode.BAD_REQUEST, "missing rt of /x");
            RdPublish negative = new RdPublish();
            negative.di = di;
            negative.ttl = -1L;
            negative.links = List.of(link("/x", "oic.r.x", null));
            refused(c.post("/oic/rd", negative), ResponseCode.BAD_REQUEST, "ttl");
            assertEquals(0, directory.links(di).size(), "nothing was published by refused requests");
            refused(c.delete("/oic/sec/account?di=" + bobsDi), ResponseCode.FORBIDDEN, "another device");
        }
        assertTrue(directory.find(bobsDi).isPresent());
    }

    @Test
    void anOversizedRequestIs413() throws Exception {
        try (CloudConnection c = connect()) {
            CoapResponse r = c.postRaw("/oic/sec/account", new byte[20_000], 10000);
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, r.getCode());
            // The connection goes on.
            assertEquals(ResponseCode.UNAUTHORIZED, c.get("/oic/res").getCode());
        }
    }
}
