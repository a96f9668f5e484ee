package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.simulator.DeviceAgent;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;
import org.ocfcloudbridge.testing.DeviceEvents;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;

/** The simulator's device agent keeps a device online: pings, and after a lost connection reconnects and signs in. */
@QuarkusTest
class DeviceAgentTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceSessions sessions;

    @Inject
    DeviceEvents events;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aDroppedDeviceReconnectsAndSignsInAgainWithoutSigningUp() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        SimulatedDevice device = new SimulatedDevice(di, "agent", URI.create("coaps+tcp://127.0.0.1:" + gateway.tlsPort()), true);
        DeviceAgent agent = new DeviceAgent(device, scheduler, 1);
        try {
            agent.start(deviceCode(user[0]), null);
            await(() -> agent.state() == DeviceAgent.State.ONLINE && sessions.isOnline(di), "online");
            Thread.sleep(2500);
            assertEquals(0, agent.reconnects(), "pings answered: no reconnect");
            assertTrue(sessions.isOnline(di));

            assertTrue(sessions.disconnect(di));
            await(() -> agent.reconnects() >= 1 && agent.state() == DeviceAgent.State.ONLINE && sessions.isOnline(di), "back online");
            // The ONLINE event follows the sign-in on the device's lane: wait for it, not only for the session.
            await(() -> events.typesFor(di).lastIndexOf(DeviceEvent.Type.ONLINE) > events.typesFor(di).indexOf(DeviceEvent.Type.OFFLINE),
                    "the ONLINE event after the OFFLINE one");
            List<DeviceEvent.Type> types = events.typesFor(di);
            assertEquals(1, types.stream().filter(t -> t == DeviceEvent.Type.REGISTERED).count(), "signed up once: " + types);
            assertTrue(types.indexOf(DeviceEvent.Type.OFFLINE) < types.lastIndexOf(DeviceEvent.Type.ONLINE), types.toString());
        } finally {
            agent.stop();
            scheduler.shutdownNow();
        }
    }
}
