package org.ocfcloudbridge.targetcloud.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.ocfcloudbridge.identity.BearerAuthenticator;
import org.ocfcloudbridge.identity.VerifiedToken;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections;
import org.ocfcloudbridge.targetcloud.coap.DeviceConnections.DeviceResponse;
import org.ocfcloudbridge.targetcloud.events.Subscriptions;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * The Devices API and the Events API of the Cloud API for Cloud Services (Part 10 §4–§5), Target Cloud side. Every
 * call needs a Bearer token: {@code r:*} to read and subscribe, {@code w:*} as well to update. A device of another
 * user is answered exactly like a device that does not exist.
 * <p>
 * Media types are negotiated here rather than by the framework, so that each refusal is the status the OCF swagger
 * lists for that operation, with a short reason.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Cloud API (Target Cloud)")
@Path(Protocol.HttpPaths.DEVICES)
@Blocking
public class DevicesApi {

    private static final OcfCodec CODEC = OcfCodec.get();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final BearerAuthenticator auth;
    private final DeviceViews views;
    private final DeviceConnections connections;
    private final Subscriptions subscriptions;
    private final SubscriptionRequests requests;
    private final ApiConfig config;

    public DevicesApi(BearerAuthenticator auth, DeviceViews views, DeviceConnections connections, Subscriptions subscriptions,
                      SubscriptionRequests requests, ApiConfig config) {
        this.auth = auth;
        this.views = views;
        this.connections = connections;
        this.subscriptions = subscriptions;
        this.requests = requests;
        this.config = config;
    }

    // ---- Devices API (§4) ----

