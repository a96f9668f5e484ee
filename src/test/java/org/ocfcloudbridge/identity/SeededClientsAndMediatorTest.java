package org.ocfcloudbridge.identity;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Clients from configuration, and a Mediator getting a device code through the browser flow. */
@QuarkusTest
class SeededClientsAndMediatorTest {

    @Inject
    DeviceAuthorization devices;

    @Test
    void aClientSeededFromConfigurationCanSignUsersIn() {
        String[] user = OAuthTestClient.newUser();
        String code = OAuthTestClient.code("seeded-app", "http://127.0.0.1:9/seeded", user, null, "r:*");
        OAuthTestClient.exchange("seeded-app", "seeded-secret-0123456789", code, "http://127.0.0.1:9/seeded", null)
                .then().statusCode(200).body("scope", equalTo("r:*"));
    }

    @Test
    void aMediatorGetsADeviceCodeThroughTheAuthorizeFlowAndTheDeviceSignsUpWithIt() {
        String[] user = OAuthTestClient.newUser();
        // The Mediator cannot hand a PKCE verifier to the device: the device client needs none.
        String code = OAuthTestClient.code("ocf-device", "http://127.0.0.1:9/mediator", user, null, null);
        String di = UUID.randomUUID().toString();
        DeviceAuthorization.DeviceTokens t = devices.signUp(null, code, di);
        assertEquals(user[2], t.uid());
        assertEquals("bridge", t.provider());
        assertEquals(3600, t.expiresIn());
        assertEquals(user[2], devices.refresh("bridge", t.refreshToken(), di).uid());
        assertThrows(DeviceAuthorization.Refused.class, () -> devices.signUp("bridge", code, di));
        assertThrows(DeviceAuthorization.Refused.class, () -> devices.signUp(null, "made-up-code", di));
    }
}
