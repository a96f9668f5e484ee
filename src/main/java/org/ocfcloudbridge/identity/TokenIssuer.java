package org.ocfcloudbridge.identity;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import org.ocfcloudbridge.config.BridgeConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Mints the embedded server's access tokens: ES256 JWTs signed with the active key. */
@ApplicationScoped
public class TokenIssuer {

    /** Private claims: the grant the token belongs to (for revocation) and, for device tokens, the device id. */
    public static final String GRANT_CLAIM = "gid";
    public static final String DEVICE_CLAIM = "di";
    public static final String CLIENT_CLAIM = "client_id";

    private final SigningKeys keys;
    private final BridgeConfig bridge;

    public TokenIssuer(SigningKeys keys, BridgeConfig bridge) {
        this.keys = keys;
        this.bridge = bridge;
    }

    /** The issuer identifier: this daemon's public URL. */
    public String issuer() {
        return bridge.publicUrl().replaceAll("/+$", "");
    }

    /** Tokens are for this daemon's APIs (Cloud API, device gateway, admin API). */
    public String audience() {
        return issuer();
    }

    public String accessToken(String subject, String clientId, String scope, UUID grantId, String deviceId, Duration lifetime) {
        Instant now = Instant.now();
        JwtClaimsBuilder claims = Jwt.claims()
                .issuer(issuer())
                .subject(subject)
                .audience(audience())
                .issuedAt(now)
                .expiresAt(now.plus(lifetime))
                .claim("jti", UUID.randomUUID().toString())
                .claim("scope", scope)
                .claim(CLIENT_CLAIM, clientId)
                .claim(GRANT_CLAIM, grantId.toString());
        if (deviceId != null) {
            claims.claim(DEVICE_CLAIM, deviceId);
        }
        SigningKeys.ActiveKey key = keys.active();
        return claims.jws().keyId(key.kid()).algorithm(SignatureAlgorithm.ES256).sign(key.privateKey());
    }
}
