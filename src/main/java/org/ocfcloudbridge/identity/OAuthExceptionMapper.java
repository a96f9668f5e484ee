package org.ocfcloudbridge.identity;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** RFC 6749 §5.2 error bodies; never a stack trace. */
public class OAuthExceptionMapper {

    @ServerExceptionMapper
    public Response map(OAuthException e) {
        Response.ResponseBuilder r = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", e.error(), "error_description", e.getMessage()))
                .header("Cache-Control", "no-store").header("Pragma", "no-cache");
        if (e.status() == 401) {
            r.header("WWW-Authenticate", "Basic realm=\"ocf-cloud-bridge\"");
        }
        return r.build();
    }
}
