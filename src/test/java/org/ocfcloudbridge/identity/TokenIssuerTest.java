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
 * the JWKS endpoint publishes, and so does the daemon's own verifier; a changed byte fails both. The verifier's own
 * signature check ({@link Es256}) takes an ES256 signature of the published key made by the JDK, and nothing else: no
 * other algorithm, no other key under our key id, no DER-encoded signature.
 */
@QuarkusTest
class TokenIssuerTest {

    @Inject
    TokenIssuer issuer;

    @Inject
    TokenVerifier verifier;

    @Inject
    SigningKeys keys;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A token with this header over the claims of a genuine one, signed by {@code signer} (null: no signature). */
    private String resigned(String header, java.util.function.Function<byte[], byte[]> signer) {
        String claims = token(null).split("\\.")[1];
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + claims;
        return input + "." + (signer == null ? "" : B64.encodeToString(signer.apply(input.getBytes(StandardCharsets.US_ASCII))));
    }

    private static java.util.function.Function<byte[], byte[]> jdk(String algorithm, java.security.Key key) {
        return input -> {
            try {
                if (key instanceof javax.crypto.SecretKey) {
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance(algorithm);
                    mac.init(key);
                    return mac.doFinal(input);
                }
                java.security.Signature s = java.security.Signature.getInstance(algorithm);
                s.initSign((java.security.PrivateKey) key);
                s.update(input);
                return s.sign();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A token of a grant that exists (the verifier refuses one whose grant it cannot find). */
    private String token(String deviceId) {
        return token(deviceId, false);
    }

    private String token(String deviceId, boolean revoked) {
        UUID grant = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            OAuthGrant g = new OAuthGrant();
            g.id = grant;
            g.clientId = "device-client";
            g.deviceId = deviceId;
            g.scope = "r:* w:*";
            g.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            g.revokedAt = revoked ? g.createdAt : null;
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
    void aTokenWhoseGrantTheDatabaseHasRevokedIsRefused() {
        // Revoked as by another instance: this one never saw the grant, only the database says so.
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(token(null, true)));
        assertEquals("token revoked", e.getMessage());
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

    @Test
    void theVerifierTakesTheJdksSignatureOfThePublishedKeyAndNothingElse() throws Exception {
        SigningKeys.ActiveKey active = keys.active();
        String header = "{\"kid\":\"" + active.kid() + "\",\"alg\":\"ES256\"}";
        // Interoperability: the same key's ES256 signature made by the JDK verifies.
        assertEquals("user-1", verifier.verify(resigned(header, jdk("SHA256withECDSAinP1363Format", active.privateKey()))).owner());
        // The JDK's default (DER) encoding is not JWS's R || S.
        assertThrows(InvalidTokenException.class,
                () -> verifier.verify(resigned(header, jdk("SHA256withECDSA", active.privateKey()))));
        // Another P-256 key under our key id.
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        assertThrows(InvalidTokenException.class, () -> verifier.verify(
                resigned(header, jdk("SHA256withECDSAinP1363Format", g.generateKeyPair().getPrivate()))));
        // No signature, or an HMAC keyed with the public key (algorithm confusion).
        assertThrows(InvalidTokenException.class, () -> verifier.verify(
                resigned("{\"kid\":\"" + active.kid() + "\",\"alg\":\"none\"}", null)));
        byte[] publicKey = keys.publishedKeys().get(0).getKey().getEncoded();
        assertThrows(InvalidTokenException.class, () -> verifier.verify(resigned("{\"kid\":\"" + active.kid() + "\",\"alg\":\"HS256\"}",
                jdk("HmacSHA256", new javax.crypto.spec.SecretKeySpec(publicKey, "HmacSHA256")))));
        // An unknown key id.
        assertThrows(InvalidTokenException.class, () -> verifier.verify(
                resigned("{\"kid\":\"nobody\",\"alg\":\"ES256\"}", jdk("SHA256withECDSAinP1363Format", active.privateKey()))));
    }
}
