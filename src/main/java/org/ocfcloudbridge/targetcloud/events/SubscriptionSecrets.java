package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.Subscription;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscribers' signing secrets, stored sealed with the data key. Every notification is signed with one, so the
 * opened secret is kept in memory per subscription: opening costs a cipher set-up on each notification otherwise.
 */
@ApplicationScoped
public class SubscriptionSecrets {

    private static final Logger LOG = Logger.getLogger(SubscriptionSecrets.class);
    /** Far more than the active subscriptions of one daemon; past it the cache starts again rather than grow. */
    private static final int CACHED = 50_000;

    private record Opened(String stored, String plain) {
    }

    private final DataCipher cipher;
    private final Map<UUID, Opened> opened = new ConcurrentHashMap<>();

    public SubscriptionSecrets(DataCipher cipher) {
        this.cipher = cipher;
    }

    void start(@Observes @Priority(25) StartupEvent event) {
        sealSecretsStoredInClear();
    }

    /** Versions before this one stored the signing secret in clear: seal those rows, once, at start. */
    public int sealSecretsStoredInClear() {
        int sealed = QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            List<Object[]> rows = Subscription.getEntityManager().createQuery(
                    "select s.id, s.signingSecret from Subscription s where s.signingSecret not like 'v1.%'", Object[].class).getResultList();
            for (Object[] r : rows) {
                String clear = (String) r[1];
                if (!DataCipher.isSealed(clear)) {
                    // Conditional on the clear value, so a daemon sealing the same row meanwhile is not overwritten.
                    n += Subscription.update("signingSecret = ?1 where id = ?2 and signingSecret = ?3",
                            cipher.seal(clear), (UUID) r[0], clear);
                }
            }
            return n;
        });
        if (sealed > 0) {
            LOG.infof("sealed the signing secrets of %d subscription(s) that an older version stored in clear", sealed);
        }
        return sealed;
    }

    public String seal(String plain) {
        return cipher.seal(plain);
    }

    /** The secret that signs this subscription's notifications; a value stored in clear by an older version as it is. */
    public String open(Subscription s) {
        String stored = s.signingSecret;
        if (!DataCipher.isSealed(stored)) {
            return stored;
        }
        Opened o = s.id == null ? null : opened.get(s.id);
        if (o != null && o.stored().equals(stored)) {
            return o.plain();
        }
        String plain = cipher.open(stored);
        if (s.id != null) {
            if (opened.size() >= CACHED) {
                opened.clear();
            }
            opened.put(s.id, new Opened(stored, plain));
        }
        return plain;
    }

    /** Drops what is kept of an ended subscription. */
    public void forget(UUID id) {
        opened.remove(id);
    }
}
