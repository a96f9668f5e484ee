package org.ocfcloudbridge.origin.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Inject;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ops.StartGate;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ops.StopOrder;
import org.ocfcloudbridge.ops.OutboundHttp;
import org.ocfcloudbridge.ops.OutboundPolicy;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.InList;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * POSTs vendor events to the configured webhooks, Standard-Webhooks style: headers {@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}. Each webhook
 * gets each device's events in order, one at a time (a link's own events in order for the link), several devices side
 * by side, each event retried with backoff until {@code bridge.origin.webhook-max-age}, then kept as dead. The
 * deliveries live in the database: a restart carries on.
 */
@ApplicationScoped
public class WebhookSender {

    @Inject
    StartGate startGate;

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int BATCH = 100;
    /** Devices whose events are on their way at once. */
    private static final int IN_FLIGHT = 16;

    private final OriginConfig config;
    private final BridgeConfig bridge;
    private final VendorEvents events;
    private final Map<String, byte[]> keys = new HashMap<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final OutboundHttp http;
    /** Webhooks whose URL the outbound address policy refused, already said in the log. */
    private final java.util.Set<String> refusedSaid = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final org.ocfcloudbridge.ops.DatabaseOutage.Job store =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "webhook delivery");

    private final OutboundPolicy outbound;

    @Inject
    org.ocfcloudbridge.cluster.Claims claims;

    @Inject
    org.ocfcloudbridge.cluster.Instances instances;

    /**
     * How often every due delivery is looked at for links that nobody alive holds (an instance's that is gone, a
     * delivery revived from the dead letters). A scan reads every due delivery, so at a backlog (a webhook that is
     * down) it costs in proportion; it used to run every 200 ms, and was 2.7% of an idle daemon's CPU in the profile of
     * 2026-12-05. New events of a link this instance does not hold yet are claimed at their commit instead (see
     * {@link #fresh}), so the scan only has to find what no commit here announced: a link is taken over only after its
     * old holder's lease ran out anyway, which is longer.
     */
    static final Duration SCAN_EVERY = Duration.ofSeconds(5);
    private volatile long scanEveryNanos = SCAN_EVERY.toNanos();
    private volatile long nextScan;
    /** Held while deciding on and running a scan, so that {@link #scanEvery} never lands in the middle of one. */
    private final Object scanning = new Object();
    /** Scans done (for tests). */
    private final java.util.concurrent.atomic.AtomicLong scans = new java.util.concurrent.atomic.AtomicLong();
    /** Links this instance holds for delivery, as its claims returned them; emptied when its lease was lost. */
    private final java.util.Set<java.util.UUID> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Links whose events were just committed here and that this instance is not known to hold: claimed next turn. */
    private final java.util.Queue<java.util.UUID> fresh = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /**
     * When a link this instance did not get was last asked for (another live instance holds it): asked again only
     * after a scan period, not at every commit of its events here. Only the sender thread uses it.
     */
    private final Map<java.util.UUID, Long> askedAt = new HashMap<>();

    public WebhookSender(OriginConfig config, BridgeConfig bridge, VendorEvents events, OutboundHttp http, OutboundPolicy outbound) {
        this.http = http;
        this.outbound = outbound;
        this.config = config;
        this.bridge = bridge;
        this.events = events;
    }

    void start(@Observes @Priority(95) StartupEvent event) {
        config.webhooks().forEach((name, w) -> {
            String secret = w.secret().startsWith("whsec_") ? w.secret().substring(6) : w.secret();
            try {
                keys.put(name, Base64.getDecoder().decode(secret));
            } catch (IllegalArgumentException e) {
                throw new BridgeConfigException("bridge.origin.webhooks." + name + ".secret", "must be whsec_ followed by base64");
            }
            // An address the policy refuses stops the start; a name is judged at each delivery (its address may change).
            outbound.refusalWithoutLookup(w.url()).ifPresent(why -> {
                throw new BridgeConfigException("bridge.origin.webhooks." + name + ".url", why);
            });
        });
        if (!bridge.origin().enabled() || keys.isEmpty()) {
            return;
        }
        events.onCommit(links -> {
            for (java.util.UUID link : links) {
                if (!held.contains(link)) {
                    fresh.add(link);
                }
            }
            wake();
        });
        // Another instance may have taken this one's links meanwhile: what it holds is learnt again from its claims.
        instances.onLeaseLost(held::clear);
        running = true;
        thread = new Thread(this::run, "webhook-sender");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * With the notification deliveries ({@link StopOrder}): the round in flight ends (no new POSTs; each one out has
     * its own deadline), its delivered rows are deleted and its failures recorded. Never interrupted while it may be
     * inside the database; after {@link StopOrder#STEP} it is left, and what it sent is sent again after the restart.
     */
    void stop(@Observes @Priority(StopOrder.DELIVERIES) ShutdownEvent event) {
        running = false;
        if (thread == null) {
            return;
        }
        wake();
        try {
            thread.join(StopOrder.STEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.infof("stopping: webhook deliveries still out after %s are sent again after the restart", StopOrder.STEP);
            return;
        }
        try {
            // Nothing is in flight here any more: another instance may take these links over at once.
            claims.release(org.ocfcloudbridge.cluster.Claims.Unit.LINKED_ACCOUNT);
        } catch (RuntimeException e) {
            LOG.debugf("links not given back at the stop (taken over when the lease runs out): %s", e.getMessage());
        }
    }

    /** Looks at the deliveries now (one was revived, say) instead of at the next poll. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        if (!startGate.awaitStarted(() -> running)) {
            return;
        }
        while (running) {
            try {
                synchronized (signal) {
                    if (!woken) {
                        signal.wait(POLL.toMillis());
                    }
                    woken = false;
                }
                boolean scanned = false;
                synchronized (scanning) {
                    if (System.nanoTime() - nextScan >= 0) {
                        nextScan = System.nanoTime() + scanEveryNanos;
                        fresh.clear();
                        claimLinks();
                        scanned = true;
                    }
                }
                if (!scanned) {
                    claimFresh();
                }
                for (String webhook : keys.keySet()) {
                    drain(webhook);
                }
                store.worked();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database may be away a while: one line when this starts failing, one when it works again.
                store.failed(e);
            }
        }
    }

    /**
     * Claims the links with due deliveries that no live instance holds (new links, those of an instance that is gone):
     * each link's deliveries are sent by the one instance that holds it, which keeps their order.
     */
    private void claimLinks() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<java.util.UUID> free = QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.getEntityManager()
                .createQuery("select distinct e.linkId from WebhookDelivery d, VendorEvent e, LinkedAccount l"
                        + " where e.id = d.eventId and l.id = e.linkId and d.deadAt is null and d.nextAttemptAt <= :now"
                        + " and (l.deliveredBy is null or (l.deliveredBy <> :me and l.deliveredBy not in :live))",
                        java.util.UUID.class)
                .setParameter("now", now).setParameter("me", instances.id()).setParameter("live", instances.live())
                .setMaxResults(org.ocfcloudbridge.cluster.Claims.BATCH).getResultList());
        held.addAll(claims.claim(org.ocfcloudbridge.cluster.Claims.Unit.LINKED_ACCOUNT, free));
        scans.incrementAndGet();
        askedAt.clear();
    }

    /** Claims the links whose events were just committed here and that this instance does not hold yet. */
    private void claimFresh() {
        java.util.Set<java.util.UUID> ask = new java.util.TreeSet<>();
        long now = System.nanoTime();
        for (java.util.UUID link; (link = fresh.poll()) != null; ) {
            Long asked = askedAt.get(link);
            if (!held.contains(link) && (asked == null || now - asked >= scanEveryNanos)) {
                ask.add(link);
            }
        }
        if (ask.isEmpty()) {
            return;
        }
        java.util.Set<java.util.UUID> got = claims.claim(org.ocfcloudbridge.cluster.Claims.Unit.LINKED_ACCOUNT, ask);
        held.addAll(got);
        for (java.util.UUID link : ask) {
            if (!got.contains(link)) {
                askedAt.put(link, now);
            }
        }
    }

    /** For tests: the scan period from now on (the next scan comes one period from now), and the scans done so far. */
    long scanEvery(Duration every) {
        synchronized (scanning) {
            scanEveryNanos = every.toNanos();
            nextScan = System.nanoTime() + scanEveryNanos;
            return scans.get();
        }
    }

    long scans() {
        return scans.get();
    }

    /** A delivery read for sending, with its event ({@code null}: the event is gone, nothing to send). */
    private record Next(long deliveryId, VendorEvent event) {
        /** Events of one device, or a link's own events, keep their order; different keys go side by side. */
        String key() {
            return event == null ? "" : event.linkId + "/" + (event.deviceId == null ? "" : event.deviceId);
        }
    }

    /**
     * Sends the webhook's due deliveries: in event order for each device (a link's own events in order for the link),
     * up to {@link #IN_FLIGHT} devices side by side; a refused event holds back its device's later events until it is
     * taken or dead, and only those (they are left out when reading). Deliveries are read and their delivered rows
     * deleted {@link #BATCH} at a time; a crash between a POST and the delete sends that event again (at least once).
     */
    private void drain(String webhook) {
        while (running) {
            List<Next> rows = read(webhook);
            if (rows.isEmpty()) {
                return;
            }
            Map<String, java.util.ArrayDeque<Next>> byKey = new java.util.LinkedHashMap<>();
            rows.forEach(n -> byKey.computeIfAbsent(n.key(), k -> new java.util.ArrayDeque<>()).add(n));
            List<Long> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
            Map<Next, String> failed = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.Queue<java.util.ArrayDeque<Next>> keys = new java.util.concurrent.ConcurrentLinkedQueue<>(byKey.values());
            List<CompletableFuture<Void>> lanes = new ArrayList<>();
            for (int i = 0; i < Math.min(IN_FLIGHT, byKey.size()); i++) {
                lanes.add(lane(webhook, keys, delivered, failed));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
            // Every POST has its own deadline, so the round ends; it is waited for whole, as a new round started
            // while an old POST is still out could overtake it.
            while (!all.isDone()) {
                try {
                    all.get(1, java.util.concurrent.TimeUnit.MINUTES);
                } catch (java.util.concurrent.TimeoutException e) {
                    LOG.warnf("webhook %s: a round of deliveries still runs after a minute", webhook);
                } catch (java.util.concurrent.ExecutionException e) {
                    LOG.warnf("webhook %s: a round of deliveries failed: %s", webhook, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            List<Long> done;
            synchronized (delivered) {
                done = new ArrayList<>(delivered);
            }
            if (!done.isEmpty()) {
                QuarkusTransaction.requiringNew().run(() -> WebhookDelivery.getEntityManager()
                        .unwrap(org.hibernate.Session.class).doWork(c -> {
                            try (java.sql.PreparedStatement ps = c.prepareStatement(
                                    "delete from webhook_delivery where id in (" + InList.markers(done.size()) + ")")) {
                                InList.bind(ps, 1, done);
                                ps.executeUpdate();
                            }
                        }));
            }
            failed.forEach((n, outcome) -> fail(n.deliveryId(), n.event(), outcome));
            if (!failed.isEmpty() && failing.add(webhook) && !refusedSaid.contains(webhook)) {
                // Once per run of failures, not per retry.
                LOG.warnf("webhook %s does not take events (%s); retried with backoff for up to %s", webhook,
                        failed.values().iterator().next(), config.webhookMaxAge());
            } else if (failed.isEmpty() && !done.isEmpty() && failing.remove(webhook)) {
                LOG.infof("webhook %s takes events again", webhook);
            }
            if (done.isEmpty() || rows.size() < BATCH) {
                return;
            }
        }
    }

    /**
     * The next due deliveries in event order, leaving out those behind an earlier one of their device (or link) that
     * waits for its retry: they must not overtake it, and must not fill the page for everyone else either.
     */
    private List<Next> read(String webhook) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        boolean leader = instances.leader();
        String me = instances.id();
        // Plain SQL, one statement: the deliveries with their events. The same query in HQL, and a second one for the
        // events, were a fifth of the event path's CPU in the profile of 2026-12-05 (parsing, binding, entity loads).
        return QuarkusTransaction.requiringNew().call(() -> WebhookDelivery.getEntityManager()
                .unwrap(org.hibernate.Session.class).doReturningWork(c -> {
                    List<Next> out = new ArrayList<>();
                    try (java.sql.PreparedStatement ps = c.prepareStatement(leader ? READ_AS_LEADER : READ)) {
                        ps.setString(1, webhook);
                        ps.setObject(2, now);
                        ps.setString(3, me);
                        ps.setObject(4, now);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                VendorEvent e = new VendorEvent();
                                e.id = rs.getLong(2);
                                e.vendorUser = rs.getString(3);
                                e.linkId = rs.getObject(4, java.util.UUID.class);
                                e.deviceId = rs.getString(5);
                                e.type = rs.getString(6);
                                e.payload = rs.getString(7);
                                e.createdAt = rs.getObject(8, OffsetDateTime.class);
                                out.add(new Next(rs.getLong(1), e));
                            }
                        }
                    }
                    return out;
                }));
    }

    /**
     * Deliveries of links this instance holds; those of links that are gone (unlinked: their last events) go out from
     * one instance, the leader.
     */
    private static final String HELD = "exists (select 1 from linked_account l where l.id = e.link_id and l.delivered_by = ?)";
    private static final String READ_PAGE = """
            select d.id, e.id, e.vendor_user, e.link_id, e.device_id, e.type, e.payload, e.created_at
            from webhook_delivery d join vendor_event e on e.id = d.event_id
            where d.webhook = ? and d.dead_at is null and d.next_attempt_at <= ?
              and %s
              and not exists (select 1 from webhook_delivery h join vendor_event he on he.id = h.event_id
                              where h.webhook = d.webhook and h.dead_at is null and h.next_attempt_at > ?
                                and h.event_id < d.event_id and he.link_id = e.link_id
                                and coalesce(he.device_id, '') = coalesce(e.device_id, ''))
            order by d.webhook, d.dead_at, d.event_id
            fetch first %d rows only""";
    // Ordered by all the columns of webhook_delivery_due_ix (webhook and dead_at are fixed here, so this is event
    // order): H2 then walks that index and stops after the page; ordered by event_id alone it read and sorted every
    // pending delivery (V20).
    static final String READ = READ_PAGE.formatted(HELD, BATCH);
    private static final String READ_AS_LEADER = READ_PAGE.formatted(
            "(" + HELD + " or not exists (select 1 from linked_account l where l.id = e.link_id))", BATCH);

    /** Takes keys off the queue and sends each key's deliveries one after the other, stopping a key at its first refusal. */
    private CompletableFuture<Void> lane(String webhook, java.util.Queue<java.util.ArrayDeque<Next>> keys, List<Long> delivered,
                                         Map<Next, String> failed) {
        java.util.ArrayDeque<Next> key = keys.poll();
        if (key == null || !running) {
            return CompletableFuture.completedFuture(null);
        }
        return sendAll(webhook, key, delivered, failed).thenCompose(v -> lane(webhook, keys, delivered, failed));
    }

    private CompletableFuture<Void> sendAll(String webhook, java.util.ArrayDeque<Next> key, List<Long> delivered,
                                            Map<Next, String> failed) {
        Next next = key.poll();
        if (next == null || !running) {
            return CompletableFuture.completedFuture(null);
        }
        if (next.event() == null) {
            delivered.add(next.deliveryId());
            return sendAll(webhook, key, delivered, failed);
        }
        CompletionStage<String> sent;
        try {
            sent = post(webhook, next.event());
        } catch (RuntimeException e) {
            sent = CompletableFuture.completedFuture(String.valueOf(e.getMessage()));
        }
        return sent.toCompletableFuture().thenCompose(outcome -> {
            if (outcome != null) {
                failed.put(next, outcome);
                return CompletableFuture.<Void>completedFuture(null);
            }
            delivered.add(next.deliveryId());
            return sendAll(webhook, key, delivered, failed);
        });
    }

    private void fail(long deliveryId, VendorEvent event, String outcome) {
        QuarkusTransaction.requiringNew().run(() -> {
            WebhookDelivery d = WebhookDelivery.findById(deliveryId);
            if (d == null) {
                return;
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            d.attempts++;
            d.lastError = outcome.length() > 500 ? outcome.substring(0, 500) : outcome;
            OffsetDateTime since = d.revivedAt != null && d.revivedAt.isAfter(event.createdAt) ? d.revivedAt : event.createdAt;
            if (since.plus(config.webhookMaxAge()).isBefore(now)) {
                d.deadAt = now;
                LOG.warnf("webhook %s: event %d undelivered for %s (%s); kept as dead", d.webhook, d.eventId,
                        config.webhookMaxAge(), d.lastError);
            } else {
                long max = Math.max(1, config.webhookMaxBackoff().toMillis());
                long initial = Math.max(1, config.webhookInitialBackoff().toMillis());
                long base = d.attempts >= 30 ? max : Math.min(max, initial << (d.attempts - 1));
                d.nextAttemptAt = now.plusNanos((base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1)) * 1_000_000L);
            }
        });
    }

    /** One POST; completes with null when the webhook took it, else why not. */
    private CompletionStage<String> post(String webhook, VendorEvent e) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "evt_" + e.id);
        body.put("type", e.type);
        body.put("user", e.vendorUser);
        body.put("link", e.linkId.toString());
        if (e.deviceId != null) {
            body.put("device", e.deviceId);
        }
        // Stored as JSON by this daemon (VendorEvents): put in as it is, checked by a streaming parse but not parsed into
        // a tree and written again.
        body.putRawValue("payload", new com.fasterxml.jackson.databind.util.RawValue(VendorEvents.jsonValue(e.payload)));
        body.put("time", e.createdAt.toString());
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        String id = "evt_" + e.id;
        long ts = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new HashMap<>(8);
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", Long.toString(ts));
        headers.put("webhook-signature", "v1," + sign(keys.get(webhook), id, ts, bytes));
        return http.send(null, "POST", config.webhooks().get(webhook).url(), headers, bytes, TIMEOUT)
                .thenApply(r -> {
                    refusedSaid.remove(webhook);
                    return r.status() >= 200 && r.status() < 300 ? (String) null : "HTTP " + r.status();
                })
                .exceptionally(ex -> {
                    Throwable cause = ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null ? ex.getCause() : ex;
                    // A failed delivery like any other; said once, not at every retry of every event.
                    if (cause instanceof OutboundHttp.Refused && refusedSaid.add(webhook)) {
                        LOG.warnf("webhook %s: url refused: %s; counted as failed deliveries", webhook, cause.getMessage());
                    }
                    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                });
    }

    /** Standard Webhooks: base64 HMAC-SHA256 over {@code id.timestamp.body}. */
    public static String sign(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
