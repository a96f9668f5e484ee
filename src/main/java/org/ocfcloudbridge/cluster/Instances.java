package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.ops.DatabaseOutage;
import org.ocfcloudbridge.ops.StopOrder;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This instance among the instances that share the database: its id, its lease (a row in {@code bridge_instance}
 * renewed every third of {@code bridge.cluster.lease}), and which instances are alive, so that work claimed by an
 * instance that is gone can be claimed again.
 *
 * <p>One instance (no {@code bridge.cluster.nats-url}): the rows of earlier runs are removed at the start, so their
 * claims are free at once and a restarted daemon carries on without waiting out a lease.
 *
 * <p>Leases are compared with this instance's clock: instances sharing a database must keep their clocks in step
 * (NTP) to well within the lease.
 */
@ApplicationScoped
public class Instances {

    private static final Logger LOG = Logger.getLogger(Instances.class);

    private final String id = UUID.randomUUID().toString();
    private final ClusterConfig config;
    private final EntityManager em;
    private final boolean clustered;
    private final DatabaseOutage.Job heartbeat = new DatabaseOutage.Job(LOG, "the instance heartbeat");
    private final List<Runnable> leaseLost = new CopyOnWriteArrayList<>();
    private volatile Set<String> live;
    /** When this instance's own lease runs out unless renewed (System.nanoTime). */
    private volatile long leaseEnds;
    private volatile boolean lost;
    private ScheduledExecutorService beat;

    public Instances(ClusterConfig config, EntityManager em) {
        this.config = config;
        this.em = em;
        this.clustered = config.natsUrl().isPresent();
        this.live = Set.of(id);
    }

    /** This instance's id, in claims and in its {@code bridge_instance} row. */
    public String id() {
        return id;
    }

    /** Whether several instances may share the database ({@code bridge.cluster.nats-url} set). */
    public boolean clustered() {
        return clustered;
    }

    /** The instances alive at the last heartbeat, this one included. */
    public Set<String> live() {
        return live;
    }

    /**
     * Whether this instance runs the once-per-cluster work (sweeps, deliveries of links that are gone): the live
     * instance with the smallest id. Two may believe it for one heartbeat while the set changes; such work tolerates
     * running twice.
     */
    public boolean leader() {
        for (String other : live) {
            if (other.compareTo(id) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Called when this instance's lease ran out before a heartbeat renewed it (the database was away): other instances
     * may have taken its claims, so the listener forgets what it had claimed and claims again.
     */
    public void onLeaseLost(Runnable listener) {
        leaseLost.add(listener);
    }

    void start(@Observes @Priority(2) StartupEvent event) {
        Duration lease = config.lease();
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new BridgeConfigException("bridge.cluster.lease", "must be between 1S and 10M, is " + lease);
        }
        try {
            if (!clustered) {
                // Alone on this database: whatever instance rows are there are earlier runs of this daemon.
                QuarkusTransaction.requiringNew().run(() ->
                        em.createNativeQuery("DELETE FROM bridge_instance WHERE id <> ?1").setParameter(1, id).executeUpdate());
            }
            renew();
        } catch (RuntimeException e) {
            // The database is away at the start: the heartbeat registers this instance when it is back.
            heartbeat.failed(e);
        }
        beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "instance-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, lease.toMillis() / 3);
        beat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Last in the stop: the claims were given back by the deliveries; the lease goes, so nobody waits it out. */
    void stop(@Observes @Priority(StopOrder.INSTANCE) ShutdownEvent event) {
        if (beat == null) {
            return;
        }
        StopOrder.drain(beat, StopOrder.STEP);
        try {
            QuarkusTransaction.requiringNew().run(() ->
                    em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, id).executeUpdate());
        } catch (RuntimeException e) {
            LOG.debugf("instance row not removed at the stop (its lease runs out instead): %s", e.getMessage());
        }
    }

    private void beat() {
        try {
            renew();
            heartbeat.worked();
        } catch (RuntimeException e) {
            heartbeat.failed(e);
            if (!lost && System.nanoTime() - leaseEnds > 0) {
                LOG.warnf("this instance's lease ran out (the database was away for %s): its claimed work is claimed again",
                        config.lease());
                leaseLost();
            }
        }
    }

    /** Whatever this instance had claimed may be another's now: every holder forgets its claims. */
    void leaseLost() {
        lost = true;
        leaseLost.forEach(Runnable::run);
    }

    /** Renews this instance's lease (inserting its row if it is not there) and reads who else is alive. */
    private void renew() {
        long sent = System.nanoTime();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime until = now.plus(config.lease());
        Set<String> alive = QuarkusTransaction.requiringNew().call(() -> {
            int updated = em.createNativeQuery("UPDATE bridge_instance SET lease_until = ?1 WHERE id = ?2")
                    .setParameter(1, until).setParameter(2, id).executeUpdate();
            if (updated == 0) {
                em.createNativeQuery("INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                        .setParameter(1, id).setParameter(2, now).setParameter(3, until).executeUpdate();
            }
            @SuppressWarnings("unchecked")
            List<String> ids = em.createNativeQuery("SELECT id FROM bridge_instance WHERE lease_until > ?1")
                    .setParameter(1, now).getResultList();
            Set<String> s = new HashSet<>(ids);
            s.add(id);
            return Set.copyOf(s);
        });
        live = alive;
        leaseEnds = sent + config.lease().toNanos();
        lost = false;
    }
}
