package org.ocfcloudbridge.origin;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * Vendor JWTs checked against a JWKS fetched over HTTP: the vendor here is this daemon's own identity provider, whose
 * {@code /oauth2/jwks} is a real JWKS endpoint.
 */
@QuarkusTest
@TestProfile(VendorJwksTest.VendorJwks.class)
class VendorJwksTest {

    public static final class VendorJwks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.origin.vendor.jwks-url", OriginLinks.BASE + "/oauth2/jwks",
                    "bridge.origin.vendor.issuer", OriginLinks.BASE);
        }
    }

    @Test
    void tokensSignedWithAKeyOfTheVendorsJwksAreTakenOthersNot() {
        given().auth().oauth2(CloudApiUsers.token(OAuthTestClient.newUser(), "r:*")).get("/api/v1/links").then().statusCode(200)
                .body("size()", equalTo(0));
        String token = CloudApiUsers.token(OAuthTestClient.newUser(), "r:*");
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth().oauth2(tampered).get("/api/v1/links").then().statusCode(401);
        given().auth().oauth2("not-a-jwt-" + UUID.randomUUID()).get("/api/v1/links").then().statusCode(401);
    }
}
