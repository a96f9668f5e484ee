package org.ocfcloudbridge.origin.link;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.ocfcloudbridge.identity.BearerAuthenticator;
import org.ocfcloudbridge.identity.Scopes;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.LinkedCloud;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Operators list and add the Target Clouds accounts can be linked at (scope {@code admin}). Secrets are never shown. */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Administration")
@Path(Protocol.HttpPaths.ADMIN_CLOUDS)
@Produces(MediaType.APPLICATION_JSON)
public class CloudsAdminResource {

    private final BearerAuthenticator bearer;
    private final LinkedClouds clouds;

    public CloudsAdminResource(BearerAuthenticator bearer, LinkedClouds clouds) {
        this.bearer = bearer;
        this.clouds = clouds;
    }

    @GET
    public List<Map<String, Object>> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        bearer.require(authorization, Scopes.ADMIN);
        return clouds.all().stream().map(CloudsAdminResource::view).toList();
    }

    @POST
    public Response add(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, LinkedClouds.Definition body) {
        bearer.require(authorization, Scopes.ADMIN);
        if (body == null) {
            throw new LinkedClouds.Invalid("a JSON body is required");
        }
        return Response.status(201).entity(view(clouds.add(body))).build();
    }

    @ServerExceptionMapper
    public Response invalid(LinkedClouds.Invalid e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response unavailable(LinkedClouds.Unavailable e) {
        return Response.status(502).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
    }

    private static Map<String, Object> view(LinkedCloud c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name);
        m.put("apiUrl", c.apiUrl);
        m.put("authorizationEndpoint", c.authorizationEndpoint);
        m.put("tokenEndpoint", c.tokenEndpoint);
        m.put("clientId", c.clientId);
        m.put("confidential", c.clientSecret != null);
        m.put("scopes", c.scopes);
        m.put("trustedCa", c.trustedCa != null);
        return m;
    }
}
