package org.ocfcloudbridge.targetcloud.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.HotStatements;
import org.ocfcloudbridge.store.InList;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.store.PublishedLink;
import org.ocfcloudbridge.store.Subscription;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.targetcloud.api.ApiRepresentations;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a change at the Target Cloud into notifications (Part 10 §5): finds the subscriptions that want it and writes
 * one signed notification per subscription into the outbox. Every method must run inside the transaction that makes
 * the change, so a change and its notifications are stored together or not at all.
 * <p>
 * A change and a new subscription race: the change's transaction may look for subscriptions before the new one is
 * committed while the subscription reads the state from before the change, and the subscriber would keep the old
 * state for good. So both take the device's row lock first ({@link #fence}): whichever comes second waits, and then
 * either the change is in the subscription's initial state or the change finds the subscription.
 */
@ApplicationScoped
public class EventJournal {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final OcfCodec CODEC = OcfCodec.get();

    private final NotificationDelivery delivery;
    private final SubscriptionSecrets secrets;
    private final OwnerFence ownerFence;

    public EventJournal(NotificationDelivery delivery, SubscriptionSecrets secrets, OwnerFence ownerFence) {
        this.delivery = delivery;
        this.secrets = secrets;
        this.ownerFence = ownerFence;
    }

    /** The owner's fence for a device signing up: shared with the owner's other sign-ups ({@link OwnerFence}). */
    public void signingUp(String ownerId) {
        ownerFence.shared(ownerId);
    }

    /**
     * Locks the rows of these devices, in id order (two fences never wait on each other crosswise), and returns the
     * devices that exist. A change to a device must take it before it is journaled; so does a new subscription
     * before it reads the current state ({@link #initial}).
     */
    public static java.util.Map<String, String> fence(java.util.Collection<String> deviceIds) {
        java.util.Map<String, String> owners = new java.util.TreeMap<>();
        if (deviceIds.isEmpty()) {
            return owners;
        }
        List<String> ids = new ArrayList<>(new java.util.TreeSet<>(deviceIds));
        // Plain JDBC on the transaction's connection, kept prepared (HotStatements): Hibernate translates a locking query
        // anew on each call and H2 parses a locking select anew, which cost more than the rest of a twin write together.
        owners.putAll(HotStatements.onTransaction(c -> fence(c, ids)));
        return owners;
    }

    /** A devices-level event (registered, unregistered, online, offline) about one device of {@code ownerId}. */
    public void device(String ownerId, String eventType, String deviceId) {
        List<Subscription> subs = locked("owner_id = ? and level = ? and state = ?", ownerId,
                Subscription.Level.DEVICES, Subscription.State.ACTIVE);
        for (Subscription s : subs) {
            if (s.wants(eventType)) {
                append(s, eventType, deviceIds(s, List.of(deviceId)));
            }
        }
    }

    /** Links published or unpublished (device level); {@code links} carry device-local hrefs. */
    public void links(String deviceId, String eventType, List<Link> links) {
        if (links.isEmpty()) {
            return;
        }
        for (Subscription s : locked("device_id = ? and level = ? and state = ?", deviceId,
                Subscription.Level.DEVICE, Subscription.State.ACTIVE)) {
            if (s.wants(eventType)) {
                append(s, eventType, links(s, deviceId, links));
            }
        }
    }

    /** A resource's representation changed; {@code cbor} is what the device sent. */
    public record Content(String deviceId, String href, byte[] cbor) {
    }

