package org.ocfcloudbridge.origin.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import org.ocfcloudbridge.ops.StopOrder;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.ocf.Protocol.MediaTypes;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.ops.OutboundHttp;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.OriginDevice;
import org.ocfcloudbridge.store.OriginResource;
import org.ocfcloudbridge.store.OriginSubscription;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a linked account's device set (Part 10 Annex A): reads every device with links and content, and holds
 * subscriptions at the devices level (registered, unregistered, online, offline), per device (published,
 * unpublished) and per resource (content changed), each with its own secret. Run after linking, on demand, on a gap or
 * a cancelled subscription, and periodically to fix any drift.
 */
@ApplicationScoped
public class DeviceSync {

    private static final Logger LOG = Logger.getLogger(DeviceSync.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The periodic reconcile's job, by this name in the scheduler. */
    public static final String RECONCILE = "origin-reconcile";
    static final String DEVICES = "devices";
    static final String DEVICE = "device";
    static final String RESOURCE = "resource";

    private final TargetClient target;
    private final DataCipher cipher;
    private final BridgeConfig bridge;
    /**
     * Syncs run on a few threads of their own: each waits on calls into the Target, which may be this very daemon,
     * and must never hold the worker threads the Target needs to answer.
     */
    private final ExecutorService executor;
    private final VendorEvents events;
    private final Instances instances;
    /** Links with a sync running or asked for: a second request while one runs makes it run once more. */
    private final Map<UUID, Boolean> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private final org.ocfcloudbridge.ops.DatabaseOutage.Job reconciling =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "the reconcile of linked accounts");

