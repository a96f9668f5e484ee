package org.ocfcloudbridge.store;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** Write-once settings that several daemons sharing one PostgreSQL database agree on. */
@ApplicationScoped
public class Settings {

    private final DataCipher cipher;

    public Settings(DataCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * Like {@link #getOrCreate} for a secret: stored sealed with the data key. A value an older version stored in clear
     * is sealed in place the first time it is read.
     */
    public String getOrCreateSecret(String name, Supplier<String> initial) {
        String stored = getOrCreate(name, () -> cipher.seal(initial.get()));
        if (DataCipher.isSealed(stored)) {
            return cipher.open(stored);
        }
        QuarkusTransaction.requiringNew().run(() ->
                BridgeSetting.update("value = ?1 where name = ?2 and value = ?3", cipher.seal(stored), name, stored));
        return stored;
    }

    /**
     * Returns the stored value of {@code name}, storing {@code initial} first if there is none. When two daemons start
     * together on one database, the primary key lets one insert win and the other reads the winner's value.
     */
    public String getOrCreate(String name, Supplier<String> initial) {
        String existing = QuarkusTransaction.requiringNew().call(() -> find(name));
        if (existing != null) {
            return existing;
        }
        String candidate = initial.get();
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                BridgeSetting s = new BridgeSetting();
                s.name = name;
                s.value = candidate;
                s.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
                s.persist();
            });
            return candidate;
        } catch (RuntimeException raced) {
            String winner = QuarkusTransaction.requiringNew().call(() -> find(name));
            if (winner == null) {
                throw raced;
            }
            return winner;
        }
    }

    private static String find(String name) {
        BridgeSetting s = BridgeSetting.findById(name);
        return s == null ? null : s.value;
    }
}
