package org.ocfcloudbridge.targetcloud.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.targetcloud.coap.DeviceSessions;
import org.ocfcloudbridge.testing.CloudApiContract;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Devices API over real HTTP with simulated devices on real CoAP connections; every answer checked against the swagger. */
@QuarkusTest
class DevicesApiTest {

    private static final String JSON = "application/json";
    private static final String CBOR = "application/vnd.ocf+cbor";

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceSessions sessions;

    final CloudApiContract contract = CloudApiContract.get();

    Response call(String token, String method, String path, String accept, String contentType, byte[] body) {
        var spec = given().redirects().follow(false);
        if (token != null) {
            spec.auth().oauth2(token);
        }
        if (accept != null) {
            spec.header("Accept", accept);
        }
        if (contentType != null) {
            spec.contentType(contentType);
        }
        if (body != null) {
            spec.body(body);
        }
        Response r = spec.request(method, path);
        contract.assertValid(method, path, r);
        return r;
    }

    Response get(String token, String path, String accept) {
        return call(token, "GET", path, accept, null, null);
    }

    static JsonNode json(Response r) {
        return OcfCodec.get().decodeTree(r.asByteArray(), OcfFormat.JSON);
    }

    static JsonNode await(Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> until) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = read.get();
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never came true; last: " + last);
    }

    @Test
    void devicesAreListedWithLinksOrRepresentationsWithTheirStatus() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        String di = device.di();
        try {
            JsonNode all = await(() -> json(get(token, "/api/v1/devices?content=all", JSON)),
                    n -> n.size() == 1 && n.get(0).get("links").size() == 3);
            JsonNode d = all.get(0);
            assertEquals(di, d.at("/device/di").asText());
            assertEquals("online", d.get("status").asText());
            assertEquals("lamp", d.at("/device/n").asText(), "the name from the device's /oic/d");
            assertTrue(d.at("/device/rt").toString().contains("oic.d.light"));
            Map<String, JsonNode> reps = new java.util.HashMap<>();
            d.get("links").forEach(l -> reps.put(l.get("href").asText(), l.get("rep")));
            assertEquals(false, reps.get("/" + di + "/switch").get("value").asBoolean());
            assertEquals(20.0, reps.get("/" + di + "/temperature").get("temperature").asDouble());

            JsonNode base = json(get(token, "/api/v1/devices", JSON));
            assertEquals(1, base.size(), "only this user's devices");
            List<String> hrefs = new java.util.ArrayList<>();
            base.get(0).get("links").forEach(l -> hrefs.add(l.get("href").asText()));
            assertTrue(hrefs.containsAll(List.of("/" + di + "/oic/d", "/" + di + "/switch", "/" + di + "/temperature")), hrefs.toString());
            assertEquals(base, json(get(token, "/api/v1/devices?content=base", null)));

            JsonNode one = json(get(token, "/api/v1/devices/" + di, "application/json, application/vnd.ocf+cbor"));
            assertEquals(base.get(0), one);
            JsonNode oneAll = json(get(token, "/api/v1/devices/" + di + "?content=all", "*/*"));
            assertEquals(d, oneAll);
        } finally {
            device.shutdown();
        }
        await(() -> json(get(token, "/api/v1/devices/" + di, JSON)), n -> n.get("status").asText().equals("offline"));
    }

    @Test
    void resourcesAreReadAndUpdatedOverTheDevicesOwnConnectionInJsonAndCbor() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        String path = "/api/v1/devices/" + device.di() + "/switch";
        try {
            Response read = get(token, path, JSON);
            assertEquals(200, read.statusCode(), read.asString());
            assertEquals(JSON, read.getContentType().split(";")[0]);
            assertFalse(json(read).get("value").asBoolean());

            Response update = call(token, "POST", path, JSON, JSON, "{\"value\":true}".getBytes());
            assertEquals(200, update.statusCode(), update.asString());
            assertTrue(device.switchResource().representation().get("value").asBoolean(), "the device itself changed");

            Response cbor = get(token, path, CBOR);
            assertEquals(200, cbor.statusCode());
            assertEquals(CBOR, cbor.getContentType());
            assertTrue(OcfCodec.get().decodeTree(cbor.asByteArray(), OcfFormat.OCF_CBOR).get("value").asBoolean());

            byte[] off = OcfCodec.get().encode(Map.of("value", false), OcfFormat.OCF_CBOR);
            Response cborUpdate = call(token, "POST", path, CBOR, CBOR, off);
            assertEquals(200, cborUpdate.statusCode(), cborUpdate.asString());
            assertFalse(device.switchResource().representation().get("value").asBoolean());

            Response nested = get(token, "/api/v1/devices/" + device.di() + "/oic/d", JSON);
            assertEquals(device.di(), json(nested).get("di").asText(), "an href with a slash inside");

            Response missing = get(token, "/api/v1/devices/" + device.di() + "/no-such-resource", JSON);
            assertEquals(404, missing.statusCode(), "the device's 4.04 is a 404");
            Response wrongValue = call(token, "POST", path, JSON, JSON, "{\"value\":\"yes\"}".getBytes());
            assertEquals(400, wrongValue.statusCode(), "the device's 4.00 is a 400: " + wrongValue.asString());
        } finally {
            device.shutdown();
        }
    }

    @Test
    void everyRefusalIsAClearStatusWithAShortReason() throws Exception {
        String[] alice = OAuthTestClient.newUser();
        String[] mallory = OAuthTestClient.newUser();
        String reader = CloudApiUsers.token(alice, "r:*");
        String writerOnly = CloudApiUsers.token(alice, "w:*");
        String intruder = CloudApiUsers.token(mallory, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String di = device.di();
        String resource = "/api/v1/devices/" + di + "/switch";
        try {
            Response none = get(null, "/api/v1/devices", JSON);
            assertEquals(401, none.statusCode());
            assertTrue(none.header("WWW-Authenticate").startsWith("Bearer"));
            assertEquals(401, get("not-a-token", "/api/v1/devices", JSON).statusCode());
            Response noRead = get(writerOnly, "/api/v1/devices", JSON);
            assertEquals(403, noRead.statusCode());
            assertTrue(noRead.header("WWW-Authenticate").contains("scope=\"r:*\""));
            Response noWrite = call(reader, "POST", resource, JSON, JSON, "{\"value\":true}".getBytes());
            assertEquals(403, noWrite.statusCode(), "an update needs w:*");
            assertFalse(device.switchResource().representation().get("value").asBoolean());

            assertEquals(0, json(get(intruder, "/api/v1/devices", JSON)).size(), "another user sees none of alice's devices");
            assertEquals(404, get(intruder, "/api/v1/devices/" + di, JSON).statusCode());
            assertEquals(404, get(intruder, resource, JSON).statusCode());
            assertEquals(404, call(intruder, "POST", resource, JSON, JSON, "{\"value\":true}".getBytes()).statusCode());
            assertFalse(device.switchResource().representation().get("value").asBoolean(), "nothing reached the device");
            assertEquals(404, get(reader, "/api/v1/devices/" + UUID.randomUUID(), JSON).statusCode());

            Response notAcceptable = get(reader, "/api/v1/devices", "text/html");
            assertEquals(406, notAcceptable.statusCode());
            assertFalse(notAcceptable.asString().isBlank(), "with a reason");
            assertEquals(406, get(reader, resource, "text/html").statusCode());
            assertEquals(400, get(reader, "/api/v1/devices?content=everything", JSON).statusCode());
            assertEquals(415, call(CloudApiUsers.token(alice, "r:* w:*"), "POST", resource, JSON, "text/plain",
                    "value=true".getBytes()).statusCode());
            Response broken = call(CloudApiUsers.token(alice, "r:* w:*"), "POST", resource, JSON, JSON, "{\"value\":".getBytes());
            assertEquals(400, broken.statusCode());
            assertTrue(broken.asString().length() < 200 && !broken.asString().contains("Exception"), broken.asString());
        } finally {
            device.shutdown();
        }
    }

    @Test
    void anOfflineDeviceIs504WithRetryAfter() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        device.shutdown();
        await(() -> json(get(token, "/api/v1/devices/" + device.di(), JSON)), n -> n.get("status").asText().equals("offline"));
        Response r = get(token, "/api/v1/devices/" + device.di() + "/switch", JSON);
        assertEquals(504, r.statusCode());
        assertEquals("7", r.header("Retry-After"));
        Response w = call(token, "POST", "/api/v1/devices/" + device.di() + "/switch", JSON, JSON, "{\"value\":true}".getBytes());
        assertEquals(504, w.statusCode());
        assertEquals("7", w.header("Retry-After"));
    }
}
