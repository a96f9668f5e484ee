package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.ocfcloudbridge.cluster.CacheInvalidation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.SigningKey;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The ES256 keys that sign the embedded server's tokens. A daemon whose Target role and embedded server are on creates
 * the first at start (devices and other clouds ask for tokens from the first minute); any other daemon creates it when
 * it first signs a token (an Origin-only daemon's page sign-in), so one that never signs makes none. Every key that is
 * not retired is published in the JWKS under its {@code kid}, and the newest signs, so a new key can be added and
 * an old one retired without breaking tokens already issued. Private keys are stored sealed with the data key
 * ({@link DataCipher}); keys an older version stored in clear are sealed at start.
 */
@ApplicationScoped
public class SigningKeys {

    public static final String ALGORITHM = "ES256";
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    public record ActiveKey(String kid, PrivateKey privateKey) {
    }

    private volatile ActiveKey active;
    private volatile long lastReload;
    private volatile List<JsonWebKey> published = List.of();
    private final DataCipher cipher;
    private final BridgeConfig bridge;
    private final IdentityConfig identity;

    // Looked up when keys change: the bean reloads this one when another instance rotates.
    private final jakarta.enterprise.inject.Instance<CacheInvalidation> invalidation;

    public SigningKeys(DataCipher cipher, BridgeConfig bridge, IdentityConfig identity,
                       jakarta.enterprise.inject.Instance<CacheInvalidation> invalidation) {
        this.invalidation = invalidation;
        this.cipher = cipher;
        this.bridge = bridge;
        this.identity = identity;
    }

    void load(@Observes @Priority(20) StartupEvent event) {
        sealKeysStoredInClear();
        load(bridge.target().enabled() && identity.embeddedEnabled());
    }

    /**
     * Versions before the data key sealed signing keys stored them as plain base64 PKCS#8: seal those rows, so that
     * a database made by an older version keeps its keys (and the tokens they signed keep verifying).
     */
    void sealKeysStoredInClear() {
        int sealed = QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            for (SigningKey k : SigningKey.<SigningKey>listAll()) {
                if (!DataCipher.isSealed(k.privateKey)) {
                    n += SigningKey.update("privateKey = ?1 where kid = ?2 and privateKey = ?3", cipher.seal(k.privateKey), k.kid, k.privateKey);
                }
            }
            return n;
        });
        if (sealed > 0) {
            LOG.infof("sealed %d token signing key(s) that an older version stored in clear", sealed);
        }
    }

    /** Reads the keys from the database; with none, creates the first when a token is to be signed. */
    public void reload() {
        load(false);
    }

    private synchronized void load(boolean createIfNone) {
        List<SigningKey> keys = QuarkusTransaction.requiringNew().call(() -> SigningKey.<SigningKey>list("retiredAt is null"));
        if (keys.isEmpty()) {
            if (!createIfNone) {
                published = List.of();
                active = null;
                lastReload = System.currentTimeMillis();
                return;
            }
            keys = List.of(QuarkusTransaction.requiringNew().call(this::create));
            LOG.infof("created token signing key %s", keys.get(0).kid);
        }
        try {
            List<JsonWebKey> jwks = new ArrayList<>();
            KeyFactory ec = KeyFactory.getInstance("EC");
            for (SigningKey k : keys) {
                ECPublicKey pub = (ECPublicKey) ec.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(k.publicKey)));
                EllipticCurveJsonWebKey jwk = new EllipticCurveJsonWebKey(pub);
                jwk.setKeyId(k.kid);
                jwk.setUse("sig");
                jwk.setAlgorithm(ALGORITHM);
                jwks.add(jwk);
            }
            SigningKey newest = keys.stream().max(Comparator.comparing((SigningKey k) -> k.createdAt)).orElseThrow();
            PrivateKey priv = ec.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privatePart(newest))));
            published = List.copyOf(jwks);
            active = new ActiveKey(newest.kid, priv);
            lastReload = System.currentTimeMillis();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored token signing key cannot be read", e);
        }
    }

    /** Another instance of an older version may still write a key in clear while this one runs: read both forms. */
    private String privatePart(SigningKey k) {
        if (!DataCipher.isSealed(k.privateKey)) {
            return k.privateKey;
        }
        try {
            return cipher.open(k.privateKey);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the token signing key " + k.kid + " cannot be opened with this daemon's data key: daemons"
                    + " sharing one database need the same " + DataCipher.KEY_SETTING);
        }
    }

    private SigningKey create() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = gen.generateKeyPair();
            SigningKey k = new SigningKey();
            byte[] pub = pair.getPublic().getEncoded();
            k.kid = Base64.getUrlEncoder().withoutPadding().encodeToString(Secrets.sha256(pub)).substring(0, 16);
            k.algorithm = ALGORITHM;
            k.publicKey = Base64.getEncoder().encodeToString(pub);
            k.privateKey = cipher.seal(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            k.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            k.persist();
            return k;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create an EC P-256 key", e);
        }
    }

    /** Adds a new key that signs from now on; the previous ones stay published so their tokens still verify. */
    public synchronized String rotate() {
        SigningKey k = QuarkusTransaction.requiringNew().call(this::create);
        LOG.infof("token signing key rotated: %s signs from now on", k.kid);
        reload();
        invalidation.get().signingKeysChanged();
        return k.kid;
    }

    /**
     * Stops publishing a key: tokens it signed stop verifying. The key that signs cannot be retired.
     *
     * @return false if there is no such published key
     */
    public synchronized boolean retire(String kid) {
        if (active().kid().equals(kid)) {
            throw new IllegalStateException("key " + kid + " signs new tokens; rotate first");
        }
        boolean found = QuarkusTransaction.requiringNew().call(() ->
                SigningKey.update("retiredAt = ?1 where kid = ?2 and retiredAt is null", OffsetDateTime.now(ZoneOffset.UTC), kid) == 1);
        if (found) {
            LOG.infof("token signing key %s retired", kid);
            reload();
            invalidation.get().signingKeysChanged();
        }
        return found;
    }

    /** Another instance may have rotated: re-read the keys, at most every few seconds, when a kid is unknown. */
    public void reloadIfStale() {
        long now = System.currentTimeMillis();
        if (now - lastReload > 5000) {
            reload();
        }
    }

    /** The key that signs; the first token to be signed creates it when there is none yet. */
    public ActiveKey active() {
        ActiveKey k = active;
        if (k == null) {
            synchronized (this) {
                if (active == null) {
                    // Another instance on the database may have made one meanwhile: read before creating.
                    load(true);
                }
                k = active;
            }
        }
        return k;
    }

    /** Public keys only. */
    public List<JsonWebKey> publishedKeys() {
        return published;
    }

    public String jwksJson() {
        return new JsonWebKeySet(published).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }
}
