package org.ocfcloudbridge.targetcloud.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ocfcloudbridge.cluster.ClusterBus;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

/**
 * The owner's fence, held until the current transaction ends: a device signing up takes it <em>shared</em> before its
 * row is inserted, a devices-level subscription <em>exclusive</em> before it reads the owner's devices, so that each
 * sees the other (the subscription's initial state holds the device, or the device's registration is notified to the
 * subscription). Sign-ups of one owner do not wait for each other: a vendor's whole fleet is usually one account, and
 * an exclusive row lock per sign-up made a sign-up storm single file (36% of its CPU in H2's lock retries, 2026-12-03).
 *
 * <p>PostgreSQL: transaction-level advisory locks (shared and exclusive), which every instance of a cluster sees and
 * the database releases at commit or rollback. H2 is embedded and so has one instance: striped read-write locks in
 * this JVM, released when the transaction completes.
 */
@ApplicationScoped
public class OwnerFence {

    /** The first key of the advisory locks, so that the owner fence is told apart from any other advisory lock. */
    static final int ADVISORY_CLASS = 0x0CF0;
    /** How long an H2 fence waits before the transaction fails (a PostgreSQL one waits for the lock timeout). */
    static final long WAIT_SECONDS = 30;
    static final int STRIPES = 256;

    private final TransactionSynchronizationRegistry transactions;
    private final EntityManager em;
    private final boolean postgres;
    private final StampedLock[] stripes = new StampedLock[STRIPES];

    public OwnerFence(TransactionSynchronizationRegistry transactions, EntityManager em) {
        this.transactions = transactions;
        this.em = em;
        this.postgres = ConfigProvider.getConfig().getOptionalValue(ClusterBus.DATABASE_KIND, String.class)
                .map(k -> k.startsWith("postgres")).orElse(false);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new StampedLock();
        }
    }

    /** Many at once for one owner: a device signing up. In a transaction. */
    public void shared(String ownerId) {
        take(ownerId, false);
    }

    /** Alone for the owner: a devices-level subscription reading the owner's devices. In a transaction. */
    public void exclusive(String ownerId) {
        take(ownerId, true);
    }

    private void take(String ownerId, boolean exclusive) {
        if (postgres) {
            // In FROM: the functions return void, which a select list would hand to Hibernate as a column it cannot map.
            em.createNativeQuery(exclusive ? "select 1 from pg_advisory_xact_lock(?, hashtext(?))"
                            : "select 1 from pg_advisory_xact_lock_shared(?, hashtext(?))")
                    .setParameter(1, ADVISORY_CLASS).setParameter(2, ownerId).getResultList();
            return;
        }
        int stripe = Math.floorMod(ownerId.hashCode(), STRIPES);
        Held held = held();
        Long stamp = held.stamps.get(stripe);
        if (stamp != null) {
            if (!exclusive || StampedLock.isWriteLockStamp(stamp)) {
                return;
            }
            // Shared and now exclusive in one transaction: converted in place, or given up and taken anew.
            long converted = stripes[stripe].tryConvertToWriteLock(stamp);
            if (converted != 0) {
                held.stamps.put(stripe, converted);
                return;
            }
            stripes[stripe].unlock(stamp);
            held.stamps.remove(stripe);
        }
        long got;
        try {
            got = exclusive ? stripes[stripe].tryWriteLock(WAIT_SECONDS, TimeUnit.SECONDS)
                    : stripes[stripe].tryReadLock(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the owner's fence");
        }
        if (got == 0) {
            throw new IllegalStateException("the owner's fence was not free within " + WAIT_SECONDS + " s");
        }
        held.stamps.put(stripe, got);
    }

    /** This transaction's fences, released when it completes (StampedLock's stamps may be released by any thread). */
    private Held held() {
        Held held = (Held) transactions.getResource(Held.class);
        if (held == null) {
            held = new Held();
            transactions.putResource(Held.class, held);
            transactions.registerInterposedSynchronization(held);
        }
        return held;
    }

    private final class Held implements Synchronization {
        final Map<Integer, Long> stamps = new HashMap<>(2);

        @Override
        public void beforeCompletion() {
            // released after the commit, so that a reader of the owner's devices sees this transaction's rows
        }

        @Override
        public void afterCompletion(int status) {
            stamps.forEach((stripe, stamp) -> stripes[stripe].unlock(stamp));
            stamps.clear();
        }
    }
}
