package org.ocfcloudbridge.ops;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.ocfcloudbridge.ocf.Protocol;

/**
 * Refuses a request path longer than {@link Protocol#MAX_HTTP_PATH_LENGTH} with 414, before any route is matched: the
 * REST layer matches templates such as {@code {deviceId}/{href: .+}/subscriptions} with regular expressions that
 * backtrack over the whole path, so a long path cost the event loop time growing with its square (found by
 * HttpEntryPointsFuzzTest: its paths of a few thousand characters slowed every connection on that loop). Runs right after
 * {@link CorrelationId}, so the refusal carries a correlation id too.
 */
@ApplicationScoped
public class PathLength {

    void install(@Observes Router router) {
        router.route().order(-999).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path != null && path.length() > Protocol.MAX_HTTP_PATH_LENGTH) {
            ctx.response().setStatusCode(414).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("the path is longer than " + Protocol.MAX_HTTP_PATH_LENGTH + " characters");
            return;
        }
        ctx.next();
    }
}
