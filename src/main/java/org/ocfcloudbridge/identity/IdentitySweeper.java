package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.store.AuthorizationRequest;
import org.ocfcloudbridge.store.RefreshToken;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Deletes what the identity tables no longer need, so they do not grow with every login and refresh: pending logins
 * past their timeout, authorization codes some time after they expired (kept a while so a late replay is still
 * recognised as one and revokes its grant), and refresh tokens past their expiry (a used one is kept until then, since
 * its reuse is what reveals a stolen token).
 */
@ApplicationScoped
public class IdentitySweeper {

    private static final Logger LOG = Logger.getLogger(IdentitySweeper.class);
    /** How long an expired code stays recognisable. */
    static final Duration CODE_MEMORY = Duration.ofMinutes(10);

    @Scheduled(every = "${bridge.identity.sweep-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        sweep(OffsetDateTime.now(ZoneOffset.UTC));
    }

    /** Returns the number of rows deleted. */
    public long sweep(OffsetDateTime now) {
        long n = QuarkusTransaction.requiringNew().call(() -> AuthorizationRequest.delete("expiresAt < ?1", now)
                + AuthorizationCode.delete("expiresAt < ?1", now.minus(CODE_MEMORY))
                + RefreshToken.delete("expiresAt < ?1", now));
        if (n > 0) {
            LOG.debugf("identity sweep deleted %d expired rows", n);
        }
        return n;
    }
}
