package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;
import org.ocfcloudbridge.store.OAuthGrant;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies the embedded server's access tokens: signature by a published key, issuer, audience, expiry, and that the
 * grant they belong to has not been revoked.
 */
@ApplicationScoped
public class TokenVerifier {

    /** Revocation state is re-read from the database at most this often per grant (other instances may revoke). */
    private static final long GRANT_RECHECK_MILLIS = 2000;
    private static final int CLOCK_SKEW_SECONDS = 30;

    private record GrantState(boolean revoked, long checkedAt) {
    }

    private final SigningKeys keys;
    private final TokenIssuer issuer;
    private final Map<UUID, GrantState> grants = new ConcurrentHashMap<>();

    public TokenVerifier(SigningKeys keys, TokenIssuer issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .setExpectedIssuer(issuer.issuer())
                .setExpectedAudience(issuer.audience())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                .setVerificationKeyResolver((jws, context) -> resolve(jws))
                .build();
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException(e.hasExpired() ? "token expired" : "token invalid");
        }
        try {
            String grant = claims.getStringClaimValue(TokenIssuer.GRANT_CLAIM);
            if (grant == null || revoked(UUID.fromString(grant))) {
                throw new InvalidTokenException("token revoked");
            }
            return new VerifiedToken(claims.getSubject(), claims.getStringClaimValue(TokenIssuer.CLIENT_CLAIM),
                    Scopes.parse(claims.getStringClaimValue("scope")), claims.getStringClaimValue(TokenIssuer.DEVICE_CLAIM),
                    grant, VerifiedToken.EMBEDDED, Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (MalformedClaimException | IllegalArgumentException e) {
            throw new InvalidTokenException("token invalid");
        }
    }

    /** Grant id of a token that carries our signature, expired or not (for revocation); null if it is not ours. */
    public UUID grantOfOwnToken(String token) {
        try {
            JwtConsumer consumer = new JwtConsumerBuilder()
                    .setSkipDefaultAudienceValidation()
                    .setSkipAllDefaultValidators()
                    .setExpectedIssuer(issuer.issuer())
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                    .setVerificationKeyResolver((jws, context) -> resolve(jws))
                    .build();
            String grant = consumer.processToClaims(token).getStringClaimValue(TokenIssuer.GRANT_CLAIM);
            return grant == null ? null : UUID.fromString(grant);
        } catch (InvalidJwtException | MalformedClaimException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Called by this instance when it revokes a grant, so its own tokens stop at once. */
    public void markRevoked(UUID grantId) {
        grants.put(grantId, new GrantState(true, Long.MAX_VALUE / 2));
    }

    private boolean revoked(UUID grantId) {
        long now = System.currentTimeMillis();
        GrantState cached = grants.get(grantId);
        if (cached != null && (cached.revoked || now - cached.checkedAt < GRANT_RECHECK_MILLIS)) {
            return cached.revoked;
        }
        boolean revoked = QuarkusTransaction.joiningExisting().call(() -> {
            OAuthGrant g = OAuthGrant.findById(grantId);
            return g == null || g.revokedAt != null;
        });
        if (grants.size() > 100_000) {
            grants.clear();
        }
        grants.put(grantId, new GrantState(revoked, now));
        return revoked;
    }

    private java.security.Key resolve(JsonWebSignature jws) throws UnresolvableKeyException {
        try {
            JsonWebKey jwk = new VerificationJwkSelector().select(jws, keys.publishedKeys());
            if (jwk == null) {
                throw new UnresolvableKeyException("no published key matches kid " + jws.getKeyIdHeaderValue());
            }
            return jwk.getKey();
        } catch (JoseException e) {
            throw new UnresolvableKeyException("cannot select a key", e);
        }
    }

}
