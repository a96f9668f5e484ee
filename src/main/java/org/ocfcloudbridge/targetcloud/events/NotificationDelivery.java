package org.ocfcloudbridge.targetcloud.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.ClusterBus;
import org.ocfcloudbridge.cluster.ClusterSubjects;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.LocalInbox;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ops.DatabaseOutage;
import org.ocfcloudbridge.ops.NetworkFailures;
import org.ocfcloudbridge.ops.OutboundHttp;
import org.ocfcloudbridge.ops.StartGate;
import org.ocfcloudbridge.ops.StopOrder;
import org.ocfcloudbridge.store.DeadLetter;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.store.Subscription;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the outbox (Part 10 §5.4): at least once, each subscription's notifications one at a time in sequence order,
 * over pooled keep-alive HTTP connections. A failed POST is retried with exponential backoff and jitter until the
 * notification is older than {@code bridge.events.max-age}; then it becomes a dead letter and the subscription is
 * cancelled. {@code 410 Gone} ends the subscription at once. Everything lives in the database, so a restarted daemon
 * carries on where it stopped.
 */
@ApplicationScoped
public class NotificationDelivery {

    @Inject
    StartGate startGate;

    private static final Logger LOG = Logger.getLogger(NotificationDelivery.class);

    private final EventsConfig config;
    private final BridgeConfig bridge;
    private final TransactionSynchronizationRegistry transactions;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    /** Subscriptions with a new notification committed since the dispatcher last looked. */
    private final Set<UUID> dirty = ConcurrentHashMap.newKeySet();
    /**
     * The marked subscriptions in the order they were marked: served first come, first served, so that many
     * subscriptions retrying a dead receiver can never keep a live one waiting for a free slot.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<UUID> dirtyOrder = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void mark(UUID subscription) {
        if (dirty.add(subscription)) {
            dirtyOrder.add(subscription);
        }
    }
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    /** The stop gave up waiting for the POSTs in flight: their outcomes are no longer recorded. */
    private volatile boolean abandoned;
    private Thread dispatcher;
    /**
     * Runs what a delivery does besides waiting for its POST (reading the next notification, recording an outcome):
     * the POSTs themselves wait on the HTTP client's event loops, holding no thread, so many subscriptions can be in
     * flight at the price of a few threads.
     */
    private ExecutorService settler;
    private final Object settling = new Object();
    private final OutboundHttp http;
    private final DatabaseOutage.Job outbox = new DatabaseOutage.Job(LOG, "reading the notification outbox");
    private Counter delivered;
    private Counter failed;
    private Counter handedOver;
    /** This daemon's own Origin inbox, when that role is on: notifications for it skip HTTP. */
    private LocalInbox localInbox;

    @Inject
    jakarta.enterprise.inject.Instance<LocalInbox> localInboxes;

    @Inject
    EventJournal journal;

    @Inject
    org.ocfcloudbridge.cluster.Claims claims;

    @Inject
    org.ocfcloudbridge.cluster.Instances instances;

    @Inject
    ClusterBus bus;

    /**
     * Subscriptions another instance delivers that got notifications committed here: told to the others over the bus
     * once per round of the dispatcher, so their holder delivers at once instead of at its next scan.
     */
    private final Set<UUID> committedForOthers = ConcurrentHashMap.newKeySet();

    /**
     * Subscriptions this instance has claimed: it alone delivers them while it lives (their order is kept across
     * instances). Claimed when their first notification is seen, kept until the stop gives them back.
     */
    private final Set<UUID> mine = ConcurrentHashMap.newKeySet();

    @Inject
    MeterRegistry metrics;

    public NotificationDelivery(EventsConfig config, BridgeConfig bridge, TransactionSynchronizationRegistry transactions,
                                OutboundHttp http) {
        this.http = http;
        this.config = config;
        this.bridge = bridge;
        this.transactions = transactions;
    }

