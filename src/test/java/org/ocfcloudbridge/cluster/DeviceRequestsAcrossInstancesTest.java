package org.ocfcloudbridge.cluster;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections.DeviceResponse;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections.Outcome;
import org.ocfcloudbridge.targetcloud.coap.DeviceRouting;
import org.ocfcloudbridge.targetcloud.coap.DeviceSessions;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Cloud API request reaches the device through the instance holding its connection, whichever instance it arrives
 * at (issue 14, routing). This daemon in cluster mode is one instance; a {@link ClusterBus} of the test's own on the
 * same NATS server plays another, answering (or not) for a device whose connection "it" holds.
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
@EnabledIf("org.ocfcloudbridge.cluster.TestNats#clusterModeCanRun")
class DeviceRequestsAcrossInstancesTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final OcfCodec CODEC = OcfCodec.get();

    @Inject
    CoapGateway gateway;
    @Inject
    DeviceSessions sessions;
    @Inject
    ClusterBus bus;

    private ClusterBus other;

    @BeforeEach
    void anotherInstance() {
        other = TestNats.anotherInstance(none -> { });
        assertTrue(bus.connected(), "this daemon is connected to the bus");
    }

    @AfterEach
    void stopTheOther() {
        other.close();
    }

    /** A device of {@code user}, registered here, whose session is not on this instance (it signed out here). */
    private SimulatedDevice deviceHeldElsewhere(String[] user) throws Exception {
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        device.signOut();
        TestNats.await("the device's session here has ended", WAIT, () -> !sessions.isOnline(device.di()));
        return device;
    }

    private static Response api(String token, String method, String path, byte[] json) {
        var spec = given().auth().oauth2(token).header("Accept", "application/json");
        if (json != null) {
            spec.contentType("application/json").body(json);
        }
        return spec.request(method, path);
    }

    @Test
    void aReadAndAnUpdateReachTheDeviceThroughTheInstanceHoldingIt() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:* w:*");
        SimulatedDevice device = deviceHeldElsewhere(user);
        try {
            List<String> asked = new CopyOnWriteArrayList<>();
            List<byte[]> bodies = new CopyOnWriteArrayList<>();
            byte[] state = CODEC.encode(CODEC.decodeTree("{\"value\":true}".getBytes(), OcfFormat.JSON), OcfFormat.OCF_CBOR);
            other.answer(DeviceRouting.subject(device.di()), body -> {
                var r = DeviceRouting.request(body);
                asked.add((r.post() ? "POST " : "GET ") + r.href());
                if (r.payload() != null) {
                    bodies.add(r.payload());
                }
                return CompletableFuture.completedFuture(DeviceRouting.response(new DeviceResponse(Outcome.ANSWERED,
                        r.post() ? ResponseCode.CHANGED : ResponseCode.CONTENT, Protocol.MediaTypes.OCF_CBOR_FORMAT, state)));
            });
            TestNats.await("the other instance listens", WAIT, () -> routedStatus(token, device.di()) == 200);

            Response read = api(token, "GET", "/api/v1/devices/" + device.di() + "/switch", null);
            assertEquals(200, read.statusCode(), read.asString());
            assertTrue(CODEC.decodeTree(read.asByteArray(), OcfFormat.JSON).get("value").asBoolean(), read.asString());
            assertTrue(asked.contains("GET /switch"), asked.toString());

            Response update = api(token, "POST", "/api/v1/devices/" + device.di() + "/switch", "{\"value\":false}".getBytes());
            assertEquals(200, update.statusCode(), update.asString());
            assertTrue(asked.contains("POST /switch"), asked.toString());
            assertEquals(1, bodies.size());
            assertEquals(false, CODEC.decodeTree(bodies.get(0), OcfFormat.OCF_CBOR).get("value").asBoolean(),
                    "the update's body reached the holding instance as CBOR");
        } finally {
            other.stopAnswering(DeviceRouting.subject(device.di()));
            device.shutdown();
        }
    }

    private static int routedStatus(String token, String di) {
        return api(token, "GET", "/api/v1/devices/" + di + "/switch", null).statusCode();
    }

    @Test
    void aDeviceNoInstanceHoldsIsOfflineAtOnceWith504AndRetryAfter() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = deviceHeldElsewhere(user);
        try {
            long start = System.nanoTime();
            Response read = api(token, "GET", "/api/v1/devices/" + device.di() + "/switch", null);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(504, read.statusCode(), read.asString());
            assertNotNull(read.getHeader("Retry-After"));
            assertTrue(read.asString().contains("offline"), read.asString());
            assertTrue(ms < 2000, "no instance listens: answered at once, not after the device timeout (" + ms + " ms)");
        } finally {
            device.shutdown();
        }
    }

    @Test
    void anInstanceThatDoesNotAnswerInTimeGives504AndRetryAfter() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.token(user, "r:*");
        SimulatedDevice device = deviceHeldElsewhere(user);
        try {
            other.answer(DeviceRouting.subject(device.di()), body -> new CompletableFuture<>());
            // Until the server has the silent instance's interest, the device is simply offline (also a 504).
            Response[] read = new Response[1];
            TestNats.await("the silent instance listens, and its silence is a timeout", Duration.ofSeconds(30), () -> {
                read[0] = api(token, "GET", "/api/v1/devices/" + device.di() + "/switch", null);
                return read[0].asString().contains("in time");
            });
            assertEquals(504, read[0].statusCode(), read[0].asString());
            assertNotNull(read[0].getHeader("Retry-After"));
        } finally {
            other.stopAnswering(DeviceRouting.subject(device.di()));
            device.shutdown();
        }
    }

    @Test
    void anotherInstanceReachesADeviceSignedInHere() throws Exception {
        String[] user = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try {
            byte[] ask = DeviceRouting.request(false, "/switch", null, -1);
            // The server learns of this instance's interest in the device's subject a moment after the sign-in.
            ClusterBus.Reply[] answered = new ClusterBus.Reply[1];
            TestNats.await("this instance answers for the device", WAIT, () -> {
                answered[0] = other.request(DeviceRouting.subject(device.di()), ask, WAIT).toCompletableFuture().join();
                return answered[0].status() == ClusterBus.ReplyStatus.ANSWERED;
            });
            ClusterBus.Reply reply = answered[0];
            DeviceResponse r = DeviceRouting.response(reply.body());
            assertEquals(ResponseCode.CONTENT, r.code());
            assertEquals(false, CODEC.decodeTree(r.payload(), OcfFormat.OCF_CBOR).get("value").asBoolean());

            byte[] update = CODEC.encode(CODEC.decodeTree("{\"value\":true}".getBytes(), OcfFormat.JSON), OcfFormat.OCF_CBOR);
            reply = other.request(DeviceRouting.subject(device.di()),
                    DeviceRouting.request(true, "/switch", update, Protocol.MediaTypes.OCF_CBOR_FORMAT), WAIT)
                    .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(ResponseCode.CHANGED, DeviceRouting.response(reply.body()).code());
            assertTrue(device.switchResource().representation().get("value").asBoolean(), "the device itself changed");

            device.signOut();
            TestNats.await("once the device is gone from here, nobody answers for it", WAIT, () -> other.request(
                    DeviceRouting.subject(device.di()), ask, WAIT).toCompletableFuture().join().status()
                    == ClusterBus.ReplyStatus.NO_RESPONDERS);
        } finally {
            device.shutdown();
        }
    }

    @Test
    void malformedRequestsOnADeviceSubjectAreNotAnswered() throws Exception {
        String[] user = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try {
            byte[] ask = DeviceRouting.request(false, "/switch", null, -1);
            TestNats.await("this instance answers for the device", WAIT, () -> other.request(DeviceRouting.subject(device.di()),
                    ask, WAIT).toCompletableFuture().join().status() == ClusterBus.ReplyStatus.ANSWERED);
            ClusterBus.Reply reply = other.request(DeviceRouting.subject(device.di()), new byte[] {9, 9, 9}, Duration.ofSeconds(2))
                    .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(ClusterBus.ReplyStatus.NO_ANSWER, reply.status());
            assertArrayEquals(null, reply.body());
        } finally {
            device.shutdown();
        }
    }
}