    public DeviceSync(TargetClient target, DataCipher cipher, BridgeConfig bridge, OriginConfig config, VendorEvents events,
                      Instances instances) {
        this.events = events;
        this.instances = instances;
        this.target = target;
        this.cipher = cipher;
        this.bridge = bridge;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(config.syncConcurrency(), r -> {
            Thread t = new Thread(r, "origin-sync-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Syncs the link soon, off the caller's thread; requests while one runs are folded into one more run. */
    public void request(UUID linkId) {
        // Atomic both here and at the end of a run: a request that came between a run's last look and its leaving
        // would otherwise be lost (the run gone, the request folded into it).
        boolean[] start = {false};
        running.compute(linkId, (k, asked) -> {
            start[0] = asked == null;
            return asked == null ? Boolean.FALSE : Boolean.TRUE;
        });
        if (!start[0]) {
            return;
        }
        if (stopping) {
            running.remove(linkId);
            return;
        }
        try {
            executor.execute(() -> {
                boolean again = true;
                try {
                    while (again) {
                        try {
                            sync(linkId);
                            recordOutcome(linkId, null);
                        } catch (RuntimeException e) {
                            LOG.infof("link %s: sync failed (%s); the next reconcile tries again", linkId, e.getMessage());
                            String why = String.valueOf(e.getMessage());
                            recordOutcome(linkId, why.length() > 200 ? why.substring(0, 200) : why);
                        }
                        again = running.compute(linkId, (k, asked) -> Boolean.TRUE.equals(asked) ? Boolean.FALSE : null) != null;
                    }
                } finally {
                    if (again) {
                        // An Error left the loop: the link must not stay marked as running for good.
                        running.remove(linkId);
                    }
                }
            });
        } catch (RuntimeException e) {
            running.remove(linkId);
            throw e;
        }
    }

    /**
     * The last sync of a link at any instance: when one last succeeded, and when and why the latest failed if the
     * latest did (a success clears it). Kept on the link's row, so a restart or another instance shows the same.
     */
    public record LastSync(OffsetDateTime succeededAt, OffsetDateTime failedAt, String error) {
        public static LastSync of(LinkedAccount a) {
            return new LastSync(a.lastSyncAt, a.syncFailedAt, a.syncError);
        }
    }

    /** How the link's last sync went; empty for a link unknown here. */
    public java.util.Optional<LastSync> lastSync(UUID linkId) {
        return QuarkusTransaction.requiringNew().call(() -> java.util.Optional.ofNullable(LinkedAccount.<LinkedAccount>findById(linkId))
                .map(LastSync::of));
    }

    /** A sync's outcome on the link's row, {@code error} null for a success; a lost write is only a late time shown. */
    private void recordOutcome(UUID linkId, String error) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                if (error == null) {
                    LinkedAccount.update("lastSyncAt = ?1, syncFailedAt = null, syncError = null where id = ?2", now, linkId);
                } else {
                    LinkedAccount.update("syncFailedAt = ?1, syncError = ?2 where id = ?3", now, error, linkId);
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("link %s: the sync's outcome was not recorded: %s", linkId, e.getMessage());
        }
    }

    /** The subscriptions a device set needs: the devices level, each device, each of its published resources. */
    private static Set<String> wanted(Map<String, JsonNode> linksByDevice) {
        Set<String> wanted = new HashSet<>();
        wanted.add(key(DEVICES, null, null));
        linksByDevice.forEach((di, links) -> {
            wanted.add(key(DEVICE, di, null));
            links.forEach(l -> wanted.add(key(RESOURCE, di, localHref(di, l.path("href").asText()))));
        });
        return wanted;
    }

    /** Of the subscriptions the link's stored device set needs, how many the Target confirmed. */
    public record Health(int active, int wanted) {
        public boolean healthy() {
            return active >= wanted;
        }
    }

    /** The link's subscription health, by the same reckoning a sync uses for what it must hold. */
    public Health health(UUID linkId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, JsonNode> linksByDevice = new LinkedHashMap<>();
            for (OriginDevice d : OriginDevice.<OriginDevice>list("key.linkId", linkId)) {
                JsonNode links;
                try {
                    links = JSON.readTree(d.links);
                } catch (IOException e) {
                    links = JSON.createArrayNode(); // links that do not parse need no subscriptions; the next sync stores them again
                }
                linksByDevice.put(d.key.deviceId, links);
            }
            Set<String> wanted = wanted(linksByDevice);
            Set<String> active = new HashSet<>();
            for (OriginSubscription s : OriginSubscription.<OriginSubscription>list("linkId", linkId)) {
                String k = key(s.level, s.deviceId, s.href);
                if (s.targetId != null && wanted.contains(k)) {
                    active.add(k);
                }
            }
            return new Health(active.size(), wanted.size());
        });
    }

    /** Whether a sync of the link runs or is asked for. */
    public boolean syncing(UUID linkId) {
        return running.containsKey(linkId);
    }

    /**
     * Has a sync that is running now run once more: it may have read the Target before a change the inbox just
     * applied and could otherwise bring back what the change ended (a device unregistered, say).
     */
    public void againIfRunning(UUID linkId) {
        if (running.computeIfPresent(linkId, (k, asked) -> Boolean.TRUE) != null) {
            // Logged: a second read of the Target that nothing else explains in the log came from here.
            LOG.debugf("link %s: devices went while a sync ran; it reads the Target again when done", linkId);
        }
    }

    /**
     * With the other background work ({@link StopOrder}): a sync in progress finishes its short transaction and the
     * rest is left to the reconcile after the restart. Not interrupted: an interrupt inside H2's file I/O closes the
     * database under everybody.
     */
    void stop(@Observes @Priority(StopOrder.BACKGROUND) ShutdownEvent event) {
        stopping = true;
        if (!StopOrder.drain(executor, StopOrder.STEP)) {
            LOG.infof("stopping: a sync still runs after %s; the reconcile after the restart does it again", StopOrder.STEP);
        }
    }

    /** Soon after start-up (so subscriptions lost while the bridge was down come back), then every interval. */
    @Scheduled(identity = RECONCILE, every = "${bridge.origin.reconcile-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        if (!bridge.origin().enabled() || !instances.leader()) {
            // Once per cluster: the leader reconciles every link (alone on the database, this instance is the leader).
            return;
        }
        List<UUID> links;
        try {
            links = QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>list("state",
                    LinkedAccount.State.LINKED).stream().map(a -> a.id).toList());
            reconciling.worked();
        } catch (RuntimeException e) {
            // The database may be away a while: one line when this starts failing, one when it works again.
            reconciling.failed(e);
            return;
        }
        links.forEach(this::request);
    }

    /** One full pass: devices, content, and the subscriptions they need. */
    public void sync(UUID linkId) {
        // Taken before the reads: what the inbox stores after it may be newer than what they return.
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        JsonNode base = read(linkId, "/devices");
        JsonNode all = read(linkId, "/devices?content=all");
        Map<String, JsonNode> devices = new LinkedHashMap<>();
        base.forEach(d -> devices.put(d.at("/device/di").asText(), d));
        LOG.debugf("link %s: the Target lists %d devices %s", linkId, devices.size(), devices.keySet());
        store(linkId, devices, all, readAt);

        List<OriginSubscription> held = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>list(
                "linkId", linkId));
        Map<String, JsonNode> linksByDevice = new LinkedHashMap<>();
        devices.forEach((di, d) -> linksByDevice.put(di, d.path("links")));
        Set<String> wanted = wanted(linksByDevice);
        // Learn first whether this Target answers subscription reads at all (one that surely exists, if any).
        held.stream().filter(s -> s.targetId != null && wanted.contains(key(s.level, s.deviceId, s.href)))
                .limit(3).takeWhile(s -> !readsSubscriptions.contains(linkId)).forEach(s -> existsAtTarget(linkId, s));
        // Notifications go where the subscription said when it was made: after bridge.public-url changed, those of
        // the older ones go to the old address, which may no longer reach this bridge (a demo restarted on another
        // port). They are ended at the Target and made again with the new eventsUrl.
        java.util.function.Predicate<OriginSubscription> elsewhereNow = s -> s.targetId != null && !eventsUrl(s.id).equals(s.eventsUrl);
        List<OriginSubscription> elsewhere = held.stream().filter(elsewhereNow).toList();
        if (!elsewhere.isEmpty()) {
            String was = elsewhere.stream().map(s -> s.eventsUrl).filter(Objects::nonNull)
                    .map(u -> u.replaceAll(java.util.regex.Pattern.quote(HttpPaths.INBOX) + "/[^/]*$", "")).findFirst()
                    .orElse("an address not recorded (made before this version)");
            LOG.infof("link %s: %d of its subscriptions send notifications to %s, not to this bridge's public URL %s;"
                    + " renewing them", linkId, elsewhere.size(), was, publicBase());
        }
        Map<String, OriginSubscription> have = new HashMap<>();
        for (OriginSubscription s : held) {
            String k = key(s.level, s.deviceId, s.href);
            if (s.targetId == null || !wanted.contains(k) || have.containsKey(k) || elsewhereNow.test(s)) {
                unsubscribe(linkId, s);
            } else if (!existsAtTarget(linkId, s)) {
                // The Target lost it (its data restored, a cancellation we missed while down): subscribe anew below.
                QuarkusTransaction.requiringNew().run(() -> OriginSubscription.deleteById(s.id));
                LOG.infof("link %s: the Target no longer knows subscription %s; subscribing again", linkId, s.targetId);
            } else {
                have.put(k, s);
            }
        }
        // Resources first, devices level last: each subscription's initial notifications then name only what this
        // sync stored and subscribed already, and ask for no other sync.
        List<String> missing = wanted.stream().filter(k -> !have.containsKey(k))
                .sorted(java.util.Comparator.comparingInt(k -> k.startsWith(RESOURCE) ? 0 : k.startsWith(DEVICES + "\u0000") ? 2 : 1))
                .toList();
        for (String k : missing) {
            String[] parts = k.split("\u0000", -1);
            subscribe(linkId, parts[0], parts[1].isEmpty() ? null : parts[1], parts[2].isEmpty() ? null : parts[2]);
        }
    }

    private JsonNode read(UUID linkId, String path) {
        TargetClient.Answer a = target.call(linkId, "GET", path, MediaTypes.JSON, null, null);
        if (a.status() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + a.status());
        }
        try {
            return a.json();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " is not JSON");
        }
    }

    /**
     * Stores a read of the Target made at {@code readAt}. A row the inbox changed after that moment is left alone: the
     * notification that changed it is newer than the read, or a newer one follows it in the subscription's order
     * (the Target journals a change with the change), so the read would only put an old state back, and tell the
     * vendor of it. What the read finds otherwise different is drift the events missed, corrected and told.
     */
    void store(UUID linkId, Map<String, JsonNode> devices, JsonNode all, OffsetDateTime readAt) {
        // In short transactions of STORE_CHUNK devices: one that records events holds the event-order lock (taken
        // first, see VendorEvents.holdOrder) and a large link must not hold it for the whole store.
        // Ids only: the rows carry each device's properties and links, which this does not need.
        List<String> gone = QuarkusTransaction.requiringNew().call(() -> OriginDevice.getEntityManager()
                .createQuery("select d.key.deviceId from OriginDevice d where d.key.linkId = ?1", String.class)
                .setParameter(1, linkId).getResultStream().filter(di -> !devices.containsKey(di)).toList());
        for (List<String> chunk : chunks(gone)) {
            QuarkusTransaction.requiringNew().run(() -> {
                events.holdOrder();
                for (String di : chunk) {
                    // A query, not remove(): the inbox may have removed it meanwhile (an unregistered notification).
                    if (DeviceSets.remove(linkId, di)) {
                        // Written by Jackson: a device id is the Target's text, and the webhook puts the payload in as it is.
                        events.record(linkId, di, VendorEvents.DEVICE_REMOVED, JSON.createObjectNode().put("di", di).toString());
                    }
                }
            });
        }
        // In device id order, and each device's resources in href order: the inbox writer locks these rows in key order
        // too, so a sync's chunk and a batch of notifications never wait on each other.
        List<String> present = new ArrayList<>(devices.keySet());
        present.sort(null);
        for (List<String> chunk : chunks(present)) {
            QuarkusTransaction.requiringNew().run(() -> {
                events.holdOrder();
                chunk.forEach(di -> storeDevice(linkId, di, devices.get(di), readAt));
            });
        }
        Map<String, JsonNode> contents = new HashMap<>();
        all.forEach(d -> contents.put(d.at("/device/di").asText(), d));
        for (List<String> chunk : chunks(present)) {
            QuarkusTransaction.requiringNew().run(() -> {
                for (String di : chunk) {
                    JsonNode d = contents.get(di);
                    java.util.TreeMap<String, String> reps = new java.util.TreeMap<>();
                    for (JsonNode l : d == null ? List.<JsonNode>of() : d.path("links")) {
                        if (l.has("rep")) {
                            reps.put(localHref(di, l.path("href").asText()), l.get("rep").toString());
                        }
                    }
                    reps.forEach((href, rep) -> DeviceSets.putContentAsOf(linkId, di, href, rep, readAt));
                }
            });
        }
    }

    private static final int STORE_CHUNK = 100;

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += STORE_CHUNK) {
            out.add(all.subList(i, Math.min(all.size(), i + STORE_CHUNK)));
        }
        return out;
    }

    private void storeDevice(UUID linkId, String di, JsonNode d, OffsetDateTime readAt) {
        String status = d.path("status").asText("offline");
        String device = d.path("device").toString();
        String links = d.path("links").toString();
        // Compare and set, no lock: written only if the inbox has not changed the row since the read, and over the
        // very status looked at (one a notification from before the read changed meanwhile is looked at again).
        for (int attempt = 0; attempt < 5; attempt++) {
            Object[] current = OriginDevice.getEntityManager().createQuery(
                            "select d.status, d.updatedAt from OriginDevice d where d.key.linkId = ?1 and d.key.deviceId = ?2",
                            Object[].class)
                    .setParameter(1, linkId).setParameter(2, di).getResultStream().findFirst().orElse(null);
            if (current == null) {
                OriginDevice row = new OriginDevice();
                row.key = new OriginDevice.Key(linkId, di);
                row.status = status;
                row.device = device;
                row.links = links;
                row.updatedAt = readAt;
                row.persist();
                events.record(linkId, di, VendorEvents.DEVICE_ADDED, d.toString());
                return;
            }
            String was = (String) current[0];
            if (newer((OffsetDateTime) current[1], readAt)) {
                return;
            }
            int set = OriginDevice.update("""
                    status = ?1, device = ?2, links = ?3, updatedAt = ?4
                    where key.linkId = ?5 and key.deviceId = ?6 and status = ?7 and (updatedAt is null or updatedAt <= ?4)""",
                    status, device, links, readAt, linkId, di, was);
            if (set == 1) {
                // Drift the events missed: the vendor mirrors the state from events, so it is told.
                if (!status.equals(was)) {
                    events.record(linkId, di, "online".equals(status) ? VendorEvents.DEVICE_ONLINE : VendorEvents.DEVICE_OFFLINE,
                            JSON.createObjectNode().put("di", di).toString());
                }
                return;
            }
        }
    }

    static boolean newer(OffsetDateTime changedAt, OffsetDateTime readAt) {
        return changedAt != null && changedAt.isAfter(readAt);
    }

    private void subscribe(UUID linkId, String level, String deviceId, String href) {
        UUID local = UUID.randomUUID();
        String secret = Secrets.randomToken().substring(0, 32);
        // Stored before asking: the Target sends the first notifications right after its 201, maybe before we read it.
        boolean linked = QuarkusTransaction.requiringNew().call(() -> {
            if (LinkedAccount.findById(linkId, jakarta.persistence.LockModeType.PESSIMISTIC_READ) == null) {
                return false; // unlinked while this sync ran
            }
            OriginSubscription s = new OriginSubscription();
            s.id = local;
            s.linkId = linkId;
            s.level = level;
            s.deviceId = deviceId;
            s.href = href;
            s.secret = cipher.seal(secret);
            s.lastSeq = -1;
            s.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            s.eventsUrl = eventsUrl(local);
            s.persist();
            return true;
        });
        if (!linked) {
            return;
        }
        String path = subscriptions(level, deviceId, href);
        List<String> types = switch (level) {
            case DEVICES -> EventTypes.DEVICES_LEVEL;
            case DEVICE -> EventTypes.DEVICE_LEVEL;
            default -> EventTypes.RESOURCE_LEVEL;
        };
        Map<String, Object> body = Map.of("eventsUrl", eventsUrl(local),
                "eventTypes", types, "signingSecret", secret);
        TargetClient.Answer a;
        try {
            a = target.call(linkId, "POST", path, MediaTypes.JSON, MediaTypes.JSON, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String id = null;
        if (a.status() == 201 || a.status() == 200) {
            try {
                id = a.json().path("subscriptionId").asText(null);
            } catch (IOException e) {
                id = null;
            }
        }
        if (id == null) {
            QuarkusTransaction.requiringNew().run(() -> OriginSubscription.deleteById(local));
            LOG.debugf("link %s: subscribing at %s answered %d", linkId, path, a.status());
            return;
        }
        UUID targetId = UUID.fromString(id);
        // One column, in one statement: the first notifications may be applied meanwhile, and writing back the whole
        // row read before them would put their sequence number back (the next one then looked like a gap).
        QuarkusTransaction.requiringNew().run(() -> OriginSubscription.update("targetId = ?1 where id = ?2 and targetId is null",
                targetId, local));
    }

    /**
     * Whether the Target still holds the subscription: only a 404 says no. The Cloud API defines no read of a
     * subscription; a Target without one (405, or anything else) is taken at its word that it keeps what it accepted.
     */
    private boolean existsAtTarget(UUID linkId, OriginSubscription s) {
        int status;
        try {
            status = target.call(linkId, "GET", subscriptionPath(s), MediaTypes.JSON, null, null).status();
        } catch (TargetClient.Unreachable e) {
            return true;
        }
        if (status == 200) {
            readsSubscriptions.add(linkId);
        }
        // A 404 from a Target never seen answering this read may be its router taking the path for a resource's.
        return status != 404 || !readsSubscriptions.contains(linkId);
    }

    /** Links whose Target answered a subscription read with 200 at least once (the read is plgd's, not the spec's). */
    private final Set<UUID> readsSubscriptions = ConcurrentHashMap.newKeySet();

    private String publicBase() {
        return bridge.publicUrl().replaceAll("/+$", "");
    }

    /** Where the Target sends the notifications of our subscription {@code local}: this bridge's inbox for it. */
    private String eventsUrl(UUID local) {
        return HttpPaths.inboxes(bridge.publicUrl()) + local;
    }

    /** Where a subscription of this level is made at the Target (Cloud API §5). */
    private static String subscriptions(String level, String deviceId, String href) {
        return switch (level) {
            case DEVICES -> "/devices/subscriptions";
            case DEVICE -> "/devices/" + deviceId + "/subscriptions";
            default -> "/devices/" + deviceId + Inputs.hrefPath(href) + "/subscriptions";
        };
    }

    /** Where the Target keeps this subscription (its read and its DELETE). */
    private static String subscriptionPath(OriginSubscription s) {
        return subscriptions(s.level, s.deviceId, s.href) + "/" + s.targetId;
    }

    /** Ends a subscription here and, when the Target knows it, there. */
    public void unsubscribe(UUID linkId, OriginSubscription s) {
        QuarkusTransaction.requiringNew().run(() -> OriginSubscription.deleteById(s.id));
        if (s.targetId == null) {
            return;
        }
        try {
            target.call(linkId, "DELETE", subscriptionPath(s), null, null, null);
        } catch (RuntimeException e) {
            LOG.debugf("link %s: unsubscribing %s failed: %s", linkId, s.targetId, e.getMessage());
        }
    }

    /**
     * Unsubscribes everything the link holds (before the link is forgotten): the DELETEs go out together and are
     * waited for {@link OutboundHttp#TIMEOUT} at most, so an unreachable Target cannot hold the caller for minutes
     * (what it missed ends through the inbox's 410 at its next notification).
     */
    public void unsubscribeAll(UUID linkId) {
        readsSubscriptions.remove(linkId);
        List<OriginSubscription> held = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>list(
                "linkId", linkId));
        QuarkusTransaction.requiringNew().run(() -> OriginSubscription.delete("linkId", linkId));
        List<java.util.concurrent.CompletableFuture<?>> deletes = new ArrayList<>();
        for (OriginSubscription s : held) {
            if (s.targetId != null) {
                deletes.add(target.callAsync(null, linkId, "DELETE", subscriptionPath(s), null, null, null)
                        .toCompletableFuture().exceptionally(e -> null));
            }
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(deletes.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(OutboundHttp.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.infof("link %s: not every subscription could be ended at the Target (%s)", linkId, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String localHref(String di, String apiHref) {
        String prefix = "/" + di;
        return apiHref.startsWith(prefix + "/") ? apiHref.substring(prefix.length()) : apiHref;
    }

    private static String key(String level, String deviceId, String href) {
        return level + "\u0000" + Objects.toString(deviceId, "") + "\u0000" + Objects.toString(href, "");
    }
}
