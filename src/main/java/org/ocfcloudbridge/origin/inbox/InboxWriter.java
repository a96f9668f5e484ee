package org.ocfcloudbridge.origin.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

    /** The longest the one-at-a-time retry of a failed batch may keep the writer. */
    private static final java.time.Duration FALLBACK_LIMIT = java.time.Duration.ofSeconds(10);

    /** The whole batch in one transaction; null when it committed (every item completed), else what failed. */
    private RuntimeException attempt(List<Item> batch) {
        List<Outcome> outcomes;
        try {
            outcomes = QuarkusTransaction.requiringNew().call(() -> {
                // Once, first: every writer of vendor events takes it before it locks an Origin row (see holdOrder).
                events.holdOrder();
                List<Outcome> out = new ArrayList<>(batch.size());
                for (Item item : batch) {
                    out.add(apply(item));
                }
                return out;
            });
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
