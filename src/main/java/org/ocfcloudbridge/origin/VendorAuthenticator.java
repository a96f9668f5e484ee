package org.ocfcloudbridge.origin;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.identity.InvalidTokenException;
import org.ocfcloudbridge.identity.TokenVerifier;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Who the vendor cloud's user is: a JWT the vendor signs (SmallRye JWT against {@code bridge.origin.vendor.public-key}
 * or {@code .jwks-url}), its {@code sub} the vendor's user id. With neither configured, the bridge's own embedded
 * identity provider plays the vendor (the one-command demo and tests): its tokens are accepted.
 */
@ApplicationScoped
public class VendorAuthenticator {

    /** Not the vendor's user: 401. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final DefaultJWTParser parser;
    private final TokenVerifier embedded;

    public VendorAuthenticator(OriginConfig config, TokenVerifier embedded) {
        this.embedded = embedded;
        OriginConfig.Vendor v = config.vendor();
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

    /** The vendor user id of a token from an {@code Authorization: Bearer} header or a {@code token} parameter. */
    public String user(String authorization, String tokenParameter) {
        String token = tokenParameter;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        }
        if (token == null || token.isBlank()) {
            throw new Refused("a vendor token is required");
        }
        if (parser == null) {
            try {
                return embedded.verify(token).owner();
            } catch (InvalidTokenException | RuntimeException e) {
                throw new Refused("the vendor token is not valid");
            }
        }
        try {
            JsonWebToken jwt = parser.parse(token);
            if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
                throw new Refused("the vendor token names no user (sub)");
            }
            return jwt.getSubject();
        } catch (ParseException e) {
            throw new Refused("the vendor token is not valid");
        }
    }
}
