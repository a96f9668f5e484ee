package org.ocfcloudbridge.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.origin.OriginConfig;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;

/**
 * Seals the secrets the daemon must be able to read back (token signing keys, linked users' tokens, OAuth client
 * secrets, the demo's password) with AES-256-GCM under the data key: {@code v1.} + base64(nonce ‖ ciphertext ‖ tag).
 * The data key is {@code bridge.data-key} (or its older name {@code bridge.origin.token-key}), else a key file made on
 * first start in the data folder. Daemons that share one database must share the data key.
 */
@ApplicationScoped
public class DataCipher {

    public static final String KEY_SETTING = "bridge.data-key";
    /** The name the data key had while only the Origin role used it; still accepted. */
    public static final String OLD_KEY_SETTING = "bridge.origin.token-key";
    static final String KEY_FILE = "data.key";
    /** The key file of versions that named the key after the Origin role; read if present, never created. */
    static final String OLD_KEY_FILE = "origin-token.key";

    private static final Logger LOG = Logger.getLogger(DataCipher.class);
    private static final String PREFIX = "v1.";
    private static final int NONCE = 12;

    private final SecretKeySpec key;

    @Inject
    public DataCipher(OriginConfig origin, BridgeConfig bridge) {
        this(configuredKey(bridge.dataKey(), origin.tokenKey()), Path.of(bridge.dataDir()));
    }

    DataCipher(Optional<byte[]> configured, Path dataDir) {
        key = new SecretKeySpec(configured.orElseGet(() -> keyFile(dataDir)), "AES");
    }

    static Optional<byte[]> configuredKey(Optional<String> dataKey, Optional<String> oldName) {
        Optional<byte[]> current = dataKey.map(v -> decode(KEY_SETTING, v));
        Optional<byte[]> old = oldName.map(v -> decode(OLD_KEY_SETTING, v));
        if (current.isPresent() && old.isPresent() && !java.util.Arrays.equals(current.get(), old.get())) {
            throw new BridgeConfigException(KEY_SETTING, "differs from " + OLD_KEY_SETTING + " (its older name): set one of them");
        }
        return current.isPresent() ? current : old;
    }

    private static byte[] decode(String setting, String value) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException(setting, "must be base64 of 32 random bytes");
        }
        if (raw.length != 32) {
            throw new BridgeConfigException(setting, "must be base64 of 32 random bytes");
        }
        return raw;
    }

    private static byte[] keyFile(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        Path old = dataDir.resolve(OLD_KEY_FILE);
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            if (Files.exists(old)) {
                return Base64.getDecoder().decode(Files.readString(old).trim());
            }
            DataFolder.prepare(dataDir);
            byte[] raw = Secrets.randomBytes(32);
            DataFolder.writeSecret(file, Base64.getEncoder().encodeToString(raw) + "\n");
            LOG.infof("created the data key in %s (set %s to share one between daemons on one database)", file, KEY_SETTING);
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the data key file " + file + " is not base64 of 32 bytes");
        }
    }

    /** Whether a stored value is sealed (older versions stored some secrets in clear). */
    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    public String seal(String plain) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] nonce = Secrets.randomBytes(NONCE);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
        }
    }

    /** @throws IllegalStateException when the value was not sealed with this key (a changed key, a tampered row) */
    public String open(String sealed) {
        if (sealed == null) {
            return null;
        }
        if (!isSealed(sealed)) {
            throw new IllegalStateException("not a sealed value");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE));
            return new String(c.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored secret cannot be opened with the configured data key (" + KEY_SETTING + ")");
        }
    }
}
