package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.store.AuthorizationRequest;
import org.ocfcloudbridge.store.OAuthGrant;
import org.ocfcloudbridge.store.RefreshToken;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Deletes what the identity tables no longer need, so they do not grow with every login and refresh: pending logins
 * past their timeout, authorization codes some time after they expired (kept a while so a late replay is still
 * recognised as one and revokes its grant), refresh tokens past their expiry (a used one is kept until then, since
 * its reuse is what reveals a stolen token), and grants a day after their last token can have expired.
 */
@ApplicationScoped
public class IdentitySweeper {

    private static final Logger LOG = Logger.getLogger(IdentitySweeper.class);
    /** How long an expired code stays recognisable. */
    static final Duration CODE_MEMORY = Duration.ofMinutes(10);

    @Scheduled(every = "${bridge.identity.sweep-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!instances.leader()) {
            // Once per cluster: the leader sweeps for all (alone on the database, this instance is the leader).
            return;
        }
        try {
            sweep(OffsetDateTime.now(ZoneOffset.UTC));
            job.worked();
        } catch (RuntimeException e) {
            // The database may be away a while: one line when this starts failing, one when it works again.
            job.failed(e);
        }
    }

    private final org.ocfcloudbridge.ops.DatabaseOutage.Job job =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "the identity sweep");

    /**
     * A grant outlives its last token by this much before it goes: access tokens of a grant with no refresh token
     * left were issued at its start (one lifetime ago at most) or with a refresh token long expired; the margin covers
     * a lifetime configured shorter since they were issued. A token whose grant is gone counts as revoked.
     */
    static final Duration GRANT_MARGIN = Duration.ofDays(1);
    private static final int GRANT_CHUNK = 5_000;

    private final IdentityConfig config;
    private final Instances instances;

    public IdentitySweeper(IdentityConfig config, Instances instances) {
        this.config = config;
        this.instances = instances;
    }

    /** Returns the number of rows deleted. */
    public long sweep(OffsetDateTime now) {
        OffsetDateTime grantsBefore = now.minus(config.accessTokenLifetime()).minus(GRANT_MARGIN);
        long n = QuarkusTransaction.requiringNew().call(() -> AuthorizationRequest.delete("expiresAt < ?1", now)
                + AuthorizationCode.delete("expiresAt < ?1", now.minus(CODE_MEMORY))
                + RefreshToken.delete("expiresAt < ?1", now));
        // Every client-credentials request and every code exchange makes one; the refresh tokens go above first.
        // A chunk at a time: the first sweep after an upgrade may find a long backlog.
        for (int deleted = GRANT_CHUNK; deleted == GRANT_CHUNK; ) {
            deleted = QuarkusTransaction.requiringNew().call(() -> {
                List<UUID> ids = OAuthGrant.getEntityManager().createQuery("""
                        select g.id from OAuthGrant g where g.createdAt < ?1
                        and not exists (select 1 from RefreshToken r where r.grantId = g.id)""", UUID.class)
                        .setParameter(1, grantsBefore).setMaxResults(GRANT_CHUNK).getResultList();
                return ids.isEmpty() ? 0 : (int) OAuthGrant.delete("id in ?1", ids);
            });
            n += deleted;
        }
        if (n > 0) {
            LOG.debugf("identity sweep deleted %d expired rows", n);
        }
        return n;
    }
}
