package org.ocfcloudbridge.origin;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** A vendor API call without a valid vendor token (401) or without the scope it needs (403), with an RFC 6750 challenge. */
public class VendorRefusedMapper {

    @ServerExceptionMapper
    public Response refused(VendorAuthenticator.Refused e) {
        String challenge = e.status == 403
                ? "Bearer realm=\"vendor\", error=\"insufficient_scope\", scope=\"" + e.scope + "\""
                : "Bearer realm=\"vendor\"";
        return Response.status(e.status).header(HttpHeaders.WWW_AUTHENTICATE, challenge).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
