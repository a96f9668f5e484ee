package org.ocfcloudbridge.origin;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The vendor cloud's own JWTs, checked against its configured public key and issuer; {@code sub} is the vendor user. */
@QuarkusTest
@TestProfile(VendorJwtTest.VendorKey.class)
class VendorJwtTest {

    static final KeyPair VENDOR = keys();
    static final KeyPair STRANGER = keys();
    static final String ISSUER = "https://vendor.example";

    static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class VendorKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(VENDOR.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----";
            return Map.of("bridge.origin.vendor.public-key", pem, "bridge.origin.vendor.issuer", ISSUER);
        }
    }

    static String token(PrivateKey key, String issuer, String subject, long expiresIn) {
        var claims = Jwt.claims().issuer(issuer).issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(expiresIn));
        if (subject != null) {
            claims.subject(subject);
        }
        return claims.jws().algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.ES256).sign(key);
    }

    @Test
    void onlyJwtsTheVendorSignedForItsIssuerWithAUserAndInTimeAreTaken() {
        String user = "vendor-user-" + UUID.randomUUID();
        given().auth().oauth2(token(VENDOR.getPrivate(), ISSUER, user, 300)).get("/api/v1/links").then().statusCode(200)
                .body("size()", equalTo(0));
        given().auth().oauth2(token(STRANGER.getPrivate(), ISSUER, user, 300)).get("/api/v1/links").then().statusCode(401);
        given().auth().oauth2(token(VENDOR.getPrivate(), "https://someone.else", user, 300)).get("/api/v1/links").then().statusCode(401);
        given().auth().oauth2(token(VENDOR.getPrivate(), ISSUER, null, 300)).get("/api/v1/links").then().statusCode(401);
        given().auth().oauth2(token(VENDOR.getPrivate(), ISSUER, user, -600)).get("/api/v1/links").then().statusCode(401);
        // The embedded provider's tokens no longer stand for vendor tokens once the vendor has a key.
        given().auth().oauth2(org.ocfcloudbridge.testing.CloudApiUsers.token(org.ocfcloudbridge.testing.OAuthTestClient.newUser(),
                "r:*")).get("/api/v1/links").then().statusCode(401);
    }
}
