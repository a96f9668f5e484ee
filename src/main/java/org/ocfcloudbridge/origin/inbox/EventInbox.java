package org.ocfcloudbridge.origin.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.origin.sync.DeviceSets;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.OriginSubscription;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Origin role's receiver of the Target Cloud's notifications (Part 10 §5.4): {@code POST /inbox/<our subscription>}.
 * A notification counts only if its HMAC matches (constant-time), its timestamp is within the allowed skew and its
 * sequence number is new; a duplicate is answered 200 and not processed again; an unknown subscription is 410 (the
 * Target then drops it); anything else wrong is 400 with nothing stored. A gap in the sequence resyncs the link.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Event inbox (Origin Cloud)")
@Path(HttpPaths.INBOX)
@Blocking
public class EventInbox {

    private static final Logger LOG = Logger.getLogger(EventInbox.class);

    private final DataCipher cipher;
    private final OriginConfig config;
    private final DeviceSync sync;
    private final VendorEvents events;

    public EventInbox(DataCipher cipher, OriginConfig config, DeviceSync sync, VendorEvents events) {
        this.cipher = cipher;
        this.config = config;
        this.sync = sync;
        this.events = events;
    }

    /** {@code NEWS}: a device or links this link does not hold yet, which the sync reads and subscribes to. */
    private enum Outcome { PROCESSED, DUPLICATE, GAP, NEWS, GONE }

    /**
     * What verifying a notification needs of its subscription, kept in memory once the Target's id is known (it never
     * changes after): no database read and no decryption before the signature is checked. A subscription deleted
     * meanwhile is still found out, in the transaction that applies the notification (410, and forgotten here).
     */
    private record Known(UUID targetId, UUID linkId, String secret) {
    }

    private static final int MAX_KNOWN = 100_000;
    private final Map<UUID, Known> subscriptions = new ConcurrentHashMap<>();

