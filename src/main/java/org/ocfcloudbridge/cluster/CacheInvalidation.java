package org.ocfcloudbridge.cluster;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.ocfcloudbridge.identity.SigningKeys;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.origin.link.TargetClient;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Keeps the per-instance caches of cluster mode true to the shared database: whoever changes what a cache holds tells
 * the other instances here, and they drop (or re-read) their copy. Without cluster mode nothing is sent or received.
 *
 * <p>Each message is sent once the change is committed (a rolled-back change is never announced), so an instance
 * that drops its copy on receipt reads the new state. The changing instance drops its own copy itself, as before
 * cluster mode. An instance that lost the bus a while drops every cache on reconnection: it may have missed messages.
 */
@ApplicationScoped
public class CacheInvalidation {

    private final ClusterBus bus;
    private final TransactionSynchronizationRegistry transactions;
    // Looked up when a message arrives: the caches' owners use this bean too.
    private final Instance<TargetClient> targets;
    private final Instance<SigningKeys> keys;
    private final Instance<TokenVerifier> verifier;

    public CacheInvalidation(ClusterBus bus, TransactionSynchronizationRegistry transactions, Instance<TargetClient> targets,
                             Instance<SigningKeys> keys, Instance<TokenVerifier> verifier) {
        this.bus = bus;
        this.transactions = transactions;
        this.targets = targets;
        this.keys = keys;
        this.verifier = verifier;
    }

    void listen(@Observes @Priority(3) StartupEvent event) {
        bus.subscribe(ClusterSubjects.LINK_SESSION, body -> uuid(body).ifPresent(id -> targets.get().forgetHere(id)));
        bus.subscribe(ClusterSubjects.LINKED_CLOUD, body -> targets.get().forgetCloudHere(text(body)));
        bus.subscribe(ClusterSubjects.SIGNING_KEYS, body -> keys.get().reload());
        bus.subscribe(ClusterSubjects.GRANT_REVOKED, body -> uuid(body).ifPresent(id -> verifier.get().markRevoked(id)));
        bus.whenMessagesMayHaveBeenMissed(() -> {
            targets.get().forgetAllHere();
            keys.get().reload();
        });
    }

    /** A link was relinked, unlinked, marked for re-authorization, or got new tokens. */
    public void linkChanged(UUID linkId) {
        afterCommit(ClusterSubjects.LINK_SESSION, linkId.toString());
    }

    /** A linked cloud's URLs or client changed: this instance's sessions of its links go too. */
    public void cloudChanged(String name) {
        targets.get().forgetCloudHere(name);
        afterCommit(ClusterSubjects.LINKED_CLOUD, name);
    }

    /** A token signing key was added or retired (this instance has re-read them). */
    public void signingKeysChanged() {
        afterCommit(ClusterSubjects.SIGNING_KEYS, "");
    }

    /** A grant was revoked (this instance has marked it): its tokens stop on every instance at once. */
    public void grantRevoked(UUID grantId) {
        afterCommit(ClusterSubjects.GRANT_REVOKED, grantId.toString());
    }

    private void afterCommit(String subject, String key) {
        if (!bus.enabled()) {
            return;
        }
        byte[] body = key.getBytes(StandardCharsets.UTF_8);
        if (transactions.getTransactionKey() == null) {
            bus.publish(subject, body);
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    bus.publish(subject, body);
                }
            }
        });
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static java.util.Optional<UUID> uuid(byte[] body) {
        try {
            return java.util.Optional.of(UUID.fromString(text(body)));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
