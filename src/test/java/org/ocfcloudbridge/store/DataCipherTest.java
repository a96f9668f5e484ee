package org.ocfcloudbridge.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfcloudbridge.config.BridgeConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data key: where it comes from, its older names, and what it seals. */
class DataCipherTest {

    private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_B = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @Test
    void theOlderSettingNameIsReadAndTwoDifferentKeysAreRefusedByName() {
        assertArrayEquals(new byte[32], DataCipher.configuredKey(Optional.empty(), Optional.of(KEY_A)).orElseThrow());
        assertArrayEquals(new byte[32], DataCipher.configuredKey(Optional.of(KEY_A), Optional.of(KEY_A)).orElseThrow());
        BridgeConfigException both = assertThrows(BridgeConfigException.class,
                () -> DataCipher.configuredKey(Optional.of(KEY_A), Optional.of(KEY_B)));
        assertTrue(both.getMessage().contains("bridge.data-key") && both.getMessage().contains("bridge.origin.token-key"), both.getMessage());
        BridgeConfigException shortKey = assertThrows(BridgeConfigException.class,
                () -> DataCipher.configuredKey(Optional.of("c2hvcnQ="), Optional.empty()));
        assertTrue(shortKey.getMessage().contains("bridge.data-key"), shortKey.getMessage());
    }

    @Test
    void aKeyFileIsMade0600InAPrivateFolderAndTheOlderKeyFileIsStillRead(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        DataCipher made = new DataCipher(Optional.empty(), dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DataCipher.KEY_FILE))));
        String sealed = made.seal("a secret");
        assertTrue(DataCipher.isSealed(sealed) && !sealed.contains("a secret"));
        assertEquals("a secret", new DataCipher(Optional.empty(), dir).open(sealed), "the same key file on the next start");

        Path old = tmp.resolve("old");
        Files.createDirectories(old);
        Files.writeString(old.resolve(DataCipher.OLD_KEY_FILE), KEY_B + "\n");
        DataCipher fromOldFile = new DataCipher(Optional.empty(), old);
        assertEquals("x", new DataCipher(Optional.of(Base64.getDecoder().decode(KEY_B)), tmp).open(fromOldFile.seal("x")));
        assertFalse(Files.exists(old.resolve(DataCipher.KEY_FILE)), "no second key beside the older one");
        assertThrows(IllegalStateException.class, () -> made.open(fromOldFile.seal("x")), "another key opens nothing");
    }
}