    private Known known(UUID id) {
        Known k = subscriptions.get(id);
        if (k != null) {
            return k;
        }
        OriginSubscription s = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.findById(id));
        if (s == null) {
            return null;
        }
        k = new Known(s.targetId, s.linkId, cipher.open(s.secret));
        if (s.targetId != null) {
            if (subscriptions.size() >= MAX_KNOWN) {
                subscriptions.clear();
            }
            subscriptions.put(id, k);
        }
        return k;
    }

    @POST
    @Path("{subscription}")
    public Response receive(@PathParam("subscription") String local, @HeaderParam(Headers.EVENT_TYPE) String eventType,
                            @HeaderParam(Headers.SUBSCRIPTION_ID) String subscriptionId,
                            @HeaderParam(Headers.SEQUENCE_NUMBER) String sequence,
                            @HeaderParam(Headers.EVENT_TIMESTAMP) String timestamp,
                            @HeaderParam(Headers.EVENT_SIGNATURE) String signature,
                            @HeaderParam(Headers.CONTENT_TYPE) String contentType, byte[] body) {
        UUID id = Inputs.uuid(local).orElse(null);
        Known s = id == null ? null : known(id);
        if (s == null) {
            return answer(410, "unknown subscription");
        }
        UUID targetId = Inputs.uuid(subscriptionId).orElse(null);
        long seq;
        long ts;
        try {
            seq = Long.parseLong(sequence);
            ts = Long.parseLong(timestamp);
        } catch (NumberFormatException | NullPointerException e) {
            return answer(400, "Sequence-Number and Event-Timestamp must be numbers");
        }
        if (eventType == null || targetId == null || seq < 0) {
            return answer(400, "Event-Type, Subscription-ID and Sequence-Number are required");
        }
        if (s.targetId() != null && !s.targetId().equals(targetId)) {
            return answer(410, "not this subscription");
        }
        if (Math.abs(Instant.now().getEpochSecond() - ts) > config.maxClockSkew().toSeconds()) {
            return answer(400, "Event-Timestamp too far from now");
        }
        String mediaType = contentType == null ? null : contentType;
        String expected = EventSignature.sign(s.secret(), mediaType, eventType, subscriptionId, seq, ts, body);
        if (!EventSignature.matches(expected, signature)) {
            return answer(400, "bad signature");
        }
        JsonNode payload;
        try {
            payload = parse(eventType, contentType, body);
        } catch (OcfCodecException e) {
            return answer(400, "body not readable: " + e.getMessage());
        }
        if (EventTypes.DEVICES_UNREGISTERED.equals(eventType)) {
            // Before and after: a sync that read the device before it went must not store it back, whichever of the
            // two finishes first.
            sync.againIfRunning(s.linkId());
        }
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> apply(id, targetId, eventType, seq, payload));
        switch (outcome) {
            case GONE -> {
                subscriptions.remove(id);
                return answer(410, "unknown subscription");
            }
            case DUPLICATE -> {
                return answer(200, "already processed");
            }
            case GAP -> {
                LOG.infof("link %s: sequence gap on subscription %s before %d; resyncing", s.linkId(), id, seq);
                sync.request(s.linkId());
            }
            case NEWS -> {
                LOG.debugf("link %s: %s names what the link does not hold yet; syncing", s.linkId(), eventType);
                sync.request(s.linkId());
            }
            default -> {
            }
        }
        if (EventTypes.DEVICES_UNREGISTERED.equals(eventType)) {
            sync.againIfRunning(s.linkId());
        }
        if (EventTypes.SUBSCRIPTION_CANCELLED.equals(eventType)) {
            // The Target ended it (device gone, retry age, ...): the next sync decides what to hold again.
            subscriptions.remove(id);
            sync.request(s.linkId());
        }
        return answer(200, "ok");
    }

    private Outcome apply(UUID id, UUID targetId, String eventType, long seq, JsonNode payload) {
        OriginSubscription s = OriginSubscription.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            return Outcome.GONE;
        }
        if (seq <= s.lastSeq) {
            return Outcome.DUPLICATE;
        }
        Outcome outcome = seq > s.lastSeq + 1 ? Outcome.GAP : Outcome.PROCESSED;
        s.lastSeq = seq;
        if (s.targetId == null) {
            s.targetId = targetId;
        }
        boolean unknownDevice = false;
        switch (eventType) {
            case EventTypes.DEVICES_ONLINE, EventTypes.DEVICES_OFFLINE -> {
                boolean online = EventTypes.DEVICES_ONLINE.equals(eventType);
                for (JsonNode d : payload) {
                    String di = d.path("di").asText();
                    DeviceSets.Change c = DeviceSets.status(s.linkId, di, online);
                    unknownDevice |= c == DeviceSets.Change.UNKNOWN_DEVICE;
                    if (c == DeviceSets.Change.CHANGED) {
                        events.record(s.linkId, di, online ? VendorEvents.DEVICE_ONLINE : VendorEvents.DEVICE_OFFLINE, d.toString());
                    }
                }
            }
            case EventTypes.DEVICES_REGISTERED -> {
                java.util.Set<String> named = new java.util.HashSet<>();
                for (JsonNode d : payload) {
                    named.add(d.path("di").asText());
                    unknownDevice |= !DeviceSets.known(s.linkId, d.path("di").asText());
                }
                // The first one after subscribing carries the Target's whole set: a device the link holds and it
                // leaves out went between the sync's read and the subscription, so no devices_unregistered will
                // ever name it. A sync removes it (before, it stayed until the next reconcile, and the CI run of
                // DeviceSyncTest.theDeviceThatLeavesIsTheOneRemovedAndAGapResyncs caught it).
                unknownDevice |= DeviceSets.holdsOtherThan(s.linkId, named);
            }
            case EventTypes.DEVICES_UNREGISTERED -> {
                events.holdOrder(); // before the deletes lock the rows (see holdOrder)
                for (JsonNode d : payload) {
                    if (DeviceSets.remove(s.linkId, d.path("di").asText())) {
                        events.record(s.linkId, d.path("di").asText(), VendorEvents.DEVICE_REMOVED, d.toString());
                    }
                }
            }
            case EventTypes.RESOURCES_PUBLISHED -> {
                boolean known = DeviceSets.published(s.linkId, s.deviceId, payload);
                if (known && payload.size() > 0) {
                    events.record(s.linkId, s.deviceId, VendorEvents.LINKS_PUBLISHED, payload.toString());
                }
                unknownDevice = !known || !DeviceSets.subscribedToAll(s.linkId, s.deviceId, payload);
            }
            case EventTypes.RESOURCES_UNPUBLISHED -> {
                events.holdOrder(); // before the deletes of the resources' rows lock them (see holdOrder)
                DeviceSets.unpublished(s.linkId, s.deviceId, payload);
                if (payload.size() > 0) {
                    events.record(s.linkId, s.deviceId, VendorEvents.LINKS_UNPUBLISHED, payload.toString());
                }
            }
            case EventTypes.RESOURCE_CONTENT_CHANGED -> {
                DeviceSets.putContent(s.linkId, s.deviceId, s.href, payload.toString(), OffsetDateTime.now(ZoneOffset.UTC));
                com.fasterxml.jackson.databind.node.ObjectNode change = OcfCodec.get().mapper(OcfFormat.JSON).createObjectNode();
                change.put("href", s.href);
                change.set("content", payload);
                events.record(s.linkId, s.deviceId, VendorEvents.CONTENT_CHANGED, change.toString());
            }
            case EventTypes.SUBSCRIPTION_CANCELLED -> s.delete();
            default -> {
            }
        }
        // A new device, new links or a device not yet read: the sync reads it and subscribes to what it needs.
        return unknownDevice && outcome == Outcome.PROCESSED ? Outcome.NEWS : outcome;
    }

    /** List events in either shape ({@code {"content":[…]}} or a bare array); content changes as JSON. */
    private static JsonNode parse(String eventType, String contentType, byte[] body) {
        OcfFormat format = contentType != null && contentType.startsWith(MediaTypes.OCF_CBOR) ? OcfFormat.OCF_CBOR : OcfFormat.JSON;
        if (body == null || body.length == 0) {
            return OcfCodec.get().mapper(OcfFormat.JSON).createArrayNode();
        }
        JsonNode n = OcfCodec.get().decodeTree(body, format);
        if (EventTypes.RESOURCE_CONTENT_CHANGED.equals(eventType) || EventTypes.SUBSCRIPTION_CANCELLED.equals(eventType)) {
            return n;
        }
        if (n.isObject() && n.has("content")) {
            n = n.get("content");
        }
        if (!n.isArray()) {
            throw new OcfCodecException("a list notification is {\"content\":[…]} or an array");
        }
        return n;
    }

    private static Response answer(int status, String reason) {
        return Response.status(status).type("text/plain").entity(reason).build();
    }
}
