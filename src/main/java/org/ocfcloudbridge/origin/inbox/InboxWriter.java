package org.ocfcloudbridge.origin.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ops.DatabaseOutage;
import org.ocfcloudbridge.ops.StartGate;
import org.ocfcloudbridge.ops.StopOrder;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.origin.sync.DeviceSets;
import org.ocfcloudbridge.store.InList;
import org.ocfcloudbridge.store.OriginSubscription;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Applies verified notifications to the Origin's store (Part 10 §5.4 on the receiving side): group commit. One writer
 * thread takes every notification queued since its last transaction and applies them in one transaction, in the order
 * they were verified, taking the vendor-event order lock once per batch instead of once per notification.
 * <p>
 * Why one writer: vendor event ids must follow commit order (a reader resuming "after id N" must never pass over an id
 * that commits later), and notifications of one subscription must be applied in sequence order. Before, every inbox
 * request ran its own transaction and they all queued on the order lock's row (the profile of 2026-12-03: 670 s of row
 * lock waits in 77 s, the inbox single-file anyway, with a transaction's whole cost per notification). Now the order
 * lock is taken by a batch, so several instances sharing one database still commit their batches one at a time.
 * <p>
 * A batch that fails for anything but an outage is applied again one notification per transaction, so one
 * notification the database refuses costs only its own 4xx/5xx. An outage fails the whole batch: each request is
 * answered 503 and the Target sends it again. Nothing is answered before its transaction commits.
 */
@ApplicationScoped
public class InboxWriter {

    private static final Logger LOG = Logger.getLogger(InboxWriter.class);

    /** Enough to amortise a transaction; small enough that one batch never nears the transaction timeout. */
    static final int MAX_BATCH = 256;
    /** Queued beyond this, a notification is answered 503 at once: the Target retries it later (back-pressure). */
    static final int MAX_QUEUED = 20_000;

    /** {@code NEWS}: a device or links this link does not hold yet, which the sync reads and subscribes to. */
    enum Outcome { PROCESSED, DUPLICATE, GAP, NEWS, GONE }

    /** One verified notification, waiting for its batch. */
    record Item(UUID subscription, UUID targetId, String eventType, long seq, JsonNode payload,
                CompletableFuture<Outcome> done) {
    }

    private final VendorEvents events;
    private final BridgeConfig config;
    private final StartGate gate;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private Thread thread;

    public InboxWriter(VendorEvents events, BridgeConfig config, StartGate gate) {
        this.events = events;
        this.config = config;
        this.gate = gate;
    }

