package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.CoapCloudConf;
import org.ocfcloudbridge.simulator.CloudConfResource;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.simulator.DeviceAgent;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.CloudIdentity;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;

/** A Mediator provisions a simulated device through its coapcloudconf resource (Part 11 §9–§11); the device registers. */
@QuarkusTest
class MediatorProvisioningTest {

    @Inject
    CoapGateway gateway;

    @Inject
    CloudIdentity identity;

    @Inject
    DeviceSessions sessions;

    @Inject
    DeviceDirectory directory;

    private static CoapCloudConf conf(String cis, String at, String sid) {
        CoapCloudConf c = new CoapCloudConf();
        c.cis = cis;
        c.at = at;
        c.sid = sid;
        c.apn = "bridge";
        return c;
    }

    private static CoapCloudConf read(CloudConnection mediator) throws Exception {
        CoapResponse r = mediator.get(CloudConfResource.HREF);
        assertEquals(ResponseCode.CONTENT, r.getCode());
        return CloudConnection.decode(r, CoapCloudConf.class);
    }

    private static CoapCloudConf awaitState(CloudConnection mediator, String cps) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        CoapCloudConf c = read(mediator);
        while (!cps.equals(c.cps) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            c = read(mediator);
        }
        assertEquals(cps, c.cps, "clec " + c.clec);
        return c;
    }

    @Test
    void aMediatorProvisionsTheDeviceWhichRegistersSignsInAndLaterDeregisters() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        String sid = identity.sid().toString();
        String cis = "coaps+tcp://127.0.0.1:" + gateway.tlsPort();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        DeviceAgent agent = new DeviceAgent(new SimulatedDevice(di, "provisioned", null, true), scheduler, 5);
        try {
            int local = agent.startUnprovisioned();
            try (CloudConnection mediator = CloudConnection.open(URI.create("coap+tcp://127.0.0.1:" + local), false, List.of())) {
                assertEquals(CloudConfResource.UNINITIALIZED, read(mediator).cps);

                CoapCloudConf withCps = conf(cis, "x", sid);
                withCps.cps = "registered";
                assertEquals(ResponseCode.BAD_REQUEST, mediator.post(CloudConfResource.HREF, withCps).getCode(), "cps is read-only");
                assertEquals(ResponseCode.BAD_REQUEST, mediator.post(CloudConfResource.HREF, conf(cis, "", sid)).getCode(), "no at");
                assertEquals(ResponseCode.BAD_REQUEST, mediator.post(CloudConfResource.HREF, conf(cis, "x", "not-a-uuid")).getCode());

                CoapResponse accepted = mediator.post(CloudConfResource.HREF, conf(cis, deviceCode(user[0]), sid));
                assertEquals(ResponseCode.CHANGED, accepted.getCode(), accepted.getResponseText());
                CoapCloudConf answer = CloudConnection.decode(accepted, CoapCloudConf.class);
                assertEquals(cis, answer.cis);
                assertEquals(null, answer.at, "at is write-only");

                CoapCloudConf registered = awaitState(mediator, CloudConfResource.REGISTERED);
                assertEquals(0, registered.clec);
                Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
                while (!sessions.isOnline(di) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(50);
                }
                assertTrue(sessions.isOnline(di), "registered and signed in");
                assertEquals(user[2], directory.find(di).orElseThrow().ownerId);

                assertEquals(ResponseCode.BAD_REQUEST, mediator.post(CloudConfResource.HREF, conf(cis, "y", sid)).getCode(),
                        "while registered only cis \"\" is taken");
                assertEquals(ResponseCode.CHANGED, mediator.post(CloudConfResource.HREF, conf("", null, null)).getCode());
                awaitState(mediator, CloudConfResource.UNINITIALIZED);
                assertTrue(directory.find(di).isEmpty(), "deprovisioning deregistered the device; agent: " + agent.state() + " " + agent.lastError());
            }
        } finally {
            agent.stop();
            scheduler.shutdownNow();
        }
    }

    @Test
    void aCodeTheCloudRefusesEndsInFailedWithClec1() throws Exception {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        DeviceAgent agent = new DeviceAgent(new SimulatedDevice(UUID.randomUUID().toString(), "refused", null, true), scheduler, 5);
        try {
            int local = agent.startUnprovisioned();
            try (CloudConnection mediator = CloudConnection.open(URI.create("coap+tcp://127.0.0.1:" + local), false, List.of())) {
                String cis = "coaps+tcp://127.0.0.1:" + gateway.tlsPort();
                assertEquals(ResponseCode.CHANGED, mediator.post(CloudConfResource.HREF, conf(cis, "bogus", identity.sid().toString())).getCode());
                assertEquals(CloudConfResource.ERROR_RESPONSE, awaitState(mediator, CloudConfResource.FAILED).clec);
            }
        } finally {
            agent.stop();
            scheduler.shutdownNow();
        }
    }
}
