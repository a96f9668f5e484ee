package org.ocfcloudbridge.identity;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.ocfcloudbridge.ocf.Protocol;

/** With {@code bridge.identity.embedded-enabled=false} the embedded server's endpoints and the admin API are gone. */
public class EmbeddedServerSwitch {

    private final IdentityConfig config;

    public EmbeddedServerSwitch(IdentityConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response filter(ContainerRequestContext request) {
        if (config.embeddedEnabled()) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        if (path.startsWith(Protocol.HttpPaths.OAUTH2) || path.startsWith(Protocol.HttpPaths.ADMIN)
                || path.equals(Protocol.HttpPaths.OPENID_CONFIGURATION)) {
            return Response.status(404).build();
        }
        return null;
    }
}