    void start(@Observes StartupEvent event) {
        if (!config.origin().enabled()) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "inbox-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a verified notification; the future completes once its transaction has committed (or failed). Null when
     * the queue is full or the writer has stopped: the caller answers 503.
     */
    CompletableFuture<Outcome> submit(UUID subscription, UUID targetId, String eventType, long seq, JsonNode payload) {
        if (!running) {
            return null;
        }
        Item item = new Item(subscription, targetId, eventType, seq, payload, new CompletableFuture<>());
        if (!queue.offer(item)) {
            return null;
        }
        // A stop that came between the look at running and the offer may have drained the queue already: take it back
        // (if the writer or the stop's drain took it first, they complete it).
        if (!running && queue.remove(item)) {
            return null;
        }
        return item.done();
    }

    private void run() {
        try {
            if (!gate.awaitStarted(() -> running)) {
                return;
            }
            List<Item> batch = new ArrayList<>(MAX_BATCH);
            // On a stop, what is queued is still written (the Target has not been answered for it); then the thread ends.
            while (running || !queue.isEmpty()) {
                Item first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    void write(List<Item> batch) {
        RuntimeException failure = attempt(batch);
        if (failure == null) {
            return;
        }
        if (conflict(failure)) {
            // A lock wait that timed out or a deadlock: the batch did nothing wrong; once more, then the Target sends again.
            failure = attempt(batch);
            if (failure == null) {
                return;
            }
        }
        if (batch.size() == 1 || DatabaseOutage.is(failure) || DatabaseOutage.closed(failure) || conflict(failure)) {
            failAll(batch, 0, failure);
            return;
        }
        // One notification the store cannot apply: the others must not fail with it. Each alone, until one fails for
        // a reason that is not its own (an outage, the stop, a conflict), or for longer than a batch should ever take.
        LOG.debugf("a batch of %d notifications failed (%s); applying them one at a time", batch.size(), failure.getMessage());
        split.increment();
        long deadline = System.nanoTime() + FALLBACK_LIMIT.toNanos();
        for (int i = 0; i < batch.size(); i++) {
            Item item = batch.get(i);
            if (System.nanoTime() - deadline > 0) {
                failAll(batch, i, new Retry("the inbox is busy; send it again"));
                return;
            }
            try {
                item.done().complete(QuarkusTransaction.requiringNew().call(() -> {
                    events.holdOrder();
                    return apply(item);
                }));
            } catch (RuntimeException one) {
                if (DatabaseOutage.is(one) || DatabaseOutage.closed(one) || conflict(one)) {
                    failAll(batch, i, one);
                    return;
                }
                item.done().completeExceptionally(one);
            }
        }
    }

    /** Batches applied again one notification at a time (tests check that a batch they expect to pass did). */
    private final java.util.concurrent.atomic.LongAdder split = new java.util.concurrent.atomic.LongAdder();

    long splitBatches() {
        return split.sum();
    }

    /** The longest the one-at-a-time retry of a failed batch may keep the writer. */
    private static final java.time.Duration FALLBACK_LIMIT = java.time.Duration.ofSeconds(10);

    /** The whole batch in one transaction; null when it committed (every item completed), else what failed. */
    private RuntimeException attempt(List<Item> batch) {
        List<Outcome> outcomes;
        try {
            outcomes = QuarkusTransaction.requiringNew().call(() -> applyAll(batch));
        } catch (RuntimeException e) {
            return e;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(outcomes.get(i));
        }
        return null;
    }

    /** Fails the items from {@code from} on; the daemon stopping under them is a plain "send it again". */
    private static void failAll(List<Item> batch, int from, RuntimeException e) {
        RuntimeException answer = DatabaseOutage.closed(e) ? new Retry("the daemon is stopping")
                : conflict(e) ? new Retry("the inbox is busy; send it again") : e;
        for (int i = from; i < batch.size(); i++) {
            batch.get(i).done().completeExceptionally(answer);
        }
    }

    /**
     * A lock wait that timed out, a deadlock or a serialization failure (PostgreSQL 40001, 40P01, 55P03; H2 HYT00 and
     * 40001): the transaction met another one, not a fault of its notifications.
     */
    private static final java.util.Set<String> CONFLICT_STATES = java.util.Set.of("40001", "40P01", "55P03", "HYT00");

    static boolean conflict(Throwable e) {
        for (Throwable t : DatabaseOutage.related(e)) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null
                    && CONFLICT_STATES.contains(s.getSQLState())) {
                return true;
            }
            if (t instanceof jakarta.persistence.PessimisticLockException || t instanceof jakarta.persistence.LockTimeoutException
                    || t instanceof org.hibernate.exception.LockAcquisitionException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies a batch in its order inside the caller's transaction. Runs of content changes, nearly all of the traffic,
     * go through {@link #contents} in plain JDBC; the rarer events through {@link #apply}, one at a time.
     */
    private List<Outcome> applyAll(List<Item> batch) {
        // Once, first: every writer of vendor events takes it before it locks an Origin row (see holdOrder).
        events.holdOrder();
        Outcome[] out = new Outcome[batch.size()];
        EntityManager em = OriginSubscription.getEntityManager();
        int i = 0;
        while (i < batch.size()) {
            if (!EventTypes.RESOURCE_CONTENT_CHANGED.equals(batch.get(i).eventType())) {
                out[i] = apply(batch.get(i));
                i++;
                continue;
            }
            int end = i;
            while (end < batch.size() && EventTypes.RESOURCE_CONTENT_CHANGED.equals(batch.get(end).eventType())) {
                end++;
            }
            if (i > 0) {
                // What apply() changed is written before plain SQL reads the same rows.
                em.flush();
            }
            contents(em, batch.subList(i, end), out, i);
            if (end < batch.size()) {
                // apply() must not find a subscription as an earlier apply() left it in the session: read it again.
                em.clear();
            }
            i = end;
        }
        return java.util.Arrays.asList(out);
    }

    private static final String LOCK_SUBSCRIPTIONS = "select id, last_seq, target_id, link_id, device_id, href"
            + " from origin_subscription where id in (%s) order by id for update";
    private static final String SET_SEQ = "update origin_subscription set last_seq = ?, target_id = ? where id = ?";
    private static final String SET_CONTENT = "update origin_resource set content = ?, updated_at = ?"
            + " where link_id = ? and device_id = ? and href = ?";
    private static final String ADD_CONTENT = "insert into origin_resource (link_id, device_id, href, content, updated_at)"
            + " values (?, ?, ?, ?, ?)";

    /** A subscription row as the batch finds and leaves it. */
    private static final class Sub {
        long lastSeq;
        UUID targetId;
        UUID linkId;
        String deviceId;
        String href;
        boolean changed;
    }

    private record Resource(UUID linkId, String deviceId, String href) {
    }

    /**
     * A run of content changes, as {@link #apply} would apply them one by one, with one statement per kind of write:
     * the subscriptions locked in one select, their sequence numbers set in one batch, each resource's newest content
     * written once, the vendor events inserted in one batch. Hibernate's per-item work here (a locking find, the dirty
     * check of two entities, a find and a merge per resource) was a quarter of the event path's CPU in the profile of
     * 2026-12-05. A row the batch cannot write (a subscription without a resource, an insert that lost a race with
     * the sync) fails the batch, which is then applied again one notification per transaction by {@link #apply}.
     */
    private void contents(EntityManager em, List<Item> run, Outcome[] out, int offset) {
        List<UUID> ids = new ArrayList<>(new java.util.TreeSet<>(run.stream().map(Item::subscription).toList()));
        java.util.Map<UUID, Sub> subs = new java.util.HashMap<>();
        org.hibernate.Session session = em.unwrap(org.hibernate.Session.class);
        session.doWork(c -> {
            org.ocfcloudbridge.store.HotStatements.with(c, LOCK_SUBSCRIPTIONS.formatted(InList.markers(ids.size())), ps -> {
                InList.bind(ps, 1, ids);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Sub s = new Sub();
                        s.lastSeq = rs.getLong(2);
                        s.targetId = rs.getObject(3, UUID.class);
                        s.linkId = rs.getObject(4, UUID.class);
                        s.deviceId = rs.getString(5);
                        s.href = rs.getString(6);
                        subs.put(rs.getObject(1, UUID.class), s);
                    }
                }
                return null;
            });
        });
        java.util.Map<Resource, String> newest = new java.util.LinkedHashMap<>();
        List<VendorEvents.New> recorded = new ArrayList<>(run.size());
        com.fasterxml.jackson.databind.ObjectMapper json = OcfCodec.get().mapper(OcfFormat.JSON);
        for (int k = 0; k < run.size(); k++) {
            Item item = run.get(k);
            Sub s = subs.get(item.subscription());
            if (s == null) {
                out[offset + k] = Outcome.GONE;
                continue;
            }
            long seq = item.seq();
            if (seq <= s.lastSeq) {
                out[offset + k] = Outcome.DUPLICATE;
                continue;
            }
            out[offset + k] = seq > s.lastSeq + 1 ? Outcome.GAP : Outcome.PROCESSED;
            s.lastSeq = seq;
            if (s.targetId == null) {
                s.targetId = item.targetId();
            }
            s.changed = true;
            if (s.deviceId == null || s.href == null) {
                throw new IllegalStateException("a content change for subscription " + item.subscription()
                        + ", which is not a resource's");
            }
            newest.put(new Resource(s.linkId, s.deviceId, s.href), item.payload().toString());
            String owner = events.owner(s.linkId);
            if (owner != null) {
                com.fasterxml.jackson.databind.node.ObjectNode change = json.createObjectNode();
                change.put("href", s.href);
                change.set("content", item.payload());
                recorded.add(new VendorEvents.New(owner, s.linkId, s.deviceId, VendorEvents.CONTENT_CHANGED, change.toString()));
            }
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        session.doWork(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(SET_SEQ)) {
                int n = 0;
                for (java.util.Map.Entry<UUID, Sub> e : subs.entrySet()) {
                    if (e.getValue().changed) {
                        ps.setLong(1, e.getValue().lastSeq);
                        ps.setObject(2, e.getValue().targetId);
                        ps.setObject(3, e.getKey());
                        ps.addBatch();
                        n++;
                    }
                }
                if (n > 0) {
                    ps.executeBatch();
                }
            }
            if (newest.isEmpty()) {
                return;
            }
            // In key order, as any other writer of these rows should lock them, so that two never wait on each other.
            List<java.util.Map.Entry<Resource, String>> writes = new ArrayList<>(newest.entrySet());
            writes.sort(java.util.Map.Entry.comparingByKey(java.util.Comparator.comparing(Resource::linkId)
                    .thenComparing(Resource::deviceId).thenComparing(Resource::href)));
            int[] set;
            try (java.sql.PreparedStatement ps = c.prepareStatement(SET_CONTENT)) {
                for (java.util.Map.Entry<Resource, String> w : writes) {
                    ps.setString(1, w.getValue());
                    ps.setObject(2, now);
                    ps.setObject(3, w.getKey().linkId());
                    ps.setString(4, w.getKey().deviceId());
                    ps.setString(5, w.getKey().href());
                    ps.addBatch();
                }
                set = ps.executeBatch();
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(ADD_CONTENT)) {
                int n = 0;
                for (int k = 0; k < set.length; k++) {
                    if (set[k] == java.sql.Statement.SUCCESS_NO_INFO) {
                        throw new java.sql.SQLException("the driver did not say which resources an update found");
                    }
                    if (set[k] == 0) {
                        java.util.Map.Entry<Resource, String> w = writes.get(k);
                        ps.setObject(1, w.getKey().linkId());
                        ps.setString(2, w.getKey().deviceId());
                        ps.setString(3, w.getKey().href());
                        ps.setString(4, w.getValue());
                        ps.setObject(5, now);
                        ps.addBatch();
                        n++;
                    }
                }
                if (n > 0) {
                    ps.executeBatch();
                }
            }
        });
        events.recordAll(recorded);
    }

    private Outcome apply(Item item) {
        // Within a batch, a second notification of the same subscription finds the row already locked and updated.
        OriginSubscription s = OriginSubscription.findById(item.subscription(), LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            return Outcome.GONE;
        }
        long seq = item.seq();
        if (seq <= s.lastSeq) {
            return Outcome.DUPLICATE;
        }
        Outcome outcome = seq > s.lastSeq + 1 ? Outcome.GAP : Outcome.PROCESSED;
        s.lastSeq = seq;
        if (s.targetId == null) {
            s.targetId = item.targetId();
        }
        JsonNode payload = item.payload();
        boolean unknownDevice = false;
        switch (item.eventType()) {
            case EventTypes.DEVICES_ONLINE, EventTypes.DEVICES_OFFLINE -> {
                boolean online = EventTypes.DEVICES_ONLINE.equals(item.eventType());
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

    /**
     * After the deliveries that may still be posting to this inbox (both roles in one daemon): what is queued is
     * written, within {@link StopOrder#STEP}; notifications arriving later are answered 503 and sent again by the Target.
     */
    void stop(@Observes @Priority(StopOrder.BACKGROUND) ShutdownEvent event) {
        if (thread == null) {
            return;
        }
        running = false;
        try {
            if (!stopped.await(StopOrder.STEP.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.infof("stopping: %d notifications still queued after %s are left; the Target sends them again",
                        queue.size(), StopOrder.STEP);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Whatever is still queued was never written: its requests are answered 503.
        for (Item i; (i = queue.poll()) != null; ) {
            i.done().completeExceptionally(new Retry("the daemon is stopping"));
        }
    }

    /** The notification was not written and nothing is wrong with it (the stop, a busy store): the Target sends it again (503). */
    static final class Retry extends RuntimeException {
        Retry(String why) {
            super(why, null, false, false);
        }
    }
}
