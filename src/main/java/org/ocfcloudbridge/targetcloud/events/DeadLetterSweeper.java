package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.store.DeadLetter;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Deletes notifications that became dead letters once {@code bridge.events.dead-letter-retention} has passed: a
 * receiver that stays away would otherwise send all its traffic into that table for good (the Origin that subscribed
 * subscribes again after the cancellation, and its next day's notifications die the same way).
 */
@ApplicationScoped
public class DeadLetterSweeper {

    private static final Logger LOG = Logger.getLogger(DeadLetterSweeper.class);

    private final org.ocfcloudbridge.ops.DatabaseOutage.Job job =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "the dead-letter sweep");
    private final EventsConfig config;
    private final BridgeConfig bridge;
    private final Instances instances;

    public DeadLetterSweeper(EventsConfig config, BridgeConfig bridge, Instances instances) {
        this.config = config;
        this.bridge = bridge;
        this.instances = instances;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!instances.leader()) {
            // Once per cluster: the leader sweeps for all (alone on the database, this instance is the leader).
            return;
        }
        if (bridge.target().enabled()) {
            try {
                sweep(OffsetDateTime.now(ZoneOffset.UTC));
                job.worked();
            } catch (RuntimeException e) {
                // The database may be away a while: one line when this starts failing, one when it works again.
                job.failed(e);
            }
        }
    }

    /** Returns the number of dead letters deleted. */
    public long sweep(OffsetDateTime now) {
        long n = QuarkusTransaction.requiringNew().call(() -> DeadLetter.delete("diedAt < ?1", now.minus(config.deadLetterRetention())));
        if (n > 0) {
            LOG.debugf("deleted %d dead letters older than %s", n, config.deadLetterRetention());
        }
        return n;
    }
}
