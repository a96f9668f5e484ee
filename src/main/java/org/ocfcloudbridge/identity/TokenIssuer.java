package org.ocfcloudbridge.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.ocfcloudbridge.config.BridgeConfig;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Mints the embedded server's access tokens: ES256 JWTs (RFC 7515, RFC 7518 §3.4) signed with the active key. The JWS is
 * written here (Jackson for the header and claims) and signed by {@link Es256}: smallrye-jwt's builder signs with the
 * JDK's ECDSA, five times slower, which a sign-up storm spent 11% of its CPU in (bench/devices.sh, 2026-12-06). Any
 * JOSE library verifies these tokens with the published key.
 */
@ApplicationScoped
public class TokenIssuer {

    /** Private claims: the grant the token belongs to (for revocation) and, for device tokens, the device id. */
    public static final String GRANT_CLAIM = "gid";
    public static final String DEVICE_CLAIM = "di";
    public static final String CLIENT_CLAIM = "client_id";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The active key as the signer needs it, with the token header that names it; replaced when the key rotates. */
    private record Signer(SigningKeys.ActiveKey key, ECPrivateKeyParameters params, String header) {
    }

    private final SigningKeys keys;
    private final BridgeConfig bridge;
    private volatile Signer signer;

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
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", issuer())
                .put("sub", subject)
                .put("aud", audience())
                .put("iat", now.getEpochSecond())
                .put("exp", now.plus(lifetime).getEpochSecond())
                .put("jti", UUID.randomUUID().toString())
                .put("scope", scope)
                .put(CLIENT_CLAIM, clientId)
                .put(GRANT_CLAIM, grantId.toString());
        if (deviceId != null) {
            claims.put(DEVICE_CLAIM, deviceId);
        }
        Signer s = signer();
        String input = s.header() + "." + B64.encodeToString(json(claims));
        return input + "." + B64.encodeToString(Es256.sign(s.params(), input.getBytes(StandardCharsets.US_ASCII)));
    }

    private Signer signer() {
        SigningKeys.ActiveKey active = keys.active();
        Signer s = signer;
        if (s == null || s.key() != active) {
            ObjectNode header = JSON.createObjectNode().put("kid", active.kid()).put("typ", "JWT").put("alg", SigningKeys.ALGORITHM);
            s = new Signer(active, Es256.privateKey((ECPrivateKey) active.privateKey()),
                    B64.encodeToString(json(header)));
            signer = s;
        }
        return s;
    }

    private static byte[] json(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
