package org.ocfcloudbridge.targetcloud;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.Settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class CloudConfigurationTest {

    @Inject
    CloudIdentity identity;

    @Inject
    Settings settings;

    @Inject
    org.ocfcloudbridge.targetcloud.coap.CoapGateway gateway;

    @Test
    void theCloudIdIsStoredAndPublishedWithTheDeviceEndpoint() {
        String stored = settings.getOrCreate(CloudIdentity.SETTING, () -> "must-not-be-used");
        assertEquals(identity.sid().toString(), stored);
        given().get(Protocol.HttpPaths.CLOUD_CONFIGURATION).then().statusCode(200)
                .body("sid", equalTo(stored))
                .body("cis", equalTo("coaps+tcp://localhost:" + gateway.tlsPort()))
                .body("cloudApiUrl", equalTo("http://localhost:8081/api/v1"))
                .body("apn", equalTo("bridge"))
                .body("authProviders", equalTo(java.util.List.of("bridge")))
                .body("publicUrl", equalTo("http://localhost:8081"))
                .body("roles.target", equalTo(true))
                .body("roles.origin", equalTo(true));
    }
}
