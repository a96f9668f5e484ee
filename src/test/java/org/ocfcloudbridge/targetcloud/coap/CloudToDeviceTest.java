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

    /**
     * A device resource the twin does not observe (its link says it is not observable), that still takes an observe
     * request at the CoAP level and keeps the token the cloud used for it.
     */
    static final class BurstResource extends org.ocfcloudbridge.simulator.DeviceResource {
        final java.util.concurrent.CompletableFuture<org.eclipse.californium.core.coap.Token> token = new java.util.concurrent.CompletableFuture<>();

        BurstResource() {
            super("/burst", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("v", -1),
                    List.of("oic.if.baseline"), List.of(), true);
        }

        @Override
        public org.ocfcloudbridge.ocf.Link link() {
            org.ocfcloudbridge.ocf.Link l = super.link();
            l.p.bm = org.ocfcloudbridge.ocf.Link.LinkPolicy.DISCOVERABLE;
            return l;
        }

        @Override
        public void addObserveRelation(org.eclipse.californium.core.observe.ObserveRelation relation) {
            super.addObserveRelation(relation);
            token.complete(relation.getExchange().getRequest().getToken());
        }
    }

    /**
     * A device sends a burst of notifications as fast as its connection carries them: the observer gets every one, in
     * the order sent. Californium hands each received message to its protocol threads as a task of its own; on a shared
     * pool a later notification could overtake an earlier one, which was then dropped as older (RFC 7641 §3.4).
     */
    @Test
    void aBurstOfNotificationsOnOneConnectionReachesTheObserverWholeAndInOrder() throws Exception {
        String[] user = OAuthTestClient.newUser();
        BurstResource burst = new BurstResource();
        SimulatedDevice device = org.ocfcloudbridge.testing.CloudApiUsers.onlineDevice(user, gateway.tcpPort(), "lamp", burst);
        List<Double> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        DeviceConnections.Observation observation = connections.observe(device.di(), "/burst", r -> {
            if (r.outcome() == DeviceConnections.Outcome.ANSWERED && r.payload() != null) {
                seen.add(body(r).path("v").asDouble());
            }
        });
        try {
            org.eclipse.californium.core.coap.Token token = burst.token.get(10, TimeUnit.SECONDS);
            awaitSize(seen, 1);
            int first = burst.getNotificationSequenceNumber();
            int n = 500;
            java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
            org.eclipse.californium.core.network.serialization.TcpDataSerializer serializer =
                    new org.eclipse.californium.core.network.serialization.TcpDataSerializer();
            for (int i = 0; i < n; i++) {
                org.eclipse.californium.core.coap.Response notification = new org.eclipse.californium.core.coap.Response(ResponseCode.CONTENT);
                notification.setToken(token);
                notification.getOptions().setObserve(first + 1 + i);
                notification.getOptions().setContentFormat(org.ocfcloudbridge.ocf.Protocol.MediaTypes.OCF_CBOR_FORMAT);
                notification.setPayload(CODEC.encode(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("v", i),
                        OcfFormat.OCF_CBOR));
                frames.write(serializer.getByteArray(notification));
            }
            // All of them in one write: the cloud reads them as fast as TCP brings them.
            device.connection().channel().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(frames.toByteArray())).sync();
            awaitSize(seen, n + 1);
            List<Double> sent = java.util.stream.IntStream.range(0, n).mapToObj(i -> (double) i).toList();
            assertEquals(sent, List.copyOf(seen).subList(1, seen.size()));
        } finally {
            observation.cancel();
            device.shutdown();
        }
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (list.size() < size && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(size, list.size(), "notifications that reached the observer");
    }
}
