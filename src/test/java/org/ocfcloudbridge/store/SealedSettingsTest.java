package org.ocfcloudbridge.store;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A secret setting is stored sealed, and one an older version stored in clear is sealed the first time it is read. */
@QuarkusTest
class SealedSettingsTest {

    @Inject
    Settings settings;

    @Inject
    DataCipher cipher;

    private static String stored(String name) {
        return QuarkusTransaction.requiringNew().call(() -> BridgeSetting.<BridgeSetting>findById(name).value);
    }

    @Test
    void aNewSecretIsStoredSealedAndKept() {
        String name = "test.secret." + UUID.randomUUID();
        assertEquals("s3cret-value", settings.getOrCreateSecret(name, () -> "s3cret-value"));
        assertTrue(DataCipher.isSealed(stored(name)) && !stored(name).contains("s3cret-value"), stored(name));
        assertEquals("s3cret-value", settings.getOrCreateSecret(name, () -> "another"));
    }

    @Test
    void aSecretAnOlderVersionStoredInClearIsSealedWhenRead() {
        String name = "test.plain." + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            BridgeSetting s = new BridgeSetting();
            s.name = name;
            s.value = "plain-old-password";
            s.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            s.persist();
        });
        assertEquals("plain-old-password", settings.getOrCreateSecret(name, () -> "new"));
        assertFalse(stored(name).contains("plain-old-password"), "still in clear");
        assertEquals("plain-old-password", cipher.open(stored(name)));
        assertEquals("plain-old-password", settings.getOrCreateSecret(name, () -> "new"));
    }
}
