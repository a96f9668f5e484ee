package org.ocfcloudbridge.origin.link;

import jakarta.enterprise.context.ApplicationScoped;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Encrypts what the Origin role keeps of other clouds' secrets (linked users' tokens, OAuth client secrets) with
 * AES-256-GCM: {@code v1.} + base64(nonce ‖ ciphertext ‖ tag). The key is {@code bridge.origin.token-key}, or a key
 * file made on first start in the data folder.
 */
@ApplicationScoped
public class TokenCipher {

    private static final Logger LOG = Logger.getLogger(TokenCipher.class);
    private static final String PREFIX = "v1.";
    private static final int NONCE = 12;

    private final SecretKeySpec key;

    public TokenCipher(OriginConfig origin, BridgeConfig bridge) {
        byte[] raw;
        if (origin.tokenKey().isPresent()) {
            try {
                raw = Base64.getDecoder().decode(origin.tokenKey().get().trim());
            } catch (IllegalArgumentException e) {
                throw new BridgeConfigException("bridge.origin.token-key", "must be base64 of 32 random bytes");
            }
            if (raw.length != 32) {
                throw new BridgeConfigException("bridge.origin.token-key", "must be base64 of 32 random bytes");
            }
        } else {
            raw = keyFile(Path.of(bridge.dataDir()).resolve("origin-token.key"));
        }
        key = new SecretKeySpec(raw, "AES");
    }

    private static byte[] keyFile(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            Files.createDirectories(file.getParent());
            byte[] raw = Secrets.randomBytes(32);
            Files.writeString(file, Base64.getEncoder().encodeToString(raw) + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // The folder's own permissions protect it.
            }
            LOG.infof("created the key that encrypts linked clouds' tokens in %s (set bridge.origin.token-key to share one)", file);
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
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
        if (!sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not a sealed value");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE));
            return new String(c.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored secret cannot be opened with the configured key");
        }
    }
}
