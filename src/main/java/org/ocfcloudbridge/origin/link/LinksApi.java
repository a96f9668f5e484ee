package org.ocfcloudbridge.origin.link;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.LinkedAccount;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The vendor cloud's view of its user's linked accounts (a vendor JWT names the user); tokens never leave the bridge. */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Vendor API (Origin Cloud)")
@Path(Protocol.HttpPaths.LINKS)
@Produces(MediaType.APPLICATION_JSON)
public class LinksApi {

    private final AccountLinking linking;
    private final VendorAuthenticator vendor;
    private final DeviceSync sync;

    public LinksApi(AccountLinking linking, VendorAuthenticator vendor, DeviceSync sync) {
        this.linking = linking;
        this.vendor = vendor;
        this.sync = sync;
    }

    @GET
    public List<Map<String, Object>> links(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return linking.linksOf(vendor.user(authorization, null, Protocol.Scopes.READ)).stream().map(LinksApi::view).toList();
    }

    @GET
    @Path("{id}")
    public Response link(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        String user = vendor.user(authorization, null, Protocol.Scopes.READ);
        return Inputs.uuid(id).flatMap(u -> linking.linkOf(user, u)).map(a -> Response.ok(view(a)).build())
                .orElseGet(() -> notFound());
    }

    @DELETE
    @Path("{id}")
    public Response unlink(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        String user = vendor.user(authorization, null, Protocol.Scopes.WRITE);
        return Inputs.uuid(id).filter(link -> linking.unlink(user, link)).map(link -> Response.noContent().build())
                .orElseGet(LinksApi::notFound);
    }

    @POST
    @Path("{id}/resync")
    public Response resync(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        return mine(vendor.user(authorization, null, Protocol.Scopes.WRITE), id).map(link -> {
            sync.request(link);
            return Response.accepted().build();
        }).orElseGet(LinksApi::notFound);
    }

    @GET
    @Path("{id}/devices")
    public Response devices(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        return mine(vendor.user(authorization, null, Protocol.Scopes.READ), id).map(link -> Response.ok(linking.devicesOf(link)).build())
                .orElseGet(LinksApi::notFound);
    }

    /** The link {@code id} if it is the vendor user's; another user's link is not found, exactly like a missing one. */
    private java.util.Optional<UUID> mine(String user, String id) {
        return Inputs.uuid(id).filter(u -> linking.linkOf(user, u).isPresent());
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

    private static Response notFound() {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(Map.of("error", "no such link")).build();
    }
}
