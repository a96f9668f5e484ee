package org.ocfcloudbridge.origin;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.identity.IdentityConfig;
import org.ocfcloudbridge.identity.InvalidTokenException;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.identity.VerifiedToken;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Who the vendor cloud's user is, and whether the call may do what it asks.
 * <ul>
 * <li>With {@code bridge.origin.vendor.public-key} or {@code .jwks-url}: a JWT the vendor signs (SmallRye JWT), with
 * {@code sub} (the vendor's user id) and {@code exp} required, {@code iss} when {@code .issuer} is set, and the scope
 * {@code .required-scope} names when it is set.</li>
 * <li>With neither, the bridge's own embedded identity provider plays the vendor (the one-command demo and tests): only
 * its <em>user</em> tokens of the clients {@code .embedded-clients} names are accepted, never a client-credentials,
 * device or admin token (each of those reached every link before), and the OCF scopes apply as at the Target Cloud:
 * {@code r:*} to read, {@code w:*} to change anything.</li>
 * </ul>
 */
@ApplicationScoped
public class VendorAuthenticator {

    /** Not the vendor's user (401), or a token without the scope the call needs (403, {@code insufficient_scope}). */
    public static final class Refused extends RuntimeException {
        public final int status;
        public final String scope;

        Refused(String message) {
            this(401, message, null);
        }

        Refused(int status, String message, String scope) {
            super(message, null, false, false);
            this.status = status;
            this.scope = scope;
        }
    }

    /** A 401 refusal for callers that authenticate otherwise (the page's session). */
    public static Refused refused(String message) {
        return new Refused(message);
    }

    private final DefaultJWTParser parser;
    private final TokenVerifier embedded;
    private final IdentityConfig identity;
    private final Set<String> embeddedClients;
    private final String requiredScope;

    public VendorAuthenticator(OriginConfig config, TokenVerifier embedded, IdentityConfig identity) {
        this.embedded = embedded;
        this.identity = identity;
        OriginConfig.Vendor v = config.vendor();
        this.embeddedClients = Set.copyOf(v.embeddedClients());
        this.requiredScope = v.requiredScope().filter(sc -> !sc.isBlank()).orElse(null);
        if (v.publicKey().isEmpty() && v.jwksUrl().isEmpty()) {
            parser = null;
            return;
        }
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        String key = v.publicKey().orElse(null);
        if (key != null && !key.contains("-----BEGIN") && java.nio.file.Files.isReadable(java.nio.file.Path.of(key))) {
            try {
                String text = java.nio.file.Files.readString(java.nio.file.Path.of(key));
                key = text.contains("-----BEGIN") ? text : key;
            } catch (java.io.IOException e) {
                throw new BridgeConfigException("bridge.origin.vendor.public-key", "cannot be read");
            }
        }
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256, SignatureAlgorithm.PS256,
                SignatureAlgorithm.EDDSA));
        if (key != null && key.contains("-----BEGIN")) {
            // Decoded here: SmallRye reads PEM text as RSA, and vendors sign with EC or EdDSA keys as well.
            PublicKey decoded = decodePem(key);
            info.setPublicVerificationKey(decoded);
            info.setSignatureAlgorithm(switch (decoded.getAlgorithm()) {
                case "EC" -> Set.of(SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512);
                case "RSA" -> Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384, SignatureAlgorithm.RS512,
                        SignatureAlgorithm.PS256, SignatureAlgorithm.PS384, SignatureAlgorithm.PS512);
                default -> Set.of(SignatureAlgorithm.EDDSA);
            });
        } else {
            info.setPublicKeyLocation(key != null ? key : v.jwksUrl().get());
        }
        v.issuer().ifPresent(info::setIssuedBy);
        parser = new DefaultJWTParser(info);
    }

    /** A PEM {@code PUBLIC KEY} of any of the algorithms vendors sign with. */
    static PublicKey decodePem(String pem) {
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException("bridge.origin.vendor.public-key", "is not a PEM public key");
        }
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new BridgeConfigException("bridge.origin.vendor.public-key", "is not an EC, RSA or Ed25519 public key");
    }

    /**
     * The vendor user id of a token from an {@code Authorization: Bearer} header or a {@code token} parameter, when the
     * token may do what {@code ocfScope} ({@code r:*} or {@code w:*}) stands for.
     *
     * @throws Refused 401 without a valid vendor user token, 403 without the scope
     */
    public String user(String authorization, String tokenParameter, String ocfScope) {
        String token = tokenParameter;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        }
        if (token == null || token.isBlank()) {
            throw new Refused("a vendor token is required");
        }
        return parser == null ? embeddedUser(token, ocfScope) : vendorUser(token);
    }

    private String embeddedUser(String token, String ocfScope) {
        VerifiedToken v;
        try {
            v = embedded.verify(token);
        } catch (InvalidTokenException | RuntimeException e) {
            throw new Refused("the vendor token is not valid");
        }
        // Only people: a client-credentials token names its client as subject, a device token carries di, and an
        // external provider's tokens are that provider's business (configure it as the vendor's JWKS instead).
        boolean user = v.deviceId() == null && v.clientId() != null && !v.owner().equals(v.clientId())
                && v.provider().equals(identity.embeddedProviderName()) && !v.clientId().equals(identity.deviceClientId());
        if (!user || !embeddedClients.contains(v.clientId())) {
            throw new Refused("the token is not a vendor user's token");
        }
        if (ocfScope != null && !v.hasScope(ocfScope)) {
            throw new Refused(403, "the token lacks scope " + ocfScope, ocfScope);
        }
        return v.owner();
    }

    private String vendorUser(String token) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            throw new Refused("the vendor token is not valid");
        }
        if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
            throw new Refused("the vendor token names no user (sub)");
        }
        if (jwt.getExpirationTime() <= 0) {
            throw new Refused("the vendor token has no expiry (exp)");
        }
        if (requiredScope != null && !scopesOf(jwt).contains(requiredScope)) {
            throw new Refused(403, "the vendor token lacks scope " + requiredScope, requiredScope);
        }
        return jwt.getSubject();
    }

    /** RFC 8693's space-separated {@code scope}, or the {@code scp} array some providers use. */
    private static Set<String> scopesOf(JsonWebToken jwt) {
        Object scope = jwt.getClaim("scope");
        if (scope != null) {
            String text = scope instanceof jakarta.json.JsonString js ? js.getString() : scope.toString();
            return Set.of(text.trim().split("\\s+"));
        }
        Object scp = jwt.getClaim("scp");
        if (scp instanceof jakarta.json.JsonArray a) {
            return a.stream().map(x -> x instanceof jakarta.json.JsonString js ? js.getString() : x.toString())
                    .collect(java.util.stream.Collectors.toSet());
        }
        if (scp instanceof java.util.Collection<?> c) {
            return c.stream().map(Object::toString).collect(java.util.stream.Collectors.toSet());
        }
        return Set.of();
    }
}
