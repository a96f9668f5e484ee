package org.ocfcloudbridge.origin;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** A vendor API call without a valid vendor JWT: 401 with a Bearer challenge. */
public class VendorRefusedMapper {

    @ServerExceptionMapper
    public Response refused(VendorAuthenticator.Refused e) {
        return Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"vendor\"").type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