    /**
     * {@link #fence} on the transaction's own connection, for the device lane's write, which works in plain JDBC:
     * the rows of these (distinct, sorted) devices locked in id order; their owners by id.
     */
    public static java.util.Map<String, String> fence(java.sql.Connection c, List<String> sortedIds) throws java.sql.SQLException {
        java.util.Map<String, String> owners = new java.util.HashMap<>();
        if (sortedIds.isEmpty()) {
            return owners;
        }
        HotStatements.with(c, "select id, owner_id from device where id in (" + InList.markers(sortedIds.size())
                + ") order by id for update", ps -> {
            InList.bind(ps, 1, sortedIds);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    owners.put(rs.getString(1), rs.getString(2));
                }
            }
            return null;
        });
        return owners;
    }

    private static final String RESOURCE_SUBSCRIPTIONS = "select id, href, events_url, event_types, signing_secret, "
            + "content_type, bare_arrays, correlation_id, next_seq, device_id from subscription where device_id in (%s) "
            + "and level = 'RESOURCE' and state = 'ACTIVE' order by id for update";

    /**
     * Changes of resources, in the order they happened, journaled for the resource-level subscriptions of their
     * devices (read at once). Plain JDBC on the transaction's connection: the device lane's hot path. The profile of
     * 2026-12-05 had Hibernate's native query with an entity result (auto-flush, result-set mapping, H2 parsing the
     * statement twice) at 19% of the event path's CPU and the dirty check of {@code next_seq} at commit on top. The
     * subscriptions are read locked in id order as before, so two writers to one subscription take its sequence numbers
     * one after the other; each one that took numbers gets its new {@code next_seq} in one batched update.
     */
    public void contents(java.sql.Connection c, List<Content> changes) throws java.sql.SQLException {
        if (changes.isEmpty()) {
            return;
        }
        List<String> devices = new ArrayList<>(new java.util.TreeSet<>(changes.stream().map(Content::deviceId).toList()));
        java.util.Map<String, List<Subscription>> byResource = new java.util.HashMap<>();
        HotStatements.with(c, RESOURCE_SUBSCRIPTIONS.formatted(InList.markers(devices.size())), ps -> {
            InList.bind(ps, 1, devices);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // Detached: only what a notification needs; never persisted (next_seq is written below).
                    Subscription s = new Subscription();
                    s.id = rs.getObject(1, java.util.UUID.class);
                    s.href = rs.getString(2);
                    s.eventsUrl = rs.getString(3);
                    s.eventTypes = rs.getString(4);
                    s.signingSecret = rs.getString(5);
                    s.contentType = rs.getString(6);
                    s.bareArrays = rs.getBoolean(7);
                    s.correlationId = rs.getString(8);
                    s.nextSeq = rs.getLong(9);
                    s.deviceId = rs.getString(10);
                    s.level = Subscription.Level.RESOURCE;
                    s.state = Subscription.State.ACTIVE;
                    if (s.wants(EventTypes.RESOURCE_CONTENT_CHANGED)) {
                        byResource.computeIfAbsent(s.deviceId + " " + s.href, k -> new ArrayList<>()).add(s);
                    }
                }
            }
            return null;
        });
        List<OutboxEntry> rows = new ArrayList<>();
        java.util.Map<java.util.UUID, Subscription> numbered = new java.util.LinkedHashMap<>();
        for (Content ch : changes) {
            for (Subscription s : byResource.getOrDefault(ch.deviceId() + " " + ch.href(), List.of())) {
                rows.add(entry(s, EventTypes.RESOURCE_CONTENT_CHANGED, representation(s, ch.cbor())));
                numbered.put(s.id, s);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("update subscription set next_seq = ? where id = ?")) {
            for (Subscription s : numbered.values()) {
                ps.setLong(1, s.nextSeq);
                ps.setObject(2, s.id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        insert(c, rows);
        for (OutboxEntry e : rows) {
            delivery.enqueueAfterCommit(pending(e));
        }
    }

    private static final String INSERT = "insert into notification_outbox (subscription_id, seq, event_type, event_ts, "
            + "content_type, body, signature, attempts, next_attempt_at, created_at) values (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)";

    /**
     * The hot path's rows in one JDBC batch, in the change's transaction: Hibernate must run an INSERT per row at
     * persist() to learn an IDENTITY id (a third of the CPU of a notification in the profile of 2026-12-03), and
     * nothing here needs the id — delivery knows a row by (subscription, seq).
     */
    private static void insert(java.sql.Connection c, List<OutboxEntry> rows) throws java.sql.SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (OutboxEntry e : rows) {
                ps.setObject(1, e.subscriptionId);
                ps.setLong(2, e.seq);
                ps.setString(3, e.eventType);
                ps.setLong(4, e.eventTimestamp);
                ps.setString(5, e.contentType);
                ps.setBytes(6, e.body);
                ps.setString(7, e.signature);
                ps.setObject(8, e.nextAttemptAt);
                ps.setObject(9, e.createdAt);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * The device left its owner: its device- and resource-level subscriptions end with {@code subscription_cancelled}
     * (they could otherwise follow the device to a next owner).
     */
    public void deviceGone(String deviceId) {
        for (Subscription s : locked("device_id = ? and state = ?", deviceId, Subscription.State.ACTIVE)) {
            cancel(s);
        }
    }

    /**
     * The current state, one notification per subscribed event type (right after subscribing, in its transaction);
     * the devices concerned are fenced first, so a change made meanwhile is either read here or notified after.
     */
    public void initial(Subscription s) {
        switch (s.level) {
            case DEVICES -> {
                ownerFence.exclusive(s.ownerId);
                List<DeviceRecord> devices = DeviceRecord.<DeviceRecord>find("ownerId = ?1 order by id", s.ownerId)
                        .withLock(LockModeType.PESSIMISTIC_WRITE).list();
                for (String type : s.eventTypeList()) {
                    List<String> ids = switch (type) {
                        case EventTypes.DEVICES_REGISTERED -> devices.stream().map(d -> d.id).toList();
                        case EventTypes.DEVICES_ONLINE -> devices.stream().filter(d -> d.online).map(d -> d.id).toList();
                        case EventTypes.DEVICES_OFFLINE -> devices.stream().filter(d -> !d.online).map(d -> d.id).toList();
                        default -> List.of();
                    };
                    append(s, type, deviceIds(s, ids));
                }
            }
            case DEVICE -> {
                ownedStill(s);
                for (String type : s.eventTypeList()) {
                    List<Link> current = type.equals(EventTypes.RESOURCES_PUBLISHED) ? liveLinks(s.deviceId) : List.of();
                    append(s, type, links(s, s.deviceId, current));
                }
            }
            case RESOURCE -> {
                ownedStill(s);
                Optional<TwinResource> twin = TwinResource.findByIdOptional(new TwinResource.Key(s.deviceId, s.href));
                twin.ifPresent(t -> append(s, EventTypes.RESOURCE_CONTENT_CHANGED, representation(s, t.content)));
            }
        }
    }

    /** The subscribed device is gone, or has another owner, since the request was checked. */
    public static final class DeviceGone extends RuntimeException {
        public DeviceGone() {
            super("no such device", null, false, false);
        }
    }

    /**
     * Fences the subscription's device and checks it is still its owner's: it may have been deregistered (its
     * subscriptions ended) between the request's check and here, and a subscription must not outlive it.
     */
    private static void ownedStill(Subscription s) {
        if (!s.ownerId.equals(fence(List.of(s.deviceId)).get(s.deviceId))) {
            throw new DeviceGone();
        }
    }

    /** Ends a subscription: nothing more is queued for it but {@code subscription_cancelled}, which is its last word. */
    public void cancel(Subscription s) {
        // A query, not find: the row may have been deleted meanwhile (a 410, a delivered cancellation) under an entity
        // this transaction already holds; find would then fail where "gone" is the answer.
        Subscription locked = Subscription.<Subscription>find("id", s.id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (locked == null || locked.state != Subscription.State.ACTIVE) {
            return;
        }
        locked.state = Subscription.State.CANCELLING;
        Body body = locked.bareArrays ? new Body(null, new byte[0])
                : new Body(MediaTypes.JSON, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        append(locked, EventTypes.SUBSCRIPTION_CANCELLED, body);
    }

    private static List<Link> liveLinks(String deviceId) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Link> out = new ArrayList<>();
        for (PublishedLink l : PublishedLink.<PublishedLink>list("key.deviceId = ?1 order by key.ins", deviceId)) {
            if (l.expiresAt == null || l.expiresAt.isAfter(now)) {
                out.add(ApiRepresentations.storedLink(l));
            }
        }
        return out;
    }

    private static List<Subscription> locked(String where, Object... params) {
        // Locked so that two changes writing to one subscription take its sequence numbers one after the other;
        // always in id order, so two transactions never wait on each other crosswise. Most devices have no
        // subscription, so their rows are first locked in plain JDBC with a statement kept prepared (HotStatements):
        // Hibernate's native-query set-up and H2's parse of a locking select were 13.6% of a sign-up storm's CPU with
        // no subscription found (bench/devices.sh, 2026-12-06). Only when some exist are they read as entities
        // (locked again in this transaction: a no-op for the rows, and the entities are the managed ones).
        String sql = "select id from subscription where " + where + " order by id for update";
        boolean any = HotStatements.inTransaction(sql, ps -> {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i] instanceof Enum<?> e ? e.name() : params[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                boolean found = false;
                while (rs.next()) {
                    found = true;
                }
                return found;
            }
        });
        if (!any) {
            return List.of();
        }
        jakarta.persistence.Query q = Subscription.getEntityManager()
                .createNativeQuery(sql.replace("select id from", "select * from"), Subscription.class);
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i] instanceof Enum<?> e ? e.name() : params[i]);
        }
        @SuppressWarnings("unchecked")
        List<Subscription> subs = q.getResultList();
        return subs;
    }

    private void append(Subscription s, String eventType, Body body) {
        OutboxEntry e = entry(s, eventType, body);
        e.persist();
        delivery.enqueueAfterCommit(pending(e));
    }

    /** The next notification of {@code s}, signed; takes its sequence number. */
    private OutboxEntry entry(Subscription s, String eventType, Body body) {
        long seq = s.nextSeq++;
        long ts = Instant.now().getEpochSecond();
        OutboxEntry e = new OutboxEntry();
        e.subscriptionId = s.id;
        e.seq = seq;
        e.eventType = eventType;
        e.eventTimestamp = ts;
        e.contentType = body.contentType();
        e.body = body.bytes();
        e.signature = EventSignature.sign(secrets.open(s), body.contentType(), eventType, s.id.toString(), seq, ts, body.bytes());
        e.attempts = 0;
        e.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        e.nextAttemptAt = e.createdAt;
        // Delivery needs the subscription's receiver with the row; kept beside it, never stored with it.
        e.eventsUrl = s.eventsUrl;
        e.correlationId = s.correlationId;
        return e;
    }

    private static NotificationDelivery.Pending pending(OutboxEntry e) {
        return new NotificationDelivery.Pending(e.subscriptionId, e.seq, e.eventType, e.eventTimestamp, e.contentType, e.body,
                e.signature, e.eventsUrl, e.correlationId);
    }

    record Body(String contentType, byte[] bytes) {
    }

    private static Body deviceIds(Subscription s, List<String> ids) {
        ArrayNode list = NODES.arrayNode();
        ids.forEach(id -> list.addObject().put("di", id));
        return encode(s, list);
    }

    private static Body links(Subscription s, String deviceId, List<Link> links) {
        ArrayNode list = NODES.arrayNode();
        links.forEach(l -> list.add(ApiRepresentations.apiLink(deviceId, l)));
        return encode(s, list);
    }

    private static Body encode(Subscription s, ArrayNode list) {
        JsonNode body = list;
        if (!s.bareArrays) {
            ObjectNode wrapped = NODES.objectNode();
            wrapped.set("content", list);
            body = wrapped;
        }
        return new Body(s.contentType, write(body, s.contentType));
    }

    private static Body representation(Subscription s, byte[] cbor) {
        if (MediaTypes.OCF_CBOR.equals(s.contentType)) {
            return new Body(s.contentType, cbor);
        }
        return new Body(s.contentType, ApiRepresentations.cborToJson(cbor));
    }

    private static byte[] write(JsonNode body, String contentType) {
        return CODEC.encode(body, MediaTypes.OCF_CBOR.equals(contentType) ? OcfFormat.OCF_CBOR : OcfFormat.JSON);
    }
}
