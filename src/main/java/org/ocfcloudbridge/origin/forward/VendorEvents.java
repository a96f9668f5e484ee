package org.ocfcloudbridge.origin.forward;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.BridgeSetting;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.Settings;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Records a change for the vendor cloud inside the transaction that makes it (an outbox again): one event row, read by
 * the event stream, and one delivery row per configured webhook.
 */
@ApplicationScoped
public class VendorEvents {

    /** Event types the vendor cloud receives. */
    public static final String DEVICE_ADDED = "device.added";
    public static final String DEVICE_REMOVED = "device.removed";
    public static final String DEVICE_ONLINE = "device.online";
    public static final String DEVICE_OFFLINE = "device.offline";
    public static final String LINKS_PUBLISHED = "links.published";
    public static final String LINKS_UNPUBLISHED = "links.unpublished";
    public static final String CONTENT_CHANGED = "content.changed";
    public static final String LINK_STATE = "link.state";

    static final String ORDER = "vendor-event-order";
    private static final String INSERT_EVENT = "insert into vendor_event (vendor_user, link_id, device_id, type, payload, created_at)"
            + " values (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DELIVERY = "insert into webhook_delivery (webhook, event_id, attempts, next_attempt_at)"
            + " values (?, ?, 0, ?)";
    /** Marks a transaction whose commit already wakes the webhook sender. */
    private static final Object WAKE = new Object();

    /** What a transaction recorded events for: told to the listeners after its commit. */
    private record Committing(Set<String> users, Set<UUID> links) {
    }

    private final OriginConfig config;
    private final TransactionSynchronizationRegistry transactions;
    private volatile Consumer<Set<UUID>> onCommit = links -> { };
    private final List<Consumer<Set<String>>> committedFor = new CopyOnWriteArrayList<>();

    public VendorEvents(OriginConfig config, TransactionSynchronizationRegistry transactions, Settings settings) {
        this.config = config;
        this.transactions = transactions;
        this.settings = settings;
    }

    private final Settings settings;

    void start(@jakarta.enterprise.event.Observes @jakarta.annotation.Priority(15) io.quarkus.runtime.StartupEvent event) {
        settings.getOrCreate(ORDER, () -> "the row vendor event writers lock");
    }

    /** Called after each commit that recorded events, with the links they are of (the webhook sender listens). */
    void onCommit(Consumer<Set<UUID>> listener) {
        this.onCommit = listener;
    }

    /** Called after each commit that recorded events, with the vendor users they are for (the event streams listen). */
    void onCommitFor(Consumer<Set<String>> listener) {
        committedFor.add(listener);
    }

    /** Records one event; {@code payload} is JSON. Must run inside a transaction. */
    public void record(UUID linkId, String deviceId, String type, String payload) {
        String vendorUser = owner(linkId);
        if (vendorUser != null) {
            record(vendorUser, linkId, deviceId, type, payload);
        }
    }

    /**
     * The vendor user a link belongs to; null when the link is gone. A link's vendor user never changes; callers hold a
     * row of the link's (a locked subscription, a device) in their transaction, so a link that is gone is not written
     * for.
     */
    public String owner(UUID linkId) {
        String vendorUser = owners.get(linkId);
        if (vendorUser == null) {
            LinkedAccount link = LinkedAccount.findById(linkId);
            if (link == null) {
                return null;
            }
            vendorUser = link.vendorUser;
            if (owners.size() >= 100_000) {
                owners.clear();
            }
            owners.put(linkId, vendorUser);
        }
        return vendorUser;
    }

