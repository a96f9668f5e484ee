package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Claims units of ordered work for this instance: rows of a table with a {@code delivered_by} column (a subscription,
 * a linked account). Claimed in one short transaction with {@code SELECT … FOR UPDATE SKIP LOCKED}: instances claiming
 * at the same time never wait on each other, and a row another transaction has locked is left for the next round.
 * A claim is kept until this instance gives it back at its stop or its lease runs out; while its holder lives nobody
 * else takes it, so one instance at a time delivers a unit and its order is kept.
 */
@ApplicationScoped
public class Claims {

    /** The tables whose rows are claimed, named here so that no other text reaches the SQL. */
    public enum Unit {
        SUBSCRIPTION("subscription"),
        LINKED_ACCOUNT("linked_account");

        final String table;

        Unit(String table) {
            this.table = table;
        }
    }

    /** The most rows claimed in one statement. */
    public static final int BATCH = 256;

    private final Instances instances;
    private final EntityManager em;

    public Claims(Instances instances, EntityManager em) {
        this.instances = instances;
        this.em = em;
    }

    /**
     * Claims those of {@code ids} that are free (nobody's, this instance's, or an instance's that is gone) and not
     * locked right now; returns the ones this instance now holds. At most {@link #BATCH} are looked at.
     */
    public Set<UUID> claim(Unit unit, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        List<UUID> asked = ids.stream().limit(BATCH).toList();
        String me = instances.id();
        Set<String> live = instances.live();
        return QuarkusTransaction.requiringNew().call(() -> {
            // Typed as UUID: untyped, H2 hands the column back as its 16 bytes.
            List<UUID> got = em.createNativeQuery("SELECT id FROM " + unit.table + " WHERE id IN (?1)"
                            + " AND (delivered_by IS NULL OR delivered_by = ?2 OR delivered_by NOT IN (?3))"
                            + " FOR UPDATE SKIP LOCKED", UUID.class)
                    .setParameter(1, asked).setParameter(2, me).setParameter(3, live).getResultList();
            if (got.isEmpty()) {
                return Set.<UUID>of();
            }
            Set<UUID> held = new HashSet<>(got);
            em.createNativeQuery("UPDATE " + unit.table + " SET delivered_by = ?1 WHERE id IN (?2)"
                            + " AND (delivered_by IS NULL OR delivered_by <> ?1)")
                    .setParameter(1, me).setParameter(2, held).executeUpdate();
            return held;
        });
    }

    /** Gives back everything this instance holds of the unit (at a clean stop), so another instance takes it at once. */
    public int release(Unit unit) {
        return QuarkusTransaction.requiringNew().call(() ->
                em.createNativeQuery("UPDATE " + unit.table + " SET delivered_by = NULL WHERE delivered_by = ?1")
                        .setParameter(1, instances.id()).executeUpdate());
    }
}
