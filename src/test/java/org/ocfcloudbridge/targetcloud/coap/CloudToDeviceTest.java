package org.ocfcloudbridge.targetcloud.coap;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;
import org.ocfcloudbridge.testing.DeviceEvents;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signIn;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signUp;

/** The cloud reads, updates and observes a device over the device's own connection; the twin follows. */
@QuarkusTest
class CloudToDeviceTest {

    private static final OcfCodec CODEC = OcfCodec.get();

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceConnections connections;

    @Inject
    DeviceTwin twin;

    @Inject
    DeviceEvents events;

    private JsonNode body(DeviceConnections.DeviceResponse r) {
        return CODEC.decodeTree(r.payload(), OcfFormat.OCF_CBOR);
    }

    private JsonNode awaitTwin(String di, String href, Predicate<JsonNode> until) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            TwinResource t = twin.latest(di, href).orElse(null);
            if (t != null) {
                last = CODEC.decodeTree(t.content, OcfFormat.OCF_CBOR);
                if (until.test(last)) {
                    return last;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("twin of " + href + " never matched; last " + last);
    }

    @Test
    void theCloudReadsUpdatesAndObservesASimulatedDevice() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        try (SimulatedDevice device = new SimulatedDevice(di, "lamp", URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort()), false)) {
            device.connect();
            device.signUp(deviceCode(user[0]), null);
            device.signIn();
            device.publish(0);

            assertEquals(20.0, awaitTwin(di, "/temperature", n -> n.has("temperature")).get("temperature").doubleValue(),
                    "the first notification carries the current state");
            device.setTemperature(25.5);
            awaitTwin(di, "/temperature", n -> n.get("temperature").doubleValue() == 25.5);
            events.await(di, DeviceEvent.Type.CONTENT_CHANGED); // fired on the device's lane after the twin commits
            assertTrue(events.typesFor(di).contains(DeviceEvent.Type.CONTENT_CHANGED));

            DeviceConnections.DeviceResponse sw = connections.get(di, "/switch").toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(DeviceConnections.Outcome.ANSWERED, sw.outcome());
            assertEquals(ResponseCode.CONTENT, sw.code());
            assertEquals(10000, sw.contentFormat());
            assertEquals(false, body(sw).get("value").booleanValue());

            byte[] on = CODEC.encode(CODEC.mapper(OcfFormat.JSON).readTree("{\"value\":true}"), OcfFormat.OCF_CBOR);
            DeviceConnections.DeviceResponse updated = connections.post(di, "/switch", on, 10000).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(ResponseCode.CHANGED, updated.code());
            assertEquals(true, device.switchResource().representation().get("value").booleanValue());
            awaitTwin(di, "/switch", n -> n.get("value").booleanValue());

            byte[] wrongType = CODEC.encode(CODEC.mapper(OcfFormat.JSON).readTree("{\"value\":\"on\"}"), OcfFormat.OCF_CBOR);
            assertEquals(ResponseCode.BAD_REQUEST, connections.post(di, "/switch", wrongType, 10000).toCompletableFuture().get().code());
            assertEquals(ResponseCode.NOT_FOUND, connections.get(di, "/nothing-here").toCompletableFuture().get().code());
        }
        assertEquals(DeviceConnections.Outcome.OFFLINE,
                connections.get(di, "/switch").toCompletableFuture().get(5, TimeUnit.SECONDS).outcome(), "after the device left");
        assertEquals(DeviceConnections.Outcome.OFFLINE,
                connections.get(UUID.randomUUID().toString(), "/x").toCompletableFuture().get().outcome());
    }

    /** A resource that never answers. */
    static final class Silent extends CoapResource {
        Silent() {
            super("silent");
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            exchange.accept();
        }
    }

    @Test
    void aSilentDeviceTimesOutAndAClosedConnectionEndsARequestAtOnce() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        CloudConnection device = CloudConnection.open(URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort()), false, List.of(new Silent()));
        try {
            SignUpResponse a = CloudConnection.decode(device.post("/oic/sec/account", signUp(di, deviceCode(user[0]))), SignUpResponse.class);
            assertEquals(ResponseCode.CHANGED, device.post("/oic/sec/session", signIn(a.uid, di, a.accesstoken)).getCode());

            Instant start = Instant.now();
            assertEquals(DeviceConnections.Outcome.TIMEOUT,
                    connections.get(di, "/silent").toCompletableFuture().get(10, TimeUnit.SECONDS).outcome());
            assertTrue(Duration.between(start, Instant.now()).toMillis() >= 2900, "the configured 3 s");

            var pending = connections.get(di, "/silent").toCompletableFuture();
            Thread.sleep(200);
            Instant closing = Instant.now();
            device.close();
            assertEquals(DeviceConnections.Outcome.OFFLINE, pending.get(5, TimeUnit.SECONDS).outcome());
            assertTrue(Duration.between(closing, Instant.now()).toMillis() < 2500, "not left waiting for the 3 s timeout");
        } finally {
            device.close();
        }
    }
}
