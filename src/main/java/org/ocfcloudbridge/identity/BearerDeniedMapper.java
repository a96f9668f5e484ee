package org.ocfcloudbridge.identity;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6750 §3: the challenge names the error and, for 403, the scope that is needed. */
public class BearerDeniedMapper {

    @ServerExceptionMapper
    public Response map(BearerAuthenticator.Denied e) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"ocf-cloud-bridge\"");
        if (e.error != null) {
            challenge.append(", error=\"").append(e.error).append("\", error_description=\"")
                    .append(e.getMessage().replace("\"", "'")).append('"');
        }
        if (e.status == 403 && e.scope != null) {
            challenge.append(", scope=\"").append(e.scope).append('"');
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.error == null ? "unauthorized" : e.error);
        body.put("error_description", e.getMessage());
        return Response.status(e.status).header("WWW-Authenticate", challenge.toString())
                .type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
