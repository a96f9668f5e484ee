package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.RdPublish;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SessionResponse;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.ocf.TokenRefreshRequest;
import org.ocfcloudbridge.ocf.TokenRefreshResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;
import org.ocfcloudbridge.testing.DeviceEvents;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A device's whole life at the gateway over real CoAP-over-TCP and TLS connections. */
@QuarkusTest
class DeviceLifecycleTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceSessions sessions;

    @Inject
    DeviceEvents events;

    static String deviceCode(String username) {
        return given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json")
                .body(Map.of("username", username)).post("/api/admin/device-codes").then().statusCode(201).extract().path("code");
    }

    URI tcp() {
        return URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort());
    }

    URI tls() {
        return URI.create("coaps+tcp://127.0.0.1:" + gateway.tlsPort());
    }

    static SignUpRequest signUp(String di, String code) {
        SignUpRequest r = new SignUpRequest();
        r.di = di;
        r.accesstoken = code;
        r.devicetype = "device";
        return r;
    }

    static SessionRequest signIn(String uid, String di, String token) {
        SessionRequest s = new SessionRequest();
        s.uid = uid;
        s.di = di;
        s.accesstoken = token;
        s.login = true;
        return s;
    }

    static Link link(String href, String rt, Long ins) {
        Link l = new Link();
        l.href = href;
        l.rt = List.of(rt);
        l.interfaces = List.of("oic.if.a", "oic.if.baseline");
        l.ins = ins;
        return l;
    }

    @Test
    void aDeviceSignsUpSignsInPublishesIsFoundRefreshesReconnectsAndDeregisters() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        String code = deviceCode(user[0]);
        SignUpResponse account;
        String refreshed;
        try (CloudConnection device = CloudConnection.open(tls(), true)) {
            assertEquals(ResponseCode.UNAUTHORIZED, device.get("/oic/rd").getCode(), "nothing before sign-in");

            CoapResponse up = device.post("/oic/sec/account", signUp(di, code));
            assertEquals(ResponseCode.CHANGED, up.getCode(), up.getResponseText());
            assertEquals(10000, up.getOptions().getContentFormat());
            assertTrue(up.getOptions().hasOption(2053), "OCF-Content-Format-Version");
            account = CloudConnection.decode(up, SignUpResponse.class);
            assertEquals(user[2], account.uid);
            assertEquals(3600L, account.expiresin);
            assertNotNull(account.refreshtoken);

            // A device that missed the answer and retries gets the same answer, not "code already used".
            CoapResponse retry = device.post("/oic/sec/account", signUp(di, code));
            assertEquals(ResponseCode.CHANGED, retry.getCode());
            assertArrayEquals(up.getPayload(), retry.getPayload());

            CoapResponse in = device.post("/oic/sec/session", signIn(account.uid, di, account.accesstoken));
            assertEquals(ResponseCode.CHANGED, in.getCode(), in.getResponseText());
            assertTrue(CloudConnection.decode(in, SessionResponse.class).expiresin > 3500);
            assertTrue(sessions.isOnline(di));
            String metrics = given().get("/q/metrics").asString();
            assertTrue(metrics.contains("bridge_devices_online") && metrics.contains("bridge_coap_connections"), "gauges exported");

            RdPublish pub = new RdPublish();
            pub.di = di;
            pub.ttl = 0L;
            pub.links = List.of(link("/light", "oic.r.switch.binary", null), link("/temp", "oic.r.temperature", 77L));
            CoapResponse published = device.post("/oic/rd?rt=oic.wk.rdpub", pub);
            assertEquals(ResponseCode.CHANGED, published.getCode(), published.getResponseText());
            RdPublish stored = CloudConnection.decode(published, RdPublish.class);
            assertEquals(2, stored.links.size());
            Link temp = stored.links.stream().filter(l -> l.href.equals("/temp")).findFirst().orElseThrow();
            assertEquals(77L, temp.ins, "the device's own ins is kept");
            Link light = stored.links.stream().filter(l -> l.href.equals("/light")).findFirst().orElseThrow();
            assertNotNull(light.ins, "an ins is assigned");

            List<Link> found = Arrays.asList(CloudConnection.decode(device.get("/oic/res"), Link[].class));
            assertEquals(2, found.size());
            assertTrue(found.stream().allMatch(l -> di.equals(l.di) && ("ocf://" + di).equals(l.anchor)));
            assertEquals(1, CloudConnection.decode(device.get("/oic/res?rt=oic.r.temperature"), Link[].class).length);
            assertEquals(0, CloudConnection.decode(device.get("/oic/res?di=" + UUID.randomUUID()), Link[].class).length);

            assertEquals(ResponseCode.DELETED, device.delete("/oic/rd?di=" + di + "&ins=77").getCode());
            assertEquals(1, CloudConnection.decode(device.get("/oic/res"), Link[].class).length);

            TokenRefreshRequest tr = new TokenRefreshRequest();
            tr.uid = account.uid;
            tr.di = di;
            tr.refreshtoken = account.refreshtoken;
            CoapResponse r1 = device.post("/oic/sec/tokenrefresh", tr);
            assertEquals(ResponseCode.CHANGED, r1.getCode(), r1.getResponseText());
            TokenRefreshResponse t1 = CloudConnection.decode(r1, TokenRefreshResponse.class);
            assertNotEquals(account.refreshtoken, t1.refreshtoken);
            assertArrayEquals(r1.getPayload(), device.post("/oic/sec/tokenrefresh", tr).getPayload(), "a duplicate refresh is absorbed");
            refreshed = t1.accesstoken;
        }
        events.await(di, DeviceEvent.Type.OFFLINE);
        assertFalse(sessions.isOnline(di), "a closed connection is offline");

        try (CloudConnection again = CloudConnection.open(tcp(), false)) {
            // Reconnect: sign-in with the refreshed token, no new sign-up.
            assertEquals(ResponseCode.CHANGED, again.post("/oic/sec/session", signIn(account.uid, di, refreshed)).getCode());
            assertTrue(sessions.isOnline(di));
            assertEquals(1, CloudConnection.decode(again.get("/oic/res"), Link[].class).length, "links survive a reconnect");

            assertEquals(ResponseCode.DELETED, again.delete("/oic/sec/account?di=" + di + "&uid=" + account.uid).getCode());
            assertFalse(sessions.isOnline(di));
            CoapResponse after = again.post("/oic/sec/session", signIn(account.uid, di, refreshed));
            assertEquals(ResponseCode.UNAUTHORIZED, after.getCode(), "tokens end with the registration");
        }
        // Device events are delivered on the device's lane, after the CoAP answers: wait for the last one.
        events.await(di, DeviceEvent.Type.UNREGISTERED);
        assertEquals(List.of(DeviceEvent.Type.REGISTERED, DeviceEvent.Type.ONLINE, DeviceEvent.Type.PUBLISHED,
                DeviceEvent.Type.UNPUBLISHED, DeviceEvent.Type.OFFLINE, DeviceEvent.Type.ONLINE, DeviceEvent.Type.OFFLINE,
                DeviceEvent.Type.UNREGISTERED), events.typesFor(di));
    }

    @Test
    void linksWithATtlExpire() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        try (CloudConnection device = CloudConnection.open(tcp(), false)) {
            SignUpResponse a = CloudConnection.decode(device.post("/oic/sec/account", signUp(di, deviceCode(user[0]))), SignUpResponse.class);
            device.post("/oic/sec/session", signIn(a.uid, di, a.accesstoken));
            RdPublish pub = new RdPublish();
            pub.di = di;
            pub.ttl = 1L;
            pub.links = List.of(link("/light", "oic.r.switch.binary", null));
            assertEquals(ResponseCode.CHANGED, device.post("/oic/rd", pub).getCode());
            assertEquals(1, CloudConnection.decode(device.get("/oic/res"), Link[].class).length);
            Thread.sleep(1500);
            assertEquals(0, CloudConnection.decode(device.get("/oic/res"), Link[].class).length, "expired links are not listed");
            events.await(di, DeviceEvent.Type.UNPUBLISHED);
        }
    }

    @Test
    void aConnectionThatSignsInAsAnotherDeviceTakesTheFirstOffline() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        try (CloudConnection c = CloudConnection.open(tcp(), false)) {
            SignUpResponse a = CloudConnection.decode(c.post("/oic/sec/account", signUp(first, deviceCode(user[0]))), SignUpResponse.class);
            SignUpResponse b = CloudConnection.decode(c.post("/oic/sec/account", signUp(second, deviceCode(user[0]))), SignUpResponse.class);
            assertEquals(ResponseCode.CHANGED, c.post("/oic/sec/session", signIn(a.uid, first, a.accesstoken)).getCode());
            assertEquals(ResponseCode.CHANGED, c.post("/oic/sec/session", signIn(b.uid, second, b.accesstoken)).getCode());
            assertTrue(sessions.isOnline(second));
            assertFalse(sessions.isOnline(first));
            events.await(first, DeviceEvent.Type.OFFLINE);
        }
    }

    /**
     * A sign-in that waited for a worker while its connection closed (a storm's queue holds requests for seconds) binds
     * nothing: the device is not left online over a connection that is gone.
     */
    @Test
    void aSignInWhoseConnectionClosedMeanwhileLeavesTheDeviceOffline() {
        String di = java.util.UUID.randomUUID().toString();
        assertFalse(sessions.signIn("closed-connection", di, "someone", null, java.time.Instant.now().plusSeconds(60)));
        assertFalse(sessions.isOnline(di));
        assertTrue(sessions.byConnection("closed-connection").isEmpty());
    }
}
