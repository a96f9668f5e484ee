package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.store.Subscription;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Creating, finding and cancelling subscriptions (Part 10 §5.2–§5.3); each belongs to the user who made it. */
@ApplicationScoped
public class Subscriptions {

    private final EventJournal journal;
    private final SubscriptionSecrets secrets;

    public Subscriptions(EventJournal journal, SubscriptionSecrets secrets) {
        this.journal = journal;
        this.secrets = secrets;
    }

    /** Stores the subscription and, in the same transaction, the notifications that carry the current state. */
    public UUID subscribe(Subscription s) {
        s.id = UUID.randomUUID();
        s.nextSeq = 0;
        s.state = Subscription.State.ACTIVE;
        s.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        // Always: the subscriber chooses the secret, and one may well begin like a sealed value does.
        s.signingSecret = secrets.seal(s.signingSecret);
        QuarkusTransaction.requiringNew().run(() -> {
            s.persist();
            s.flush();
            journal.initial(s);
        });
        return s.id;
    }

    /** The user's active subscription {@code id} at that level and place; another user's is never found. */
    public Optional<Subscription> find(String ownerId, String id, Subscription.Level level, String deviceId, String href) {
        UUID uuid = Inputs.uuid(id).orElse(null);
        if (uuid == null) {
            return Optional.empty();
        }
        return QuarkusTransaction.requiringNew().call(() -> Subscription.<Subscription>findByIdOptional(uuid)
                .filter(s -> matches(s, ownerId, level, deviceId, href)));
    }

    /** Cancels it: a last {@code subscription_cancelled} is queued after what is already queued. */
    public boolean cancel(String ownerId, String id, Subscription.Level level, String deviceId, String href) {
        UUID uuid = Inputs.uuid(id).orElse(null);
        if (uuid == null) {
            return false;
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Subscription s = Subscription.<Subscription>find("id", uuid).withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
                    .firstResult();
            if (s == null || !matches(s, ownerId, level, deviceId, href)) {
                return false;
            }
            journal.cancel(s);
            secrets.forget(s.id);
            return true;
        });
    }

    private static boolean matches(Subscription s, String ownerId, Subscription.Level level, String deviceId, String href) {
        return s.state == Subscription.State.ACTIVE && s.ownerId.equals(ownerId) && s.level == level
                && Objects.equals(s.deviceId, deviceId) && Objects.equals(s.href, href);
    }
}