    @GET
    public Response devices(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                            @QueryParam("content") String content) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        if (!ApiMedia.acceptsJson(accept)) {
            return ApiErrors.of(406, "device lists are application/json");
        }
        Boolean all = contentAll(content);
        if (all == null) {
            return ApiErrors.of(400, "content must be base or all");
        }
        ArrayNode list = NODES.arrayNode();
        views.devicesOf(token.owner(), null, all).forEach(list::add);
        return json(200, list);
    }

    @GET
    @Path("{deviceId}")
    public Response device(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                           @PathParam("deviceId") String deviceId, @QueryParam("content") String content) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        if (!ApiMedia.acceptsJson(accept)) {
            return ApiErrors.of(406, "device lists are application/json");
        }
        Boolean all = contentAll(content);
        if (all == null) {
            return ApiErrors.of(400, "content must be base or all");
        }
        var found = views.devicesOf(token.owner(), deviceId, all);
        if (found.isEmpty()) {
            return ApiErrors.of(404, "no such device");
        }
        return json(200, found.get(0));
    }

    @GET
    @Path("{deviceId}/{href: .+}")
    public CompletionStage<Response> retrieve(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                              @PathParam("deviceId") String deviceId, @PathParam("href") String href) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        ApiMedia.Kind kind = ApiMedia.accept(accept);
        if (kind == null) {
            return done(ApiErrors.of(406, "this API answers application/json or application/vnd.ocf+cbor"));
        }
        if (!fitsCoap(href)) {
            return done(ApiErrors.of(400, TOO_LONG));
        }
        if (!views.owns(token.owner(), deviceId)) {
            return done(ApiErrors.of(404, "no such device"));
        }
        return connections.get(deviceId, "/" + href).thenApply(r -> fromDevice(r, kind));
    }

    @POST
    @Path("{deviceId}/{href: .+}")
    public CompletionStage<Response> update(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                            @HeaderParam(Headers.CONTENT_TYPE) String contentType, @PathParam("deviceId") String deviceId,
                                            @PathParam("href") String href, byte[] body) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        if (!token.hasScope(Protocol.Scopes.WRITE)) {
            auth.require(authorization, Protocol.Scopes.WRITE);
        }
        ApiMedia.Kind in = ApiMedia.contentType(contentType);
        if (in == null) {
            return done(ApiErrors.of(415, "send application/json or application/vnd.ocf+cbor"));
        }
        ApiMedia.Kind out = ApiMedia.accept(accept);
        if (out == null) {
            // The swagger lists no 406 for an update: answer in the request's own media type instead.
            out = in;
        }
        if (!fitsCoap(href)) {
            return done(ApiErrors.of(400, TOO_LONG));
        }
        if (!views.owns(token.owner(), deviceId)) {
            return done(ApiErrors.of(404, "no such device"));
        }
        byte[] cbor;
        try {
            JsonNode tree = CODEC.decodeTree(body, in == ApiMedia.Kind.JSON ? OcfFormat.JSON : OcfFormat.OCF_CBOR);
            if (!tree.isObject() && !tree.isArray()) {
                return done(ApiErrors.of(400, "the body must be an object or an array"));
            }
            cbor = in == ApiMedia.Kind.CBOR ? body : CODEC.encode(tree, OcfFormat.OCF_CBOR);
        } catch (OcfCodecException e) {
            return done(ApiErrors.of(400, e.getMessage()));
        }
        ApiMedia.Kind answer = out;
        return connections.post(deviceId, "/" + href, cbor, MediaTypes.OCF_CBOR_FORMAT).thenApply(r -> fromDevice(r, answer));
    }

    // ---- Events API (§5): subscriptions at the three levels ----

    @POST
    @Path(Protocol.HttpPaths.SUBSCRIPTIONS)
    public Response subscribeToDevices(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                       @HeaderParam(Headers.CONTENT_TYPE) String contentType,
                                       @HeaderParam(Headers.CORRELATION_ID) String correlationId, byte[] body) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.subscribe(token.owner(), Subscription.Level.DEVICES, null, null, accept, contentType, correlationId, body);
    }

    @GET
    @Path(Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response devicesSubscription(@HeaderParam(Headers.AUTHORIZATION) String authorization,
                                        @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.show(subscriptions.find(token.owner(), id, Subscription.Level.DEVICES, null, null));
    }

    @DELETE
    @Path(Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response unsubscribeFromDevices(@HeaderParam(Headers.AUTHORIZATION) String authorization,
                                           @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.cancelled(subscriptions.cancel(token.owner(), id, Subscription.Level.DEVICES, null, null));
    }

    @POST
    @Path("{deviceId}/" + Protocol.HttpPaths.SUBSCRIPTIONS)
    public Response subscribeToDevice(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                      @HeaderParam(Headers.CONTENT_TYPE) String contentType,
                                      @HeaderParam(Headers.CORRELATION_ID) String correlationId,
                                      @PathParam("deviceId") String deviceId, byte[] body) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        if (!views.owns(token.owner(), deviceId)) {
            return ApiErrors.of(404, "no such device");
        }
        return requests.subscribe(token.owner(), Subscription.Level.DEVICE, deviceId, null, accept, contentType, correlationId, body);
    }

    @GET
    @Path("{deviceId}/" + Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response deviceSubscription(@HeaderParam(Headers.AUTHORIZATION) String authorization, @PathParam("deviceId") String deviceId,
                                       @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.show(subscriptions.find(token.owner(), id, Subscription.Level.DEVICE, deviceId, null));
    }

    @DELETE
    @Path("{deviceId}/" + Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response unsubscribeFromDevice(@HeaderParam(Headers.AUTHORIZATION) String authorization, @PathParam("deviceId") String deviceId,
                                          @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.cancelled(subscriptions.cancel(token.owner(), id, Subscription.Level.DEVICE, deviceId, null));
    }

    @POST
    @Path("{deviceId}/{href: .+}/" + Protocol.HttpPaths.SUBSCRIPTIONS)
    public Response subscribeToResource(@HeaderParam(Headers.AUTHORIZATION) String authorization, @HeaderParam(Headers.ACCEPT) String accept,
                                        @HeaderParam(Headers.CONTENT_TYPE) String contentType,
                                        @HeaderParam(Headers.CORRELATION_ID) String correlationId,
                                        @PathParam("deviceId") String deviceId, @PathParam("href") String href, byte[] body) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        if (!views.owns(token.owner(), deviceId) || !views.hasResource(deviceId, "/" + href)) {
            return ApiErrors.of(404, "no such resource");
        }
        return requests.subscribe(token.owner(), Subscription.Level.RESOURCE, deviceId, "/" + href, accept, contentType,
                correlationId, body);
    }

    @GET
    @Path("{deviceId}/{href: .+}/" + Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response resourceSubscription(@HeaderParam(Headers.AUTHORIZATION) String authorization, @PathParam("deviceId") String deviceId,
                                         @PathParam("href") String href, @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.show(subscriptions.find(token.owner(), id, Subscription.Level.RESOURCE, deviceId, "/" + href));
    }

    @DELETE
    @Path("{deviceId}/{href: .+}/" + Protocol.HttpPaths.SUBSCRIPTIONS + "/{subscriptionId}")
    public Response unsubscribeFromResource(@HeaderParam(Headers.AUTHORIZATION) String authorization,
                                            @PathParam("deviceId") String deviceId, @PathParam("href") String href,
                                            @PathParam("subscriptionId") String id) {
        VerifiedToken token = auth.require(authorization, Protocol.Scopes.READ);
        return requests.cancelled(subscriptions.cancel(token.owner(), id, Subscription.Level.RESOURCE, deviceId, "/" + href));
    }

    // ---- helpers ----

    private static final String TOO_LONG = "a resource path segment is at most " + Protocol.MAX_URI_PATH_SEGMENT + " bytes";

    /** Each segment fits a CoAP Uri-Path option: a longer one could never name a device's resource (and Californium throws). */
    private static boolean fitsCoap(String href) {
        for (String segment : href.split("/", -1)) {
            if (segment.getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_URI_PATH_SEGMENT) {
                return false;
            }
        }
        return true;
    }

    private static Boolean contentAll(String content) {
        if (content == null || content.isEmpty() || content.equals("base")) {
            return false;
        }
        return content.equals("all") ? true : null;
    }

    private static Response json(int status, JsonNode tree) {
        return Response.status(status).type(MediaTypes.JSON).entity(CODEC.encode(tree, OcfFormat.JSON)).build();
    }

    private static CompletionStage<Response> done(Response r) {
        return java.util.concurrent.CompletableFuture.completedFuture(r);
    }

    /** The device's CoAP answer as HTTP (Part 10 §4.1). */
    private Response fromDevice(DeviceResponse r, ApiMedia.Kind kind) {
        if (r.outcome() != DeviceConnections.Outcome.ANSWERED) {
            String why = r.outcome() == DeviceConnections.Outcome.OFFLINE ? "the device is offline" : "the device did not answer in time";
            return Response.fromResponse(ApiErrors.of(504, why))
                    .header(Headers.RETRY_AFTER, Long.toString(Math.max(1, config.retryAfter().toSeconds()))).build();
        }
        ResponseCode code = r.code();
        if (code.isSuccess()) {
            byte[] payload = r.payload() == null ? new byte[0] : r.payload();
            if (payload.length > 0 && r.contentFormat() != MediaTypes.OCF_CBOR_FORMAT && r.contentFormat() != MediaTypes.CBOR_FORMAT) {
                return ApiErrors.of(502, "the device answered with content format " + r.contentFormat());
            }
            try {
                byte[] out = kind == ApiMedia.Kind.CBOR ? payload : ApiRepresentations.cborToJson(payload);
                return Response.ok(out).type(ApiMedia.mediaType(kind)).build();
            } catch (OcfCodecException e) {
                return ApiErrors.of(502, "the device answered with malformed CBOR");
            }
        }
        String diagnostic = r.payload() == null || r.payload().length == 0 ? "" : ": "
                + new String(r.payload(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (diagnostic.length() > 200) {
            diagnostic = diagnostic.substring(0, 200);
        }
        int status = switch (code) {
            case BAD_REQUEST, BAD_OPTION, REQUEST_ENTITY_INCOMPLETE -> 400;
            case UNAUTHORIZED, FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case NOT_ACCEPTABLE -> 406;
            case PRECONDITION_FAILED -> 412;
            case REQUEST_ENTITY_TOO_LARGE -> 413;
            case UNSUPPORTED_CONTENT_FORMAT -> 415;
            case NOT_IMPLEMENTED -> 501;
            case SERVICE_UNAVAILABLE -> 503;
            case GATEWAY_TIMEOUT -> 504;
            default -> code.codeClass == 4 ? 400 : 502;
        };
        return ApiErrors.of(status, "the device answered " + code.text + diagnostic);
    }
}
