package org.ocfcloudbridge.ops;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.ocfcloudbridge.ocf.Protocol;

/**
 * Refuses a request path longer than {@link Protocol#MAX_HTTP_PATH_LENGTH} with 414, and a URL with a NUL character
 * with 400, before any route is matched. The length: the
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
        String uri = ctx.request().uri();
        if (uri != null && (uri.indexOf('\0') >= 0 || containsIgnoreCase(uri, "%00"))) {
            // No identifier, href or query value of ours holds a NUL, and PostgreSQL refuses one in any text it is
            // given, even as a query parameter (SQLState 22021): answered here, before it reaches a query.
            ctx.response().setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("the URL holds a NUL character (%00)");
            return;
        }
        ctx.next();
    }

    private static boolean containsIgnoreCase(String text, String what) {
        for (int i = text.indexOf('%'); i >= 0 && i + what.length() <= text.length(); i = text.indexOf('%', i + 1)) {
            if (text.regionMatches(true, i, what, 0, what.length())) {
                return true;
            }
        }
        return false;
    }
}