    void start(@Observes @Priority(90) StartupEvent event) {
        if (!bridge.target().enabled()) {
            return;
        }
        settler = Executors.newFixedThreadPool(SETTLERS, named("notification-settler-"));
        delivered = metrics.counter("bridge.notifications.delivered");
        failed = metrics.counter("bridge.notifications.failed");
        handedOver = metrics.counter("bridge.notifications.in.process");
        localInbox = bridge.origin().enabled() && localInboxes.isResolvable() ? localInboxes.get() : null;
        metrics.gauge("bridge.notifications.in.flight", inFlight, Set::size);
        // Another instance may have taken this one's subscriptions while its lease was out: claim them again. What
        // is known of their queues stays: rows before the next expected one were delivered here, and a row another
        // instance delivered meanwhile is gone from the outbox.
        instances.onLeaseLost(() -> {
            mine.clear();
            queues.keySet().forEach(this::unknown);
        });
        bus.subscribe(ClusterSubjects.NOTIFICATIONS_COMMITTED, this::committedElsewhere);
        running = true;
        dispatcher = new Thread(this::run, "notification-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /**
     * After the lanes ({@link StopOrder}): no new POSTs; the ones in flight finish and their outcomes are recorded, then
     * the delivered rows are deleted, so that nothing delivered is sent again after the restart. A POST still out after
     * {@link StopOrder#STEP} is left: its notification stays in the outbox and is sent again (at least once).
     */
    void stop(@Observes @Priority(StopOrder.DELIVERIES) ShutdownEvent event) {
        if (!running) {
            return;
        }
        running = false;
        long end = System.nanoTime() + StopOrder.STEP.toNanos();
        wake();
        try {
            dispatcher.join(StopOrder.STEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Each subscription in flight ends after its POST's outcome is recorded (no new POST starts now).
        boolean settled = true;
        synchronized (settling) {
            while (!inFlight.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    settled = false;
                    break;
                }
                try {
                    settling.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    settled = false;
                    break;
                }
            }
        }
        settler.shutdown();
        if (!settled) {
            abandoned = true;
            LOG.infof("stopping: %d notification POSTs still out after %s; those notifications are sent again after the restart",
                    inFlight.size(), StopOrder.STEP);
        }
        try {
            deleteDelivered();
        } catch (RuntimeException e) {
            LOG.warnf("delivered notifications not deleted at the stop (they will be sent again): %s", e.getMessage());
        }
        if (settled) {
            // Nothing of them is in flight here any more: another instance may take them over at once.
            try {
                claims.release(org.ocfcloudbridge.cluster.Claims.Unit.SUBSCRIPTION);
            } catch (RuntimeException e) {
                LOG.debugf("subscriptions not given back at the stop (taken over when the lease runs out): %s", e.getMessage());
            }
        }
    }

    /**
     * What this instance knows of a subscription's queue without asking the database: notifications committed since,
     * by sequence number, and the next sequence number to deliver (-1: unknown, ask the database).
     */
    private static final class Queue {
        final TreeMap<Long, Pending> ready = new TreeMap<>();
        long expected = -1;
        /**
         * The database held nothing after {@code expected} when last read, and every notification committed since is
         * in {@code ready}: nothing to read from the database when {@code ready} has not the next one. Only one
         * instance appends then (not in a cluster), and it ends when a notification is kept for a retry or dropped from
         * memory.
         */
        boolean complete;
    }

    /** Threads that settle deliveries (DB work only; the POSTs hold none). */
    private static final int SETTLERS = 4;

    /** Most notifications of one subscription held in memory; beyond that they wait in the database only. */
    private static final int MEMORY = 1000;

    private final Map<UUID, Queue> queues = new ConcurrentHashMap<>();
    /** Subscriptions whose eventsUrl the outbound address policy refused, already said in the log. */
    private final Set<UUID> refusedSaid = ConcurrentHashMap.newKeySet();
    /** Subscriptions whose last attempt failed: told once when they start failing and once when they recover. */
    private final Set<UUID> failing = ConcurrentHashMap.newKeySet();

    /** Where a receiver is, for a log line: its host and port, never its path or query (they may carry a secret). */
    static String host(String url) {
        try {
            java.net.URI u = java.net.URI.create(url);
            return u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (IllegalArgumentException e) {
            return "(an unparsable URL)";
        }
    }
    private static final long DELETE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * Delivered notifications still to delete, as the highest sequence number delivered per subscription: a
     * subscription's notifications are delivered in order, so every row up to it is done. Deleted in batches (a crash
     * before that means a resend, never a loss).
     */
    private final Map<UUID, Long> deliveredUpTo = new ConcurrentHashMap<>();

    /** Hands a notification to delivery once the current transaction has committed it. */
    public void enqueueAfterCommit(Pending p) {
        UUID subscription = p.subscriptionId();
        if (transactions.getTransactionKey() == null) {
            remember(p);
            mark(subscription);
            wake();
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    remember(p);
                    mark(subscription);
                    wake();
                }
            }
        });
    }

    private void remember(Pending p) {
        if (!mine.contains(p.subscriptionId())) {
            // Read from the database once claimed; another instance's subscription is not kept here at all, and what
            // memory knew of it is no longer complete.
            unknown(p.subscriptionId());
            if (bus.enabled()) {
                committedForOthers.add(p.subscriptionId());
            }
            return;
        }
        Queue q = queues.computeIfAbsent(p.subscriptionId(), k -> new Queue());
        synchronized (q) {
            if (q.ready.size() < MEMORY) {
                q.ready.put(p.seq(), p);
            } else {
                q.complete = false;
            }
        }
    }

    /** The subscription's next notification: from memory when it is the one expected, else from the database. */
    private Pending next(UUID sub) {
        Queue q = queues.computeIfAbsent(sub, k -> new Queue());
        long from;
        synchronized (q) {
            if (q.expected >= 0) {
                q.ready.headMap(q.expected).clear();
                Map.Entry<Long, Pending> first = q.ready.firstEntry();
                if (first != null && first.getKey() == q.expected) {
                    q.ready.remove(first.getKey());
                    return first.getValue();
                }
                if (q.complete && !instances.clustered()) {
                    // Nothing newer was committed: no read (it was one query per notification delivered).
                    return null;
                }
            }
            from = Math.max(0, q.expected);
        }
        Head head = QuarkusTransaction.requiringNew().call(() -> head(sub, from));
        if (!head.any()) {
            synchronized (q) {
                // What commits from now on is remembered; what committed before this read would have been read.
                if (q.expected == from || (q.expected < 0 && from == 0)) {
                    q.complete = true;
                }
            }
        }
        return head.due();
    }

    /** The subscription's oldest notification from a sequence number on, if it is due; {@code any}: is there one at all. */
    private record Head(Pending due, boolean any) {
    }

    private void delivered(Pending p) {
        deliveredUpTo.merge(p.subscriptionId(), p.seq(), Math::max);
        Queue q = queues.get(p.subscriptionId());
        if (q != null) {
            synchronized (q) {
                q.expected = p.seq() + 1;
            }
        }
    }

    /** The database, not memory, knows the subscription's queue now (a notification kept for a retry, say). */
    private void unknown(UUID sub) {
        Queue q = queues.get(sub);
        if (q != null) {
            synchronized (q) {
                q.complete = false;
            }
        }
    }

    /** The subscription is gone: nothing of it stays in memory. */
    private void forget(UUID sub) {
        mine.remove(sub);
        queues.remove(sub);
        refusedSaid.remove(sub);
        failing.remove(sub);
    }

    private void deleteDelivered() {
        Map<UUID, Long> chunk = new HashMap<>();
        for (UUID sub : deliveredUpTo.keySet()) {
            Long upTo = deliveredUpTo.remove(sub);
            if (upTo != null) {
                chunk.put(sub, upTo);
            }
            if (chunk.size() == 500) {
                deleteOrKeep(chunk);
                chunk = new HashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            deleteOrKeep(chunk);
        }
    }

    /** A failed delete (the database away a moment) leaves the marks for the next round, not the rows for good. */
    private void deleteOrKeep(Map<UUID, Long> chunk) {
        try {
            // One JDBC batch: an HQL delete per subscription went through Hibernate's query plan each time (17% of the
            // daemon's CPU in the notification bench of 2026-12-03, after the POSTs stopped holding threads).
            QuarkusTransaction.requiringNew().run(() -> OutboxEntry.getEntityManager().unwrap(org.hibernate.Session.class)
                    .doWork(c -> {
                        try (java.sql.PreparedStatement ps = c.prepareStatement(
                                "delete from notification_outbox where subscription_id = ? and seq <= ?")) {
                            for (Map.Entry<UUID, Long> e : chunk.entrySet()) {
                                ps.setObject(1, e.getKey());
                                ps.setLong(2, e.getValue());
                                ps.addBatch();
                            }
                            ps.executeBatch();
                        }
                    }));
        } catch (RuntimeException e) {
            chunk.forEach((sub, upTo) -> deliveredUpTo.merge(sub, upTo, Math::max));
            throw e;
        }
    }

    void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        if (!startGate.awaitStarted(() -> running)) {
            return;
        }
        long nextScan = 0;
        long nextDelete = 0;
        while (running) {
            try {
                lock.lock();
                try {
                    if (!woken) {
                        wake.await(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    woken = false;
                } finally {
                    lock.unlock();
                }
                if (System.nanoTime() - nextDelete >= 0 || deliveredUpTo.size() >= 500) {
                    nextDelete = System.nanoTime() + DELETE_EVERY_NANOS;
                    deleteDelivered();
                }
                if (System.nanoTime() - nextScan >= 0) {
                    // Retries that came due, and whatever a previous run of the daemon left.
                    nextScan = System.nanoTime() + config.pollInterval().toNanos();
                    withPending().forEach(this::mark);
                    outbox.worked();
                }
                claimMarked();
                tellTheHolders();
                int marked = dirtyOrder.size();
                for (int i = 0; i < marked && inFlight.size() < config.maxInFlight(); i++) {
                    UUID sub = dirtyOrder.poll();
                    if (sub == null) {
                        break;
                    }
                    if (!mine.contains(sub)) {
                        // Another live instance delivers it (or it was locked at the claim: the next scan finds it).
                        dirty.remove(sub);
                    } else if (inFlight.add(sub)) {
                        dirty.remove(sub);
                        settler.execute(() -> deliver(sub));
                    } else {
                        // In flight: it keeps its mark (what committed meanwhile is looked at when it lands), at the back.
                        dirtyOrder.add(sub);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database may be away for a while: try again at the next poll, never stop delivering; one line
                // when it starts failing, one when it works again.
                if (!running || DatabaseOutage.closed(e)) {
                    LOG.debugf("outbox closed while stopping (%s)", e.getMessage());
                    return;
                }
                outbox.failed(e);
            }
        }
    }

    /**
     * Claims the marked subscriptions this instance does not hold yet, in batches; what it cannot claim stays marked
     * only until the loop drops it.
     */
    private void claimMarked() {
        List<UUID> wanted = new ArrayList<>();
        for (UUID sub : dirtyOrder) {
            if (!mine.contains(sub)) {
                wanted.add(sub);
                if (wanted.size() == org.ocfcloudbridge.cluster.Claims.BATCH) {
                    held(claims.claim(org.ocfcloudbridge.cluster.Claims.Unit.SUBSCRIPTION, wanted));
                    wanted.clear();
                }
            }
        }
        held(claims.claim(org.ocfcloudbridge.cluster.Claims.Unit.SUBSCRIPTION, wanted));
    }

    /** The subscriptions left to other instances that got notifications here, 16 bytes each, in one message. */
    private void tellTheHolders() {
        if (committedForOthers.isEmpty()) {
            return;
        }
        ByteBuffer ids = ByteBuffer.allocate(16 * Math.min(committedForOthers.size(), 4096));
        for (Iterator<UUID> it = committedForOthers.iterator(); it.hasNext() && ids.hasRemaining(); ) {
            UUID sub = it.next();
            it.remove();
            if (!mine.contains(sub)) {
                ids.putLong(sub.getMostSignificantBits()).putLong(sub.getLeastSignificantBits());
            }
        }
        if (ids.position() > 0) {
            bus.publish(ClusterSubjects.NOTIFICATIONS_COMMITTED,
                    Arrays.copyOf(ids.array(), ids.position()));
        }
    }

    /** Another instance committed notifications of these subscriptions: the ones held here are read at once. */
    private void committedElsewhere(byte[] body) {
        ByteBuffer ids = ByteBuffer.wrap(body);
        boolean any = false;
        while (ids.remaining() >= 16) {
            UUID sub = new UUID(ids.getLong(), ids.getLong());
            if (mine.contains(sub)) {
                unknown(sub);
                mark(sub);
                any = true;
            }
        }
        if (any) {
            wake();
        }
    }

    /** Newly claimed: the database, not memory, knows their queues until they are read once. */
    private void held(Set<UUID> claimed) {
        claimed.forEach(this::unknown);
        mine.addAll(claimed);
    }

    public record Pending(UUID subscriptionId, long seq, String eventType, long timestamp, String contentType, byte[] body,
                   String signature, String eventsUrl, String correlationId) {
    }

    /**
     * Subscriptions whose next notification is due: those waiting for a retry are left alone until it comes, so a
     * receiver that is down costs one look per retry, not one per poll.
     */
    private List<UUID> withPending() {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEntry.getEntityManager()
                // "No older row of its subscription": one probe of the (subscription_id, seq) index per due row. The
                // former "seq = (select min(seq) …)" was evaluated as an aggregate per due row, O(backlog²) in H2 —
                // 19% of the daemon's CPU in the event-path profile of 2026-12-03, growing as delivery fell behind.
                // Only subscriptions this instance holds or may claim: another live instance's are its own business.
                .createQuery("select o.subscriptionId from OutboxEntry o, Subscription s where s.id = o.subscriptionId"
                        + " and o.nextAttemptAt <= :now and (s.deliveredBy is null or s.deliveredBy = :me or s.deliveredBy not in :live) and not exists "
                        + "(select 1 from OutboxEntry h where h.subscriptionId = o.subscriptionId and h.seq < o.seq)", UUID.class)
                .setParameter("now", OffsetDateTime.now(ZoneOffset.UTC)).setParameter("me", instances.id())
                .setParameter("live", instances.live()).getResultList());
    }

    /**
     * Starts delivering the subscription's notifications one after the other, oldest first, while they are due and the
     * receiver takes them; the subscription is in flight (nothing else delivers it) until {@link #done} — each POST
     * waits without a thread, and the next notification is read and sent when its outcome is recorded.
     */
    private void deliver(UUID sub) {
        Pending p = null;
        try {
            if (mine.contains(sub) && running) {
                p = next(sub);
            }
        } catch (RuntimeException e) {
            failedToRead(sub, e);
        }
        if (p == null) {
            done(sub);
        } else {
            send(p);
        }
    }

    private void send(Pending p) {
        CompletionStage<Outcome> outcome;
        try {
            outcome = post(p);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.completedFuture(new Outcome(-1, String.valueOf(e.getMessage())));
        }
        outcome.whenCompleteAsync((result, error) -> {
            Pending next = null;
            try {
                next = settle(p, result != null ? result : new Outcome(-1, String.valueOf(error)));
            } catch (RuntimeException e) {
                failedToRead(p.subscriptionId(), e);
            }
            if (next != null && running) {
                send(next);
            } else {
                done(p.subscriptionId());
            }
        }, settler);
    }

    private void failedToRead(UUID sub, RuntimeException e) {
        if (DatabaseOutage.is(e)) {
            outbox.failed(e);
        } else if (!running || DatabaseOutage.closed(e)) {
            // The daemon is stopping (or never finished starting): the notification stays in the outbox.
            LOG.debugf("subscription %s: outbox closed while stopping (%s)", sub, e.getMessage());
        } else {
            LOG.warnf("subscription %s: outbox not readable now (%s); retried at the next poll", sub, e.getMessage());
        }
    }

    private void done(UUID sub) {
        inFlight.remove(sub);
        if (dirty.contains(sub)) {
            wake();
        }
        if (!running) {
            synchronized (settling) {
                settling.notifyAll();
            }
        }
    }

    private static Head head(UUID sub, long fromSeq) {
        List<Object[]> rows = OutboxEntry.getEntityManager().createQuery(
                        "select o, s from OutboxEntry o, Subscription s where o.subscriptionId = :sub and s.id = :sub "
                                + "and o.seq >= :from order by o.seq", Object[].class)
                .setParameter("sub", sub).setParameter("from", fromSeq).setMaxResults(1).getResultList();
        if (rows.isEmpty()) {
            return new Head(null, false);
        }
        OutboxEntry o = (OutboxEntry) rows.get(0)[0];
        Subscription s = (Subscription) rows.get(0)[1];
        if (o.nextAttemptAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            return new Head(null, true);
        }
        return new Head(new Pending(o.subscriptionId, o.seq, o.eventType, o.eventTimestamp, o.contentType, o.body, o.signature,
                s.eventsUrl, s.correlationId), true);
    }

    record Outcome(int status, String text) {
    }

    /**
     * One POST of one notification; status -1: no HTTP answer. Completes on an event loop, or on the inbox writer's
     * thread when this daemon's own Origin role takes it in process ({@link LocalInbox}).
     */
    private CompletionStage<Outcome> post(Pending p) {
        CompletionStage<LocalInbox.Answer> local = localInbox == null ? null : localInbox.offer(p.eventsUrl(),
                new LocalInbox.Notification(p.eventType(), p.subscriptionId().toString(), p.seq(), p.timestamp(),
                        p.signature(), p.contentType(), p.body()));
        if (local != null) {
            handedOver.increment();
            // Bounded like a POST: an inbox that never answers costs a retry, never a subscription stuck in flight.
            return local.toCompletableFuture().orTimeout(config.deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .handle((answer, error) -> answer != null
                            ? new Outcome(answer.status(), "inbox in process: " + answer.status() + " " + answer.reason())
                            : new Outcome(-1, "inbox in process: " + NetworkFailures.unwrapped(error)));
        }
        Map<String, String> headers = new HashMap<>(8);
        headers.put(Headers.EVENT_TYPE, p.eventType());
        headers.put(Headers.SUBSCRIPTION_ID, p.subscriptionId().toString());
        headers.put(Headers.SEQUENCE_NUMBER, Long.toString(p.seq()));
        headers.put(Headers.EVENT_TIMESTAMP, Long.toString(p.timestamp()));
        headers.put(Headers.EVENT_SIGNATURE, p.signature());
        headers.put(Headers.CORRELATION_ID, p.correlationId());
        headers.put(Headers.CONTENT_TYPE, p.contentType());
        return http.send(null, "POST", p.eventsUrl(), headers, p.body(), config.deliveryTimeout()).handle((reply, error) -> {
            if (error == null) {
                refusedSaid.remove(p.subscriptionId());
                return new Outcome(reply.status(), "HTTP " + reply.status());
            }
            Throwable cause = NetworkFailures.unwrapped(error);
            if (cause instanceof OutboundHttp.Refused && refusedSaid.add(p.subscriptionId())) {
                // A failed delivery like any other (retried, then a dead letter); said once, not at every retry.
                LOG.warnf("subscription %s: eventsUrl refused: %s; counted as failed deliveries", p.subscriptionId(),
                        cause.getMessage());
            }
            return new Outcome(-1, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        });
    }

    /**
     * Records the outcome of one attempt and returns the subscription's next notification when it may go at once
     * (read in the same transaction that forgets the delivered one).
     */
    private Pending settle(Pending p, Outcome result) {
        if (abandoned) {
            return null;
        }
        int status = result.status();
        String outcome = result.text();
        Pending next = null;
        try {
            if (status >= 200 && status < 300) {
                delivered.increment();
                if (failing.remove(p.subscriptionId())) {
                    LOG.infof("subscription %s: its receiver at %s takes notifications again", p.subscriptionId(), host(p.eventsUrl()));
                }
                if (EventTypes.SUBSCRIPTION_CANCELLED.equals(p.eventType())) {
                    // Its last word was heard: the subscription and anything of it are gone.
                    QuarkusTransaction.requiringNew().run(() -> Subscription.deleteById(p.subscriptionId()));
                    forget(p.subscriptionId());
                } else {
                    delivered(p);
                    next = next(p.subscriptionId());
                }
            } else if (status == 410) {
                LOG.infof("subscription %s: the receiver answered 410 Gone; subscription dropped", p.subscriptionId());
                QuarkusTransaction.requiringNew().run(() -> {
                    OutboxEntry.delete("subscriptionId", p.subscriptionId());
                    Subscription.deleteById(p.subscriptionId());
                });
                forget(p.subscriptionId());
            } else {
                failed.increment();
                if (failing.add(p.subscriptionId()) && !refusedSaid.contains(p.subscriptionId())) {
                    // Once per run of failures, not per retry: the next line about it says it recovered (or gave up).
                    // A refused address has had its own line.
                    LOG.warnf("subscription %s: its receiver at %s does not take notifications (%s); retried with backoff for"
                            + " up to %s", p.subscriptionId(), host(p.eventsUrl()), outcome, config.maxAge());
                }
                unknown(p.subscriptionId());
                boolean gaveUp = QuarkusTransaction.requiringNew().call(() -> retryOrGiveUp(p, outcome));
                if (gaveUp && EventTypes.SUBSCRIPTION_CANCELLED.equals(p.eventType())) {
                    forget(p.subscriptionId());
                } else if (gaveUp) {
                    Queue q = queues.get(p.subscriptionId());
                    if (q != null) {
                        synchronized (q) {
                            q.ready.clear();
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (DatabaseOutage.is(e)) {
                outbox.failed(e);
                LOG.debugf("subscription %s: outcome of notification %d not stored (the database is away); it will be sent again",
                        p.subscriptionId(), p.seq());
            } else {
                LOG.warnf("subscription %s: outcome of notification %d not stored (%s); it will be sent again",
                        p.subscriptionId(), p.seq(), e.getMessage());
            }
        }
        return next;
    }

    /** Returns whether it gave up (dead letters written). */
    private boolean retryOrGiveUp(Pending p, String outcome) {
        OutboxEntry e = OutboxEntry.<OutboxEntry>find("subscriptionId = ?1 and seq = ?2", p.subscriptionId(), p.seq()).firstResult();
        if (e == null) {
            return false;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        e.attempts++;
        e.lastError = outcome.length() > 500 ? outcome.substring(0, 500) : outcome;
        if (e.createdAt.plus(config.maxAge()).isAfter(now)) {
            e.nextAttemptAt = now.plus(backoff(e.attempts));
            LOG.debugf("subscription %s: notification %d not delivered (%s), attempt %d, next at %s", p.subscriptionId(), p.seq(),
                    e.lastError, e.attempts, e.nextAttemptAt);
            return false;
        }
        // Locked as it is read: an event appended meanwhile has moved its next sequence number, which the
        // cancellation below must follow (a copy read before would give a number already taken).
        Subscription s = Subscription.<Subscription>find("id", p.subscriptionId())
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
        LOG.warnf("subscription %s: notification %d undelivered for %s (%s): dead letter, subscription cancelled",
                p.subscriptionId(), p.seq(), config.maxAge(), e.lastError);
        List<OutboxEntry> rest = OutboxEntry.list("subscriptionId = ?1 order by seq", p.subscriptionId());
        for (OutboxEntry r : rest) {
            if (r.id.equals(e.id) || !EventTypes.SUBSCRIPTION_CANCELLED.equals(r.eventType)) {
                bury(s, r, now);
                r.delete();
            }
        }
        if (s != null) {
            if (EventTypes.SUBSCRIPTION_CANCELLED.equals(e.eventType)) {
                s.delete();
            } else {
                journal.cancel(s);
            }
        }
        return true;
    }

    private static void bury(Subscription s, OutboxEntry e, OffsetDateTime now) {
        DeadLetter d = new DeadLetter();
        d.subscriptionId = e.subscriptionId;
        d.ownerId = s == null ? "" : s.ownerId;
        d.eventsUrl = s == null ? "" : s.eventsUrl;
        d.seq = e.seq;
        d.eventType = e.eventType;
        d.eventTimestamp = e.eventTimestamp;
        d.contentType = e.contentType;
        d.body = e.body;
        d.attempts = e.attempts;
        d.lastError = e.lastError;
        d.createdAt = e.createdAt;
        d.diedAt = now;
        d.persist();
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** initial × 2^(attempt-1), at most max, then a random point in its upper half so receivers are not hit in step. */
    Duration backoff(int attempt) {
        long initial = config.initialBackoff().toMillis();
        long max = config.maxBackoff().toMillis();
        long base = attempt >= 30 ? max : Math.min(max, initial << Math.max(0, attempt - 1));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
}
