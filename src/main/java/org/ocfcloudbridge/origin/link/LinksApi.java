package org.ocfcloudbridge.origin.link;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.store.LinkedAccount;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The vendor cloud's view of its user's linked accounts (a vendor JWT names the user); tokens never leave the bridge. */
@Path(Protocol.HttpPaths.LINKS)
@Produces(MediaType.APPLICATION_JSON)
public class LinksApi {

    private final AccountLinking linking;
    private final VendorAuthenticator vendor;

    public LinksApi(AccountLinking linking, VendorAuthenticator vendor) {
        this.linking = linking;
        this.vendor = vendor;
    }

    @GET
    public List<Map<String, Object>> links(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return linking.linksOf(vendor.user(authorization, null)).stream().map(LinksApi::view).toList();
    }

    @GET
    @Path("{id}")
    public Response link(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        String user = vendor.user(authorization, null);
        return uuid(id).flatMap(u -> linking.linkOf(user, u)).map(a -> Response.ok(view(a)).build())
                .orElseGet(() -> notFound());
    }

    @DELETE
    @Path("{id}")
    public Response unlink(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        String user = vendor.user(authorization, null);
        return uuid(id).filter(u -> linking.unlink(user, u)).map(u -> Response.noContent().build()).orElseGet(LinksApi::notFound);
    }

    @ServerExceptionMapper
    public Response refused(VendorAuthenticator.Refused e) {
        return Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"vendor\"").type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }

    private static Map<String, Object> view(LinkedAccount a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id.toString());
        m.put("cloud", a.cloudName);
        m.put("targetUser", a.targetUser);
        m.put("state", a.state.name().toLowerCase(java.util.Locale.ROOT));
        m.put("linkedAt", a.createdAt.toString());
        return m;
    }

    private static java.util.Optional<UUID> uuid(String id) {
        try {
            return java.util.Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    private static Response notFound() {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(Map.of("error", "no such link")).build();
    }
}
