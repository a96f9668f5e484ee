package org.ocfcloudbridge.ops;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every HTTP request a correlation id (the caller's {@code Correlation-ID} header, which Part 10 defines, or a
 * new UUID), puts it in the log context as {@code correlationId} and echoes it in the response. Installed on the
 * Vert.x router so that it also covers health, metrics and paths no endpoint matches.
 */
@ApplicationScoped
public class CorrelationId {

    public static final String MDC_KEY = "correlationId";
    private static final Logger LOG = Logger.getLogger(CorrelationId.class);
    /** A caller's id is logged, so only short, plain values are taken as they are. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    void install(@Observes Router router) {
        router.route().order(-1000).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String given = ctx.request().getHeader(Protocol.Headers.CORRELATION_ID);
        String id = given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        MDC.put(MDC_KEY, id);
        ctx.response().putHeader(Protocol.Headers.CORRELATION_ID, id);
        ctx.addEndHandler(done -> {
            // The path only: query strings carry authorization codes and state that must not reach a log.
            LOG.debugf("%s %s -> %d", ctx.request().method(), ctx.request().path(), ctx.response().getStatusCode());
            MDC.remove(MDC_KEY);
        });
        ctx.next();
    }
}
