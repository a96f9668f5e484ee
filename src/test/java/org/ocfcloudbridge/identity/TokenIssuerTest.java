package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.OAuthGrant;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access tokens {@link TokenIssuer} signs itself are plain ES256 JWTs: a JOSE library verifies them with the key
 * the JWKS endpoint publishes, and so does the daemon's own verifier; a changed byte fails both.
 */
@QuarkusTest
class TokenIssuerTest {

    @Inject
    TokenIssuer issuer;

    @Inject
    TokenVerifier verifier;

    /** A token of a grant that exists (the verifier refuses one whose grant it cannot find). */
    private String token(String deviceId) {
        UUID grant = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            OAuthGrant g = new OAuthGrant();
            g.id = grant;
            g.clientId = "device-client";
            g.deviceId = deviceId;
            g.scope = "r:* w:*";
            g.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            g.persist();
        });
        return issuer.accessToken("user-1", "device-client", "r:* w:*", grant, deviceId, Duration.ofMinutes(5));
    }

    private static JsonWebSignature parsed(String token) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(token);
        String jwks = given().get(Protocol.HttpPaths.JWKS).then().statusCode(200).extract().asString();
        jws.setKey(new VerificationJwkSelector().select(jws, new JsonWebKeySet(jwks).getJsonWebKeys()).getKey());
        return jws;
    }

    @Test
    void aTokenVerifiesWithThePublishedKeyAndCarriesItsClaims() throws Exception {
        String di = UUID.randomUUID().toString();
        JsonWebSignature jws = parsed(token(di));
        assertEquals(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, jws.getAlgorithmHeaderValue());
        assertTrue(jws.verifySignature(), "verifies with the JWKS key");
        JwtClaims claims = JwtClaims.parse(jws.getPayload());
        assertEquals(issuer.issuer(), claims.getIssuer());
        assertEquals(java.util.List.of(issuer.audience()), claims.getAudience());
        assertEquals("user-1", claims.getSubject());
        assertEquals(di, claims.getStringClaimValue(TokenIssuer.DEVICE_CLAIM));
        assertEquals(300, claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue());

        // Not issued through the OAuth service, so the verifier has not seen it: it checks the signature itself.
        VerifiedToken v = verifier.verify(token(di));
        assertEquals(di, v.deviceId());
        assertEquals("device-client", v.clientId());
    }

    @Test
    void aChangedClaimFailsTheSignature() throws Exception {
        String token = token(null);
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.replace("user-1", "user-2").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertFalse(parsed(forged).verifySignature(), "the JWKS key refuses it");
        assertThrows(InvalidTokenException.class, () -> verifier.verify(forged));
    }
}
