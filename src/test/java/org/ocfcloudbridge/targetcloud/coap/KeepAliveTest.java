package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signIn;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signUp;

/**
 * A device that stops talking is taken offline once the idle timeout passes; one that only pings (as iotivity-lite
 * does between requests) stays online: a Ping counts as traffic although our signalling handler answers it.
 */
@QuarkusTest
@TestProfile(KeepAliveTest.ShortIdleTimeout.class)
class KeepAliveTest {

    public static final class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Well above the pings' 0.5 s: a busy CI machine may stall the pinging thread for a second or more.
            return Map.of("bridge.coap.idle-timeout", "4S");
        }
    }

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceSessions sessions;

    @Test
    void aSilentDeviceGoesOfflineAndAPingingOneStaysOnline() throws Exception {
        String[] user = OAuthTestClient.newUser();
        URI tcp = URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort());
        try (CloudConnection pinging = CloudConnection.open(tcp, false); CloudConnection silent = CloudConnection.open(tcp, false)) {
            String pingingDi = online(pinging, user);
            String silentDi = online(silent, user);
            long end = System.nanoTime() + 9_000_000_000L;
            while (System.nanoTime() < end) {
                org.ocfcloudbridge.targetcloud.coap.Signalling.ping(pinging.channel());
                Thread.sleep(500);
            }
            assertFalse(sessions.isOnline(silentDi), "no traffic for longer than the idle timeout: offline");
            assertFalse(silent.channel().isActive(), "and its connection closed");
            assertTrue(sessions.isOnline(pingingDi), "pings alone keep a device online");
            assertTrue(pinging.channel().isActive());
        }
    }

    private static String online(CloudConnection c, String[] user) throws Exception {
        String di = UUID.randomUUID().toString();
        SignUpResponse a = CloudConnection.decode(c.post("/oic/sec/account", signUp(di, deviceCode(user[0]))), SignUpResponse.class);
        assertEquals(ResponseCode.CHANGED, c.post("/oic/sec/session", signIn(a.uid, di, a.accesstoken)).getCode());
        return di;
    }
}
