package org.ocfcloudbridge.origin;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.store.LinkRequest;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Deletes what the Origin tables no longer need, so they do not grow with every event and every link started: dead
 * webhook deliveries past {@code bridge.origin.dead-letter-retention}, vendor events past
 * {@code bridge.origin.event-retention} that no webhook delivery waits for, and link requests a while after they
 * expired (a late callback with their state is refused as unknown instead of expired; refused either way).
 */
@ApplicationScoped
public class OriginSweeper {

    private static final Logger LOG = Logger.getLogger(OriginSweeper.class);
    /** Ids per delete, so a large backlog never holds one long transaction. */
    static final int CHUNK = 5_000;
    static final Duration LINK_REQUEST_MEMORY = Duration.ofHours(1);

    private final org.ocfcloudbridge.ops.DatabaseOutage.Job job =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "the Origin sweep");
    private final OriginConfig config;
    private final BridgeConfig bridge;
    private final Instances instances;

    public OriginSweeper(OriginConfig config, BridgeConfig bridge, Instances instances) {
        this.config = config;
        this.bridge = bridge;
        this.instances = instances;
    }

    @Scheduled(every = "${bridge.origin.sweep-interval}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!instances.leader()) {
            // Once per cluster: the leader sweeps for all (alone on the database, this instance is the leader).
            return;
        }
        if (bridge.origin().enabled()) {
            try {
                sweep(OffsetDateTime.now(ZoneOffset.UTC));
                job.worked();
            } catch (RuntimeException e) {
                // The database may be away a while: one line when this starts failing, one when it works again.
                job.failed(e);
            }
        }
    }

    /** Returns the number of rows deleted. */
    public long sweep(OffsetDateTime now) {
        long deleted = 0;
        // A webhook taken out of the configuration is never sent to again: its deliveries die when their time is up
        // like any other, so they show among the dead letters and go with them.
        java.util.Set<String> configured = config.webhooks().keySet();
        OffsetDateTime tooOld = now.minus(config.webhookMaxAge());
        QuarkusTransaction.requiringNew().run(() -> WebhookDelivery.getEntityManager().createQuery("""
                update WebhookDelivery d set d.deadAt = ?1, d.lastError = 'the webhook is no longer configured'
                where d.deadAt is null and d.webhook not in ?2
                and exists (select 1 from VendorEvent e where e.id = d.eventId and e.createdAt < ?3)""")
                .setParameter(1, now).setParameter(2, configured.isEmpty() ? java.util.Set.of("") : configured)
                .setParameter(3, tooOld).executeUpdate());
        deleted += QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.delete("deadAt < ?1",
                now.minus(config.deadLetterRetention())));

        OffsetDateTime cutoff = now.minus(config.eventRetention());
        // Ids grow with time: the walk goes from the oldest event that may go to the newest old one, a chunk of ids at
        // a time; events a dead letter keeps before it are not walked over again and again.
        Long last = QuarkusTransaction.requiringNew().call(() -> VendorEvent.getEntityManager()
                .createQuery("select max(e.id) from VendorEvent e where e.createdAt < ?1", Long.class)
                .setParameter(1, cutoff).getSingleResult());
        Long first = last == null ? null : QuarkusTransaction.requiringNew().call(() -> VendorEvent.getEntityManager()
                .createQuery("""
                        select min(e.id) from VendorEvent e where e.createdAt < ?1
                        and not exists (select 1 from WebhookDelivery d where d.eventId = e.id)""", Long.class)
                .setParameter(1, cutoff).getSingleResult());
        for (long from = first == null ? Long.MAX_VALUE : first; last != null && from <= last; from += CHUNK) {
            long lo = from;
            long hi = Math.min(last, from + CHUNK - 1);
            deleted += QuarkusTransaction.requiringNew().call(() -> (long) VendorEvent.getEntityManager().createQuery("""
                    delete from VendorEvent e where e.id between ?1 and ?2 and e.createdAt < ?3
                    and not exists (select 1 from WebhookDelivery d where d.eventId = e.id)""")
                    .setParameter(1, lo).setParameter(2, hi).setParameter(3, cutoff).executeUpdate());
        }
        deleted += QuarkusTransaction.requiringNew().call(() -> LinkRequest.delete("expiresAt < ?1", now.minus(LINK_REQUEST_MEMORY)));
        deleted += QuarkusTransaction.requiringNew().call(() -> org.ocfcloudbridge.store.ConsoleSession.delete("expiresAt < ?1", now));
        if (deleted > 0) {
            LOG.debugf("Origin sweep deleted %d rows", deleted);
        }
        return deleted;
    }
}
