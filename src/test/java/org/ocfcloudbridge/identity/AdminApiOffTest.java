package org.ocfcloudbridge.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Without bridge.identity.admin-secret there is no admin client, so nothing can get the admin scope. */
@QuarkusTest
@TestProfile(AdminApiOffTest.NoSecret.class)
class AdminApiOffTest {

    public static class NoSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.identity.admin-secret", "");
        }
    }

    @Test
    void theAdminClientDoesNotExist() {
        given().auth().preemptive().basic("bridge-admin", OAuthTestClient.ADMIN_SECRET)
                .formParam("grant_type", "client_credentials").post("/oauth2/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        given().contentType("application/json").body(Map.of("username", "x", "password", "long-enough"))
                .post("/api/admin/users").then().statusCode(401);
    }
}
