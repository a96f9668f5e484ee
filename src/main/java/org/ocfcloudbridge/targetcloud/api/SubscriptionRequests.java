package org.ocfcloudbridge.targetcloud.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.ops.OutboundPolicy;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.targetcloud.events.EventsConfig;
import org.ocfcloudbridge.targetcloud.events.Subscriptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Checks a subscribe request (Part 10 §5.2) and answers it; the three levels differ only in their event types. */
@ApplicationScoped
public class SubscriptionRequests {

    /** The swagger says exactly 32; plgd's connector sends 44. Shorter ones are too weak to accept. */
    static final int MIN_SECRET = 32;
    static final int MAX_SECRET = 256;
    /** What the subscription table holds (V5, events_url). */
    static final int MAX_EVENTS_URL = 2048;

    private final Subscriptions subscriptions;
    private final EventsConfig config;
    private final OutboundPolicy outbound;

    public SubscriptionRequests(Subscriptions subscriptions, EventsConfig config, OutboundPolicy outbound) {
        this.subscriptions = subscriptions;
        this.config = config;
        this.outbound = outbound;
    }

    Response subscribe(String ownerId, Subscription.Level level, String deviceId, String href, String accept, String contentType,
                       String correlationId, byte[] body) {
        ApiMedia.Kind kind = ApiMedia.accept(accept);
        if (kind == null) {
            // The devices level lists no 406 in the swagger.
            return ApiErrors.of(level == Subscription.Level.DEVICES ? 400 : 406,
                    "notifications are sent as application/json or application/vnd.ocf+cbor");
        }
        if (ApiMedia.contentType(contentType) != ApiMedia.Kind.JSON) {
            return ApiErrors.of(400, "a subscription is sent as application/json");
        }
        JsonNode req;
        try {
            req = OcfCodec.get().decodeTree(body, OcfFormat.JSON);
        } catch (OcfCodecException e) {
            return ApiErrors.of(400, e.getMessage());
        }
        if (!req.isObject()) {
            return ApiErrors.of(400, "the body must be a JSON object");
        }
        JsonNode url = req.get("eventsUrl");
        if (url == null || !url.isTextual() || !Inputs.httpUrl(url.asText())) {
            return ApiErrors.of(400, "eventsUrl must be an absolute http or https URL");
        }
        if (url.asText().length() > MAX_EVENTS_URL) {
            // Found by the fuzzer: the insert failed on the column's length (500 and a stack trace).
            return ApiErrors.of(400, "eventsUrl must be at most " + MAX_EVENTS_URL + " characters");
        }
        JsonNode secret = req.get("signingSecret");
        if (secret == null || !secret.isTextual() || secret.asText().length() < MIN_SECRET || secret.asText().length() > MAX_SECRET) {
            return ApiErrors.of(400, "signingSecret must be a string of " + MIN_SECRET + " to " + MAX_SECRET + " characters");
        }
        JsonNode types = req.get("eventTypes");
        if (types == null || !types.isArray()) {
            return ApiErrors.of(400, "eventTypes must be an array");
        }
        List<String> allowed = switch (level) {
            case DEVICES -> EventTypes.DEVICES_LEVEL;
            case DEVICE -> EventTypes.DEVICE_LEVEL;
            case RESOURCE -> EventTypes.RESOURCE_LEVEL;
        };
        Set<String> wanted = new LinkedHashSet<>();
        for (JsonNode t : types) {
            // As plgd hub does: types of another level are left out; only a request with none valid is refused.
            if (t.isTextual() && allowed.contains(t.asText())) {
                wanted.add(t.asText());
            }
        }
        if (wanted.isEmpty()) {
            return ApiErrors.of(400, "no event type valid here; this level takes " + String.join(", ", allowed));
        }
        Boolean bare = bodyShape(req.get("bodyShape"));
        if (bare == null) {
            return ApiErrors.of(400, "bodyShape must be object or array");
        }
        try {
            // Last, as it may ask DNS. Said now rather than as failed deliveries later; each delivery is checked again
            // as it connects, since what a name resolves to can change.
            outbound.check("eventsUrl", url.asText());
        } catch (OutboundPolicy.Refused e) {
            return ApiErrors.of(400, e.getMessage());
        }
        Subscription s = new Subscription();
        s.ownerId = ownerId;
        s.level = level;
        s.deviceId = deviceId;
        s.href = href;
        s.eventsUrl = url.asText();
        s.eventTypes = String.join(",", new ArrayList<>(wanted));
        s.signingSecret = secret.asText();
        s.contentType = ApiMedia.mediaType(kind);
        s.bareArrays = bare;
        s.correlationId = correlationId == null || correlationId.isBlank() || correlationId.length() > 256
                ? UUID.randomUUID().toString() : correlationId;
        UUID id;
        try {
            id = subscriptions.subscribe(s);
        } catch (org.ocfcloudbridge.targetcloud.events.EventJournal.DeviceGone gone) {
            return ApiErrors.of(404, "no such device");
        }
        return Response.status(201).type(MediaTypes.JSON).entity("{\"subscriptionId\":\"" + id + "\"}").build();
    }

    Response show(Optional<Subscription> s) {
        return s.map(sub -> Response.ok("{\"subscriptionId\":\"" + sub.id + "\"}").type(MediaTypes.JSON).build())
                .orElseGet(() -> ApiErrors.of(404, "no such subscription"));
    }

    Response cancelled(boolean found) {
        return found ? Response.status(202).build() : ApiErrors.of(404, "no such subscription");
    }

    /** {@code bodyShape} (our extension): absent = the configured default. */
    private Boolean bodyShape(JsonNode node) {
        if (node == null || node.isNull()) {
            return config.bodyShape() == EventsConfig.BodyShape.ARRAY;
        }
        if (!node.isTextual()) {
            return null;
        }
        return switch (node.asText().toLowerCase(Locale.ROOT)) {
            case "object" -> false;
            case "array" -> true;
            default -> null;
        };
    }
}
