package org.ocfcloudbridge.origin.proxy;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.origin.link.TargetClient;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The vendor cloud reads and updates a linked device's resource through the bridge:
 * {@code GET|POST /api/v1/links/{id}/devices/{deviceId}/{href}} goes to the Target Cloud's Devices API with the linked
 * user's token. JSON or OCF CBOR pass through untouched; the Target's answer keeps its status, except what concerns the
 * link itself: a link needing its user again is 409, an unreachable Target 502.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Vendor API (Origin Cloud)")
@Path(HttpPaths.LINKS + "/{link}/devices/{deviceId}/{href: .+}")
@Blocking
public class DeviceProxy {

    private static final Logger LOG = Logger.getLogger(DeviceProxy.class);

    private final VendorAuthenticator vendor;
    private final TargetClient target;

    public DeviceProxy(VendorAuthenticator vendor, TargetClient target) {
        this.vendor = vendor;
        this.target = target;
    }

    @GET
    public CompletionStage<Response> retrieve(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                              @PathParam("link") String link, @PathParam("deviceId") String deviceId,
                                              @PathParam("href") String href) {
        return forward(authorization, "GET", link, deviceId, href, accept, null, null);
    }

    @POST
    public CompletionStage<Response> update(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                            @HeaderParam(Headers.CONTENT_TYPE) String contentType, @PathParam("link") String link,
                                            @PathParam("deviceId") String deviceId, @PathParam("href") String href, byte[] body) {
        return forward(authorization, "POST", link, deviceId, href, accept, contentType, body == null ? new byte[0] : body);
    }

    private CompletionStage<Response> forward(String authorization, String method, String link, String deviceId, String href,
                                              String accept, String contentType, byte[] body) {
        // Reading needs r:*, and changing a device w:*, as the Target Cloud itself would require of the same token.
        String user = vendor.user(authorization, null, method.equals("GET") ? org.ocfcloudbridge.ocf.Protocol.Scopes.READ : org.ocfcloudbridge.ocf.Protocol.Scopes.WRITE);
        Optional<UUID> id = Inputs.uuid(link);
        if (id.isEmpty()) {
            return done(error(404, "no such link"));
        }
        if (!deviceId.matches("[0-9a-fA-F-]{36}")) {
            return done(error(404, "no such device"));
        }
        String path = "/devices/" + deviceId + Inputs.hrefPath(href);
        return target.callAsync(user, id.get(), method, path, accept == null ? MediaTypes.JSON : accept, contentType, body)
                .handle((a, failure) -> failure == null ? answer(a) : refusal(failure));
    }

    private static Response answer(TargetClient.Answer a) {
        Response.ResponseBuilder r = Response.status(a.status());
        // Always a type with a body: without one the framework picks a writer by the request's Accept header, and an
        // unparsable Accept (",,,;") then failed the response with a 500 (HttpEntryPointsFuzzTest, vendor proxy).
        if (a.body() != null && a.body().length > 0) {
            r.entity(a.body()).type(a.contentType() != null ? a.contentType() : MediaType.APPLICATION_OCTET_STREAM);
        }
        if (a.retryAfter() != null) {
            r.header(Headers.RETRY_AFTER, a.retryAfter());
        }
        return r.build();
    }

    private static Response refusal(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof TargetClient.NoSuchLink) {
            return error(404, "no such link");
        }
        if (e instanceof TargetClient.Unauthorized) {
            return error(409, "the link needs its user to link again");
        }
        if (e instanceof TargetClient.Unreachable) {
            return error(502, e.getMessage());
        }
        LOG.warnf("proxy call failed: %s", e.getClass().getName());
        return error(502, "the Target Cloud's answer could not be passed on");
    }

    private static CompletionStage<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaTypes.JSON).entity(Map.of("error", message)).build();
    }
}
