package org.ocfcloudbridge.origin.forward;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.ocfcloudbridge.identity.BearerAuthenticator;
import org.ocfcloudbridge.identity.Scopes;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operators see the webhook deliveries that ran out of retries ({@code bridge.origin.webhook-max-age}), send one again
 * once the vendor's endpoint is mended (its deadline then counts from the retry), or drop it (scope {@code admin}).
 * A revived event is sent before any newer event still waiting, but after those already delivered: the vendor sees it
 * out of order, which its {@code id} (increasing) makes visible.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Administration")
@Path(HttpPaths.ADMIN_WEBHOOK_DEAD_LETTERS)
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersAdminResource {

    private static final int MAX_LISTED = 500;

    private final BearerAuthenticator bearer;
    private final WebhookSender sender;

    public DeadLettersAdminResource(BearerAuthenticator bearer, WebhookSender sender) {
        this.bearer = bearer;
        this.sender = sender;
    }

    @GET
    public List<Map<String, Object>> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                          @QueryParam("webhook") String webhook) {
        bearer.require(authorization, Scopes.ADMIN);
        return QuarkusTransaction.requiringNew().call(() -> {
            List<WebhookDelivery> dead = webhook == null
                    ? WebhookDelivery.<WebhookDelivery>find("deadAt is not null order by id").page(0, MAX_LISTED).list()
                    : WebhookDelivery.<WebhookDelivery>find("deadAt is not null and webhook = ?1 order by id", webhook)
                            .page(0, MAX_LISTED).list();
            Map<Long, VendorEvent> events = new java.util.HashMap<>();
            if (!dead.isEmpty()) {
                VendorEvent.<VendorEvent>list("id in ?1", dead.stream().map(d -> d.eventId).toList()).forEach(e -> events.put(e.id, e));
            }
            return dead.stream().map(d -> view(d, events.get(d.eventId))).toList();
        });
    }

    @POST
    @Path("{id}/retry")
    public Response retry(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        bearer.require(authorization, Scopes.ADMIN);
        boolean revived = QuarkusTransaction.requiringNew().call(() -> {
            WebhookDelivery d = find(id);
            if (d == null) {
                return false;
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            d.deadAt = null;
            d.revivedAt = now;
            d.attempts = 0;
            d.nextAttemptAt = now;
            return true;
        });
        if (!revived) {
            return notFound();
        }
        sender.wake();
        return Response.accepted().build();
    }

    @DELETE
    @Path("{id}")
    public Response drop(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        bearer.require(authorization, Scopes.ADMIN);
        boolean dropped = QuarkusTransaction.requiringNew().call(() -> {
            WebhookDelivery d = find(id);
            if (d == null) {
                return false;
            }
            d.delete();
            return true;
        });
        return dropped ? Response.noContent().build() : notFound();
    }

    /** A dead delivery by id; live ones are the sender's business and not found here. */
    private static WebhookDelivery find(String id) {
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return null;
        }
        WebhookDelivery d = WebhookDelivery.findById(n);
        return d == null || d.deadAt == null ? null : d;
    }

    private static Map<String, Object> view(WebhookDelivery d, VendorEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id);
        m.put("webhook", d.webhook);
        m.put("event", "evt_" + d.eventId);
        if (e != null) {
            m.put("type", e.type);
            m.put("user", e.vendorUser);
            m.put("link", e.linkId.toString());
            m.put("time", e.createdAt.toString());
        }
        m.put("attempts", d.attempts);
        m.put("lastError", d.lastError);
        m.put("deadAt", d.deadAt.toString());
        return m;
    }

    private static Response notFound() {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(Map.of("error", "no such dead letter")).build();
    }
}
