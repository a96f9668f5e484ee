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
import java.util.function.Consumer;

/**
 * This instance among the instances that share the database: its id, its lease (a row in {@code bridge_instance}
 * renewed every third of {@code bridge.cluster.lease}), and which instances are alive, so that work claimed by an
 * instance that is gone can be claimed again.
 *
 * <p>One instance (no {@code bridge.cluster.nats-url}): the rows of earlier runs are removed at the start, so their
 * claims are free at once and a restarted daemon carries on without waiting out a lease.
 *
 * <p>Cluster mode: a thread ({@code instance-takeover}) claims the rows of instances whose lease ran out (one survivor
 * each, {@code SKIP LOCKED}), hands each to the {@link #onInstanceGone} listeners (its devices go offline) and deletes it.
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
    private final List<Consumer<String>> instanceGone = new CopyOnWriteArrayList<>();
    private final List<Runnable> reregistered = new CopyOnWriteArrayList<>();
    private final DatabaseOutage.Job takeovers = new DatabaseOutage.Job(LOG, "the takeover of instances that are gone");
    /** Whether this instance's row was ever written: a later renewal that finds it expired or gone re-registers. */
    private volatile boolean registered;
    private ScheduledExecutorService takeover;
    private volatile Set<String> live;
    /** When this instance's own lease runs out unless renewed (System.nanoTime). */
    private volatile long leaseEnds;
    private volatile boolean lost;
    /** The {@link #onLeaseLost} listeners ran for the current loss (so a re-registration does not run them again). */
    private volatile boolean lostNotified;
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
     * running twice. Alone on the database the rows of earlier runs were removed at the start, so this instance leads.
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

    /**
     * Called with the id of an instance whose lease ran out, on the one survivor that took its row (and, in cluster
     * mode, with this instance's own id at a clean stop): the listener ends what that instance held, in its own
     * transactions. The row is deleted only after every listener returned; a listener that throws leaves it for the
     * next round (what was done stays done, so a listener must tolerate being called again for the same instance).
     */
    public void onInstanceGone(Consumer<String> listener) {
        instanceGone.add(listener);
    }

    /**
     * Called when this instance renews a lease that had run out (its row expired, or a survivor already took it over
     * and deleted it): a survivor may have marked this instance's devices offline meanwhile, so the listener claims again
     * what this instance still holds. Called on the heartbeat thread, after the {@link #onLeaseLost} listeners.
     */
    public void onReregistered(Runnable listener) {
        reregistered.add(listener);
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
        if (clustered) {
            takeover = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "instance-takeover");
                t.setDaemon(true);
                return t;
            });
            // A quarter of the lease: a dead instance's devices are offline within about 1.25 leases of its last beat.
            long look = Math.max(100, lease.toMillis() / 4);
            takeover.scheduleWithFixedDelay(this::takeOver, look, look, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Last in the stop: the claims were given back by the deliveries; the lease goes, so nobody waits it out.
     *
     * <p>Cluster mode: the gateway closed this instance's connections and the device lanes marked those devices offline;
     * whatever is still held here (a change left in a lane the stop did not wait for) goes offline through the same path
     * a survivor uses for a dead instance, and only then is the row deleted. If that fails (the database is away), the
     * row is left to run out and a survivor does it: no device stays online with nobody holding it.
     */
    void stop(@Observes @Priority(StopOrder.INSTANCE) ShutdownEvent event) {
        if (beat == null) {
            return;
        }
        if (takeover != null) {
            StopOrder.drain(takeover, StopOrder.STEP);
        }
        StopOrder.drain(beat, StopOrder.STEP);
        if (clustered) {
            try {
                instanceGone.forEach(l -> l.accept(id));
            } catch (RuntimeException e) {
                LOG.infof("this instance's devices not all marked offline at the stop (a survivor does it when its lease has run out): %s",
                        e.getMessage());
                return;
            }
        }
        try {
            QuarkusTransaction.requiringNew().run(() ->
                    em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, id).executeUpdate());
        } catch (RuntimeException e) {
            LOG.debugf("instance row not removed at the stop (its lease runs out instead): %s", e.getMessage());
        }
    }

    private void beat() {
        try {
            boolean expired = renew();
            heartbeat.worked();
            if (expired) {
                // The lease ran out although the heartbeat never failed (this process stood still longer than the
                // lease): as after an outage, claims may be another's, and a survivor may have taken the devices.
                LOG.warnf("this instance's lease had run out: re-registered, its claims and devices are taken again");
                if (!lostNotified) {
                    leaseLost();
                }
                reregistered.forEach(Runnable::run);
            }
            lostNotified = false;
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
        lostNotified = true;
        leaseLost.forEach(Runnable::run);
    }

    private void takeOver() {
        try {
            takeOverGone();
            takeovers.worked();
        } catch (RuntimeException e) {
            takeovers.failed(e);
        }
    }

    /**
     * Takes over the instances whose lease ran out that no other survivor is taking over right now: their rows stay
     * locked (one transaction, {@code FOR UPDATE SKIP LOCKED}) while the listeners end what they held in transactions
     * of their own, then are deleted. An instance that comes back meanwhile waits on its row's lock for its heartbeat,
     * then finds the row gone and re-registers ({@link #onReregistered}). Returns the ids taken over.
     */
    List<String> takeOverGone() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // Generous: thousands of devices in batches; on a timeout the row stays and the next round finishes the work.
        return QuarkusTransaction.requiringNew().timeout(600).call(() -> {
            @SuppressWarnings("unchecked")
            List<String> gone = em.createNativeQuery("SELECT id FROM bridge_instance WHERE lease_until < ?1 AND id <> ?2"
                            + " ORDER BY lease_until FOR UPDATE SKIP LOCKED")
                    .setParameter(1, now).setParameter(2, id).getResultList();
            for (String other : gone) {
                LOG.infof("instance %s is gone (its lease ran out): its devices go offline", other);
                instanceGone.forEach(l -> l.accept(other));
                em.createNativeQuery("DELETE FROM bridge_instance WHERE id = ?1").setParameter(1, other).executeUpdate();
            }
            return gone;
        });
    }

    /**
     * Renews this instance's lease (inserting its row if it is not there) and reads who else is alive. Returns whether
     * the lease had run out since the last renewal (the row expired, or was taken over and deleted).
     */
    private boolean renew() {
        long sent = System.nanoTime();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime until = now.plus(config.lease());
        boolean[] expired = {false};
        Set<String> alive = QuarkusTransaction.requiringNew().call(() -> {
            // While a survivor takes this row over it is locked: this waits, then finds it deleted.
            int updated = em.createNativeQuery("UPDATE bridge_instance SET lease_until = ?1 WHERE id = ?2 AND lease_until >= ?3")
                    .setParameter(1, until).setParameter(2, id).setParameter(3, now).executeUpdate();
            if (updated == 0) {
                expired[0] = registered;
                int stale = em.createNativeQuery("UPDATE bridge_instance SET lease_until = ?1 WHERE id = ?2")
                        .setParameter(1, until).setParameter(2, id).executeUpdate();
                if (stale == 0) {
                    em.createNativeQuery("INSERT INTO bridge_instance (id, started_at, lease_until) VALUES (?1, ?2, ?3)")
                            .setParameter(1, id).setParameter(2, now).setParameter(3, until).executeUpdate();
                }
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
        registered = true;
        return expired[0];
    }
}
