package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.TestPki;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.deviceCode;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signIn;
import static org.ocfcloudbridge.targetcloud.coap.DeviceLifecycleTest.signUp;

/** With device certificates, the CN uuid:<di> must name the device a request is about (else 4.03). */
@QuarkusTest
@TestProfile(MutualTlsTest.WithDeviceCa.class)
class MutualTlsTest {

    static final TestPki PKI;

    static {
        try {
            PKI = new TestPki();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static class WithDeviceCa implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path ca = PKI.caPem(Path.of("target", "mtls-" + UUID.randomUUID()));
                return Map.of("bridge.coap.tls.trust-anchors", ca.toAbsolutePath().toString(), "bridge.coap.tls.client-auth", "WANTED");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Inject
    CoapGateway gateway;

    @Test
    void theCertificateMustNameTheDevice() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String di = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        URI tls = URI.create("coaps+tcp://127.0.0.1:" + gateway.tlsPort());
        try (CloudConnection device = CloudConnection.open(tls, CloudConnection.ssl(true, PKI.deviceIdentity(di)), List.of())) {
            CoapResponse wrong = device.post("/oic/sec/account", signUp(other, deviceCode(user[0])));
            assertEquals(ResponseCode.FORBIDDEN, wrong.getCode(), wrong.getResponseText());
            assertTrue(wrong.getResponseText().contains("certificate"), wrong.getResponseText());

            CoapResponse right = device.post("/oic/sec/account", signUp(di, deviceCode(user[0])));
            assertEquals(ResponseCode.CHANGED, right.getCode(), right.getResponseText());
            SignUpResponse a = CloudConnection.decode(right, SignUpResponse.class);
            assertEquals(ResponseCode.CHANGED, device.post("/oic/sec/session", signIn(a.uid, di, a.accesstoken)).getCode());
        }
    }
}
