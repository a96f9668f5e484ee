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
import org.ocfcloudbridge.store.HotStatements;
import org.ocfcloudbridge.store.OAuthGrant;

import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
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
    private final ExternalProviders external;
    private final IdentityConfig config;
    private final Map<UUID, GrantState> grants = new ConcurrentHashMap<>();
    /** Reads the claims before any check, only to pick the issuer whose rules then verify everything. */
    private final JwtConsumer peek = new JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature()
            .setSkipSignatureVerification().build();

    /** Built once: issuer and audience do not change while the daemon runs. */
    private volatile JwtConsumer claimsOfSigned;

    /**
     * The claims' checks of an embedded token whose ES256 signature {@link #signedByUs} has verified on this very
     * string: expiry, subject, issuer, audience, and the one algorithm.
     */
    private JwtConsumer claimsOfSigned() {
        JwtConsumer c = claimsOfSigned;
        if (c == null) {
            c = new JwtConsumerBuilder()
                    .setRequireExpirationTime()
                    .setRequireSubject()
                    .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                    .setExpectedIssuer(issuer.issuer())
                    .setExpectedAudience(issuer.audience())
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                    .setSkipSignatureVerification()
                    .build();
            claimsOfSigned = c;
        }
        return c;
    }

    /** A published key as {@link Es256} needs it, kept while that key object is the one published. */
    private record VerificationKey(java.security.Key published, org.bouncycastle.crypto.params.ECPublicKeyParameters params) {
    }

    private final Map<String, VerificationKey> verificationKeys = new ConcurrentHashMap<>();
    private static final com.fasterxml.jackson.databind.ObjectMapper HEADER_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Whether {@code token} is a compact JWS whose header says ES256 and names a published key by {@code kid}, and whose
     * signature over its first two parts is that key's ({@link Es256}: a tenth of the JDK's verification cost).
     */
    private boolean signedByUs(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
            return false;
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            com.fasterxml.jackson.databind.JsonNode header = HEADER_JSON.readTree(b64.decode(token.substring(0, first)));
            if (header == null || !header.isObject() || !SigningKeys.ALGORITHM.equals(header.path("alg").textValue())
                    || !header.path("kid").isTextual()) {
                return false;
            }
            org.bouncycastle.crypto.params.ECPublicKeyParameters key = verificationKey(header.get("kid").textValue());
            return key != null && Es256.verify(key, token.substring(0, second).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    b64.decode(token.substring(second + 1)));
        } catch (java.io.IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private org.bouncycastle.crypto.params.ECPublicKeyParameters verificationKey(String kid) {
        JsonWebKey jwk = publishedKey(kid);
        if (jwk == null) {
            keys.reloadIfStale();
            jwk = publishedKey(kid);
        }
        if (jwk == null || !(jwk.getKey() instanceof java.security.interfaces.ECPublicKey ec)) {
            return null;
        }
        VerificationKey k = verificationKeys.get(kid);
        if (k == null || k.published() != ec) {
            k = new VerificationKey(ec, Es256.publicKey(ec));
            verificationKeys.put(kid, k);
        }
        return k.params();
    }

    private JsonWebKey publishedKey(String kid) {
        for (JsonWebKey j : keys.publishedKeys()) {
            if (kid.equals(j.getKeyId())) {
                return j;
            }
        }
        return null;
    }

    private volatile JwtConsumer signatureOnly;

    /** Signature and issuer only (revocation accepts expired tokens), with the JDK's ECDSA: a rare path. */
    private JwtConsumer signatureOnly() {
        JwtConsumer c = signatureOnly;
        if (c == null) {
            c = new JwtConsumerBuilder()
                    .setSkipDefaultAudienceValidation()
                    .setSkipAllDefaultValidators()
                    .setExpectedIssuer(issuer.issuer())
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                    .setVerificationKeyResolver((jws, context) -> resolve(jws))
                    .build();
            signatureOnly = c;
        }
        return c;
    }

    public TokenVerifier(SigningKeys keys, TokenIssuer issuer, ExternalProviders external, IdentityConfig config) {
        this.keys = keys;
        this.issuer = issuer;
        this.external = external;
        this.config = config;
    }

    /**
     * Verifies a Bearer token from the embedded server or a configured external provider, chosen by its issuer.
     *
     * @throws ExternalProviders.Unavailable when the provider that must verify it cannot be reached
     */
    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        if (config.embeddedEnabled()) {
            // A token this instance issued or verified before needs no parsing: it is one of ours by construction.
            String hash = Secrets.sha256Hex(token);
            Known k = known.get(hash);
            if (k != null) {
                return checkKnown(hash, k);
            }
        }
        String iss;
        try {
            iss = peek.processToClaims(token).getIssuer();
        } catch (InvalidJwtException | MalformedClaimException e) {
            throw new InvalidTokenException("token invalid");
        }
        if (iss != null && !iss.equals(issuer.issuer())) {
            Optional<String> provider = external.byIssuer(iss);
            if (provider.isEmpty()) {
                throw new InvalidTokenException("token from an unknown issuer");
            }
            return external.verify(provider.get(), token);
        }
        if (!config.embeddedEnabled()) {
            throw new InvalidTokenException("the embedded identity provider is off");
        }
        return verifyEmbedded(token);
    }

    /**
     * Tokens this instance issued or already verified, by SHA-256: an ES256 verification costs milliseconds on
     * Java 17, and devices sign in with the token they were just given. Expiry, revocation and the signing key
     * being still published are checked on every use.
     */
    private record Known(VerifiedToken token, String kid) {
    }

    private static final int MAX_KNOWN = 100_000;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** Called right after issuing a token, so that its first use needs no signature check. */
    public void remember(String token, VerifiedToken verified, String kid) {
        if (kid == null) {
            return;
        }
        if (known.size() >= MAX_KNOWN) {
            known.clear();
        }
        known.put(Secrets.sha256Hex(token), new Known(verified, kid));
    }

    private VerifiedToken verifyEmbedded(String token) throws InvalidTokenException {
        String hash = Secrets.sha256Hex(token);
        Known k = known.get(hash);
        if (k != null) {
            return checkKnown(hash, k);
        }
        VerifiedToken v = verifySignature(token);
        String kid = kidOf(token);
        if (kid != null) {
            remember(token, v, kid);
        }
        return v;
    }

    private VerifiedToken checkKnown(String hash, Known k) throws InvalidTokenException {
        if (Instant.now().isAfter(k.token().expiresAt().plusSeconds(CLOCK_SKEW_SECONDS))) {
            known.remove(hash);
            throw new InvalidTokenException("token expired");
        }
        if (keys.publishedKeys().stream().noneMatch(j -> k.kid().equals(j.getKeyId()))) {
            known.remove(hash);
            throw new InvalidTokenException("token invalid");
        }
        if (revoked(UUID.fromString(k.token().grantId()))) {
            throw new InvalidTokenException("token revoked");
        }
        return k.token();
    }

    static String kidOf(String token) {
        try {
            return org.jose4j.jwx.JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
        } catch (JoseException e) {
            return null;
        }
    }

    private VerifiedToken verifySignature(String token) throws InvalidTokenException {
        if (!signedByUs(token)) {
            throw new InvalidTokenException("token invalid");
        }
        JwtClaims claims;
        try {
            claims = claimsOfSigned().processToClaims(token);
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
                    grant, config.embeddedProviderName(), Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (MalformedClaimException | IllegalArgumentException e) {
            throw new InvalidTokenException("token invalid");
        }
    }

    /** Grant id of a token that carries our signature, expired or not (for revocation); null if it is not ours. */
    public UUID grantOfOwnToken(String token) {
        try {
            String grant = signatureOnly().processToClaims(token).getStringClaimValue(TokenIssuer.GRANT_CLAIM);
            return grant == null ? null : UUID.fromString(grant);
        } catch (InvalidJwtException | MalformedClaimException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Called by this instance when it revokes a grant, so its own tokens stop at once. */
    public void markRevoked(UUID grantId) {
        grants.put(grantId, new GrantState(true, Long.MAX_VALUE / 2));
    }

    /** Whether a grant of the embedded server is revoked or gone (re-read at most every two seconds). */
    public boolean isRevoked(UUID grantId) {
        return revoked(grantId);
    }

    private boolean revoked(UUID grantId) {
        long now = System.currentTimeMillis();
        GrantState cached = grants.get(grantId);
        if (cached != null && (cached.revoked || now - cached.checkedAt < GRANT_RECHECK_MILLIS)) {
            return cached.revoked;
        }
        // Plain JDBC, the statement kept prepared: at every sign-in after a restart, where Hibernate's find was 8% of
        // the reconnect storm's CPU (bench/devices.sh with BENCH_RECONNECT=1, 2026-12-06).
        boolean revoked = QuarkusTransaction.joiningExisting().call(() -> HotStatements.inTransaction(
                "select revoked_at from oauth_grant where id = ?", ps -> {
                    ps.setObject(1, grantId);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        return !rs.next() || rs.getObject(1) != null;
                    }
                }));
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
                keys.reloadIfStale();
                jwk = new VerificationJwkSelector().select(jws, keys.publishedKeys());
            }
            if (jwk == null) {
                throw new UnresolvableKeyException("no published key matches kid " + jws.getKeyIdHeaderValue());
            }
            return jwk.getKey();
        } catch (JoseException e) {
            throw new UnresolvableKeyException("cannot select a key", e);
        }
    }
}
