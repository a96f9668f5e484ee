package org.ocfcloudbridge.ops;

import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.targetcloud.api.ApiConfig;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Any HTTP call that needs the database while it cannot be reached: 503 with Retry-After and one short line of text,
 * instead of a 500 with an error id; the log gets one line when it starts and one a minute at most while it lasts,
 * never a stack trace per call. A value the database refuses (SQLState class 22) is the caller's: 400. Every other
 * database failure is still a 500 with its stack trace in the log (a bug
 * to look at).
 */
public class DatabaseOutageMapper {

    private static final Logger LOG = Logger.getLogger(DatabaseOutageMapper.class);
    static final String REASON = "the service cannot reach its database; try again later";
    private static final long LOG_EVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private static final AtomicLong lastLine = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private static final AtomicLong answered = new AtomicLong();

    private final ApiConfig api;

    public DatabaseOutageMapper(ApiConfig api) {
        this.api = api;
    }

    @ServerExceptionMapper
    public Response persistence(PersistenceException e, UriInfo uri) {
        return map(e, uri);
    }

    @ServerExceptionMapper
    public Response transaction(QuarkusTransactionException e, UriInfo uri) {
        return map(e, uri);
    }

    private Response map(RuntimeException e, UriInfo uri) {
        if (DatabaseOutage.refusedValue(e)) {
            // A value the request carried that the database cannot store or compare (PostgreSQL refuses NUL in any
            // text): a 400, as the checks before it would have answered had they known.
            LOG.debugf("%s refused by the database: %s", uri == null ? "request" : uri.getPath(), e.getMessage());
            return Response.status(Response.Status.BAD_REQUEST).type("text/plain; charset=utf-8")
                    .entity("a value in the request cannot be stored (a NUL character, or too long)").build();
        }
        if (!DatabaseOutage.is(e)) {
            LOG.errorf(e, "%s failed", uri == null ? "request" : uri.getPath());
            return Response.serverError().type("text/plain; charset=utf-8").entity("internal error").build();
        }
        long n = answered.incrementAndGet();
        long last = lastLine.get();
        long now = System.nanoTime();
        if (now - last >= LOG_EVERY_NANOS && lastLine.compareAndSet(last, now)) {
            answered.addAndGet(-n);
            LOG.warnf("%s: HTTP calls that need it are answered 503 (%d since the last such line)", DatabaseOutage.REASON, n);
        } else {
            LOG.debugf("%s answered 503: %s", uri == null ? "request" : uri.getPath(), e.getMessage());
        }
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header(Headers.RETRY_AFTER, Long.toString(Math.max(1, api.retryAfter().toSeconds())))
                .type("text/plain; charset=utf-8").entity(REASON).build();
    }
}
