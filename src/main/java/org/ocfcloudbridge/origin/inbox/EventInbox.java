package org.ocfcloudbridge.origin.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.LocalInbox;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.ops.NetworkFailures;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.OriginSubscription;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.ocfcloudbridge.origin.inbox.InboxWriter.Outcome;

/**
 * The Origin role's receiver of the Target Cloud's notifications (Part 10 §5.4): {@code POST /inbox/<our subscription>}.
 * A notification counts only if its HMAC matches (constant-time), its timestamp is within the allowed skew and its
 * sequence number is new; a duplicate is answered 200 and not processed again; an unknown subscription is 410 (the
 * Target then drops it); anything else wrong is 400 with nothing stored. A gap in the sequence resyncs the link.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Event inbox (Origin Cloud)")
@Path(HttpPaths.INBOX)
@jakarta.inject.Singleton
public class EventInbox implements LocalInbox {

    private static final Logger LOG = Logger.getLogger(EventInbox.class);

    private final DataCipher cipher;
    private final OriginConfig config;
    private final DeviceSync sync;
    private final InboxWriter writer;
    private final java.util.concurrent.Executor blocking;
    /** {@code bridge.public-url}/inbox/ with the Origin role on (what DeviceSync gives the Target as eventsUrl); else null. */
    private final String ownInboxes;

    public EventInbox(DataCipher cipher, OriginConfig config, DeviceSync sync, InboxWriter writer,
                      org.eclipse.microprofile.context.ManagedExecutor blocking, BridgeConfig bridge) {
        this.ownInboxes = bridge.origin().enabled() ? HttpPaths.inboxes(bridge.publicUrl()) : null;
        this.cipher = cipher;
        this.config = config;
        this.sync = sync;
        this.writer = writer;
        this.blocking = blocking;
    }

    /**
     * What verifying a notification needs of its subscription, kept in memory once the Target's id is known (it never
     * changes after): no database read and no decryption before the signature is checked. A subscription deleted
     * meanwhile is still found out, in the transaction that applies the notification (410, and forgotten here).
     */
    private record Known(UUID localId, UUID targetId, UUID linkId, String secret) {
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
        k = new Known(id, s.targetId, s.linkId, cipher.open(s.secret));
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
    public CompletionStage<Response> receive(@PathParam("subscription") String local, @HeaderParam(Headers.EVENT_TYPE) String eventType,
                                             @HeaderParam(Headers.SUBSCRIPTION_ID) String subscriptionId,
                                             @HeaderParam(Headers.SEQUENCE_NUMBER) String sequence,
                                             @HeaderParam(Headers.EVENT_TIMESTAMP) String timestamp,
                                             @HeaderParam(Headers.EVENT_SIGNATURE) String signature,
                                             @HeaderParam(Headers.CONTENT_TYPE) String contentType, byte[] body) {
        // On the event loop: the subscription's secret is in memory after its first notification, verifying is an HMAC,
        // and the write is the inbox writer's. Only the first notification of a subscription reads its row, on a worker.
        UUID id = Inputs.uuid(local).orElse(null);
        if (id == null) {
            return done(answer(410, "unknown subscription"));
        }
        Request r = new Request(id, eventType, subscriptionId, sequence, timestamp, signature, contentType, body);
        Known cached = subscriptions.get(id);
        if (cached != null) {
            return verified(cached, r);
        }
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                Known k = known(id);
                CompletionStage<Response> next = k == null ? done(answer(410, "unknown subscription")) : verified(k, r);
                next.whenComplete((a, e) -> resume(context, answer, a, e));
            } catch (RuntimeException e) {
                resume(context, answer, null, e);
            }
        });
        return answer;
    }

    /**
     * The same notification from this daemon's own Target role, without HTTP: the same checks, the same writer, the same
     * answers. Called on the Target's delivery threads, which may wait for the first read of a subscription's row.
     */
    @Override
    public CompletionStage<Answer> offer(String eventsUrl, Notification n) {
        if (ownInboxes == null || eventsUrl == null || !eventsUrl.startsWith(ownInboxes)) {
            return null;
        }
        UUID id = Inputs.uuid(eventsUrl.substring(ownInboxes.length())).orElse(null);
        Known k = id == null ? null : known(id);
        if (k == null || k.targetId() == null || !k.targetId().toString().equals(n.subscriptionId())) {
            // Not a subscription of this daemon's Origin role (whoever owns that address answers over HTTP), or one
            // whose Target id the sync has not stored yet: its first notifications, which the Target sends while the
            // sync is still making the link's subscriptions, go over HTTP as before. In process they overtook the
            // sync and asked it for two more reads of the Target at link time (DeviceSyncTest
            // .linkingReadsTheTargetOnceTheInitialNotificationsAskForNoOtherSync, once in seven runs).
            return null;
        }
        Request r = new Request(id, n.eventType(), n.subscriptionId(), Long.toString(n.sequenceNumber()),
                Long.toString(n.eventTimestamp()), n.signature(), n.contentType(), n.body());
        return verified(k, r).handle((response, failure) -> {
            if (failure == null) {
                return new Answer(response.getStatus(), String.valueOf(response.getEntity()));
            }
            Throwable f = NetworkFailures.unwrapped(failure);
            if (f instanceof jakarta.ws.rs.WebApplicationException w) {
                return new Answer(w.getResponse().getStatus(), String.valueOf(w.getResponse().getEntity()));
            }
            throw new java.util.concurrent.CompletionException(f);
        });
    }

    /** One notification's headers and body, as received. */
    private record Request(UUID id, String eventType, String subscriptionId, String sequence, String timestamp,
                           String signature, String contentType, byte[] body) {
    }

    private CompletionStage<Response> verified(Known s, Request r) {
        UUID targetId = Inputs.uuid(r.subscriptionId()).orElse(null);
        long seq;
        long ts;
        try {
            seq = Long.parseLong(r.sequence());
            ts = Long.parseLong(r.timestamp());
        } catch (NumberFormatException | NullPointerException e) {
            return done(answer(400, "Sequence-Number and Event-Timestamp must be numbers"));
        }
        String eventType = r.eventType();
        if (eventType == null || targetId == null || seq < 0) {
            return done(answer(400, "Event-Type, Subscription-ID and Sequence-Number are required"));
        }
        if (s.targetId() != null && !s.targetId().equals(targetId)) {
            return done(answer(410, "not this subscription"));
        }
        if (Math.abs(Instant.now().getEpochSecond() - ts) > config.maxClockSkew().toSeconds()) {
            return done(answer(400, "Event-Timestamp too far from now"));
        }
        String expected = EventSignature.sign(s.secret(), r.contentType(), eventType, r.subscriptionId(), seq, ts, r.body());
        if (!EventSignature.matches(expected, r.signature())) {
            return done(answer(400, "bad signature"));
        }
        JsonNode payload;
        try {
            payload = parse(eventType, r.contentType(), r.body());
        } catch (OcfCodecException e) {
            return done(answer(400, "body not readable: " + e.getMessage()));
        }
        // Before and after: a sync that read the device before it went must not store it back, whichever of the two
        // finishes first. Not for an empty list: the Target sends one as the devices level's first notification, while
        // the sync that made that subscription is still running, and it asked for a second read of the Target at every
        // link (DeviceSyncTest.linkingReadsTheTargetOnceTheInitialNotificationsAskForNoOtherSync, about one run in seven).
        boolean devicesWent = EventTypes.DEVICES_UNREGISTERED.equals(eventType) && payload.size() > 0;
        if (devicesWent) {
            sync.againIfRunning(s.linkId());
        }
        CompletableFuture<Outcome> written = writer.submit(r.id(), targetId, eventType, seq, payload);
        if (written == null) {
            return done(Response.status(503).header(Headers.RETRY_AFTER, "1").type("text/plain")
                    .entity("the inbox is busy; send it again").build());
        }
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        CompletableFuture<Response> answer = new CompletableFuture<>();
        // The writer completes the future on its own thread: the answer is finished on the request's event loop, so
        // the writer goes straight on to the next batch.
        written.whenComplete((outcome, failure) -> onContext(context, () -> {
            if (failure != null) {
                Throwable f = NetworkFailures.unwrapped(failure);
                answer.completeExceptionally(f instanceof InboxWriter.Retry retry
                        ? new jakarta.ws.rs.WebApplicationException(Response.status(503).header(Headers.RETRY_AFTER, "1")
                        .type("text/plain").entity(retry.getMessage()).build()) : f);
                return;
            }
            try {
                answer.complete(after(s, eventType, seq, outcome, devicesWent));
            } catch (RuntimeException e) {
                // The notification is stored; only its follow-up (a sync asked for while the daemon stops) failed, and
                // the reconcile after the restart does it. Never a request left unanswered.
                LOG.debugf("link %s: after notification %d: %s", s.linkId(), seq, e.getMessage());
                answer.complete(answer(200, "ok"));
            }
        }));
        return answer;
    }

    /** Runs {@code task} on the request's event loop (off the inbox writer's thread), or here when there is none. */
    private static void onContext(io.vertx.core.Context context, Runnable task) {
        if (context != null) {
            context.runOnContext(v -> task.run());
        } else {
            task.run();
        }
    }

    private Response after(Known s, String eventType, long seq, Outcome outcome, boolean devicesWent) {
        switch (outcome) {
            case GONE -> {
                subscriptions.remove(s.localId());
                return answer(410, "unknown subscription");
            }
            case DUPLICATE -> {
                return answer(200, "already processed");
            }
            case GAP -> {
                LOG.infof("link %s: sequence gap on subscription %s before %d; resyncing", s.linkId(), s.localId(), seq);
                sync.request(s.linkId());
            }
            case NEWS -> {
                LOG.debugf("link %s: %s names what the link does not hold yet; syncing", s.linkId(), eventType);
                sync.request(s.linkId());
            }
            default -> {
            }
        }
        if (devicesWent) {
            sync.againIfRunning(s.linkId());
        }
        if (EventTypes.SUBSCRIPTION_CANCELLED.equals(eventType)) {
            // The Target ended it (device gone, retry age, ...): the next sync decides what to hold again.
            subscriptions.remove(s.localId());
            sync.request(s.linkId());
        }
        return answer(200, "ok");
    }

    private static void resume(io.vertx.core.Context context, CompletableFuture<Response> answer, Response a, Throwable e) {
        onContext(context, () -> {
            if (e != null) {
                answer.completeExceptionally(NetworkFailures.unwrapped(e));
            } else {
                answer.complete(a);
            }
        });
    }

    private static CompletionStage<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
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
