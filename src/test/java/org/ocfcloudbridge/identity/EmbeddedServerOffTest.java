package org.ocfcloudbridge.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** With the embedded server switched off (an external provider only), its endpoints and tokens are gone. */
@QuarkusTest
@TestProfile(EmbeddedServerOffTest.Off.class)
class EmbeddedServerOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.identity.embedded-enabled", "false", "bridge.identity.admin-secret", "");
        }
    }

    @Inject
    TokenIssuer issuer;

    @Inject
    TokenVerifier verifier;

    @Inject
    DeviceAuthorization devices;

    @Test
    void theEmbeddedEndpointsAnswer404AndItsTokensAreRefused() {
        given().get("/.well-known/openid-configuration").then().statusCode(404);
        given().formParam("grant_type", "client_credentials").post("/oauth2/token").then().statusCode(404);
        given().get("/oauth2/authorize").then().statusCode(404);
        given().contentType("application/json").body(Map.of()).post("/api/admin/users").then().statusCode(404);
        String token = issuer.accessToken("u", "c", "r:*", UUID.randomUUID(), null, Duration.ofMinutes(5));
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
        assertEquals("the embedded identity provider is off", e.getMessage());
        assertThrows(DeviceAuthorization.UnknownProvider.class, () -> devices.signUp(null, "code", "di"));
    }
}
