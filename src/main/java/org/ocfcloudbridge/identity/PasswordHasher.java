package org.ocfcloudbridge.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * PBKDF2-HMAC-SHA256 from the JDK, stored as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} so that the cost can
 * rise later without invalidating stored hashes.
 */
@ApplicationScoped
public class PasswordHasher {

    private static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final int iterations;
    /** Verifying against this when the user does not exist costs the same as a real check (no user enumeration). */
    private final String decoy;

    @Inject
    public PasswordHasher(IdentityConfig config) {
        this(config.passwordHashIterations());
    }

    PasswordHasher(int iterations) {
        this.iterations = iterations;
        this.decoy = hash("decoy-" + Secrets.randomToken());
    }

    public String hash(String password) {
        byte[] salt = Secrets.randomBytes(SALT_BYTES);
        byte[] dk = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(dk);
    }

    public boolean verify(String password, String stored) {
        String[] parts = (stored == null ? decoy : stored).split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            return false;
        }
        int n = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = derive(password == null ? "" : password, salt, n);
        return MessageDigest.isEqual(expected, actual) && stored != null;
    }

    /** Runs a verification against a hash nobody knows, so a wrong user name takes as long as a wrong password. */
    public void burn(String password) {
        verify(password, null);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        // HMAC refuses an empty key; passwords are never empty (the admin API asks for 8 characters or more).
        char[] chars = password.isEmpty() ? new char[] {0} : password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