    private final java.util.Map<UUID, String> owners = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Takes the lock that orders event ids (held to commit) now. Every transaction that records events must take it
     * before it locks an Origin device or resource row, so that no two wait on each other: the inbox's row writes are
     * flushed at commit, after {@link #record}; a transaction that writes rows at once (a bulk update or delete) and
     * records afterwards calls this first.
     */
    public void holdOrder() {
        // Once per transaction, in plain SQL: through Hibernate (a locking find, every time it was asked) it was 8% of
        // the event path's CPU in the profile of 2026-12-05.
        if (transactions.getTransactionKey() == null) {
            // Outside a transaction the lock would be let go at once, and ids would no longer follow commit order.
            throw new IllegalStateException("vendor events are recorded inside a transaction");
        }
        if (transactions.getResource(ORDER_HELD) != null) {
            return;
        }
        BridgeSetting.getEntityManager().unwrap(org.hibernate.Session.class).doWork(c -> {
            org.ocfcloudbridge.store.HotStatements.with(c, "select name from bridge_setting where name = ? for update", ps -> {
                ps.setString(1, ORDER);
                ps.executeQuery().close();
                return null;
            });
        });
        transactions.putResource(ORDER_HELD, Boolean.TRUE);
    }

    /** Marks a transaction that holds the order lock already. */
    private static final Object ORDER_HELD = new Object();

    public void record(String vendorUser, UUID linkId, String deviceId, String type, String payload) {
        recordAll(List.of(new New(vendorUser, linkId, deviceId, type, payload)));
    }

    /** An event to record: {@code payload} is JSON. */
    public record New(String vendorUser, UUID linkId, String deviceId, String type, String payload) {
    }

    /**
     * Records events in this order, with one batched insert for the events and one for their webhook deliveries. Must
     * run inside a transaction.
     */
    public void recordAll(List<New> batch) {
        if (batch.isEmpty()) {
            return;
        }
        // Event ids must follow commit order, or a reader resuming "after id N" (the event stream) could pass over an id
        // that commits late. Writers take their ids one transaction at a time, behind this row lock, held to commit.
        holdOrder();
        // Plain JDBC on the transaction's connection: Hibernate runs an IDENTITY insert at persist() anyway, and its
        // own work around the two inserts (binding, generated keys, the entity entries kept to the flush) was 11% of the
        // event path's CPU in the profile of 2026-12-05. Nothing in these transactions reads the rows back as entities.
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        VendorEvent.getEntityManager().unwrap(org.hibernate.Session.class).doWork(c -> {
            long[] ids = new long[batch.size()];
            try (java.sql.PreparedStatement ps = c.prepareStatement(INSERT_EVENT, new String[]{"id"})) {
                for (New e : batch) {
                    ps.setString(1, e.vendorUser());
                    ps.setObject(2, e.linkId());
                    ps.setString(3, e.deviceId());
                    ps.setString(4, e.type());
                    ps.setString(5, e.payload());
                    ps.setObject(6, now);
                    ps.addBatch();
                }
                ps.executeBatch();
                // Both drivers give a batch's generated keys in the batch's order.
                try (java.sql.ResultSet keys = ps.getGeneratedKeys()) {
                    for (int i = 0; i < ids.length; i++) {
                        if (!keys.next()) {
                            throw new java.sql.SQLException("the driver gave " + i + " generated ids for " + ids.length + " events");
                        }
                        ids[i] = keys.getLong(1);
                    }
                }
            }
            if (config.webhooks().isEmpty()) {
                return;
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY)) {
                for (long id : ids) {
                    for (String name : config.webhooks().keySet()) {
                        ps.setString(1, name);
                        ps.setLong(2, id);
                        ps.setObject(3, now);
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        });
        // One wake-up per transaction, not per event: a batch of the inbox writer records hundreds (holdOrder made
        // sure there is a transaction).
        Committing committing = (Committing) transactions.getResource(WAKE);
        if (committing == null) {
            Committing forCommit = new Committing(new HashSet<>(), new HashSet<>());
            committing = forCommit;
            transactions.putResource(WAKE, forCommit);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        onCommit.accept(forCommit.links());
                        committedFor.forEach(l -> l.accept(forCommit.users()));
                    }
                }
            });
        }
        for (New e : batch) {
            committing.users().add(e.vendorUser());
            committing.links().add(e.linkId());
        }
    }

    /**
     * A stored payload as a JSON value to put into a webhook body or an event stream line as it is: the payload itself
     * when it is JSON (all this daemon writes now), else the text as a JSON string. Rows written before payloads were
     * all made by Jackson may hold a device id that breaks the JSON; a streaming parse checks without building a tree.
     */
    public static String jsonValue(String payload) {
        try (com.fasterxml.jackson.core.JsonParser p = PAYLOADS.createParser(payload)) {
            if (p.nextToken() != null) {
                p.skipChildren();
                if (p.nextToken() == null) {
                    return payload;
                }
            }
        } catch (java.io.IOException notJson) {
            // as a string, below
        }
        return quoted(payload);
    }

    private static final com.fasterxml.jackson.core.JsonFactory PAYLOADS = new com.fasterxml.jackson.core.JsonFactory();

    /** {@code text} as a JSON string literal. */
    public static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text, out);
        return out.append('"').toString();
    }

    /** The id of the user's newest event, 0 when there is none. */
    public static long lastIdOf(String vendorUser) {
        Long max = QuarkusTransaction.requiringNew().call(() -> VendorEvent.getEntityManager()
                .createQuery("select max(e.id) from VendorEvent e where e.vendorUser = ?1", Long.class)
                .setParameter(1, vendorUser).getSingleResult());
        return max == null ? 0L : max;
    }
}
