package org.ocfcloudbridge.ops;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;

/** A role switched off ({@code bridge.target.enabled}, {@code bridge.origin.enabled}) has no HTTP endpoints either. */
public class RoleSwitch {

    private final BridgeConfig config;

    public RoleSwitch(BridgeConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        boolean target = path.startsWith(HttpPaths.DEVICES);
        boolean origin = path.startsWith(HttpPaths.LINK + "/") || path.startsWith(HttpPaths.LINKS)
                || path.startsWith(HttpPaths.ADMIN_CLOUDS)
                || path.startsWith(HttpPaths.ADMIN_WEBHOOK_DEAD_LETTERS) || path.startsWith(HttpPaths.INBOX + "/")
                || path.startsWith(HttpPaths.API_BASE + "/events");
        if ((target && !config.target().enabled()) || (origin && !config.origin().enabled())) {
            return Response.status(404).type("text/plain").entity("this role is switched off here").build();
        }
        return null;
    }
}
