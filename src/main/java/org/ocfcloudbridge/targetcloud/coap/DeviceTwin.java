package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ops.DatabaseOutage;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;
import org.ocfcloudbridge.targetcloud.events.DeviceLanes;
import org.ocfcloudbridge.targetcloud.events.EventJournal;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device twin: while a device is online, every observable resource it published is observed, and the latest
 * representation is kept in the database (and announced as content changed).
 */
@ApplicationScoped
public class DeviceTwin {

    private static final Logger LOG = Logger.getLogger(DeviceTwin.class);

    /** One map per device: href -> observation. */
    private final Map<String, Map<String, DeviceConnections.Observation>> observing = new ConcurrentHashMap<>();
    private final DeviceConnections connections;
    private final DeviceDirectory directory;
    private final DeviceSessions sessions;
    private final Event<DeviceEvent> events;

    private final Map<String, Set<String>> fetched = new ConcurrentHashMap<>();
    private final java.util.Queue<Write>[] pending;
    private final java.util.concurrent.atomic.AtomicBoolean[] scheduled;
    private final DeviceLanes lanes;
    private final EventJournal journal;

    public DeviceTwin(DeviceConnections connections, DeviceDirectory directory, DeviceSessions sessions,
                      Event<DeviceEvent> events, DeviceLanes lanes, EventJournal journal) {
        this.lanes = lanes;
        this.journal = journal;
        @SuppressWarnings("unchecked")
        java.util.Queue<Write>[] queues = new java.util.Queue[lanes.count()];
        pending = queues;
        scheduled = new java.util.concurrent.atomic.AtomicBoolean[lanes.count()];
        @SuppressWarnings("unchecked")
        Map<Resource, Write>[] h = new Map[lanes.count()];
        held = h;
        for (int i = 0; i < queues.length; i++) {
            held[i] = new java.util.LinkedHashMap<>();
            queues[i] = new java.util.concurrent.ConcurrentLinkedQueue<>();
            scheduled[i] = new java.util.concurrent.atomic.AtomicBoolean();
        }
        this.connections = connections;
        this.directory = directory;
        this.sessions = sessions;
        this.events = events;
    }

    void on(@ObservesAsync DeviceEvent e) {
        switch (e.type()) {
            case ONLINE, PUBLISHED -> {
                if (sessions.isOnline(e.deviceId())) {
                    observeAll(e.deviceId(), e.ownerId());
                }
            }
            case OFFLINE, UNREGISTERED -> stop(e.deviceId());
            case UNPUBLISHED -> e.hrefs().forEach(h -> {
                Map<String, DeviceConnections.Observation> m = observing.get(e.deviceId());
                DeviceConnections.Observation o = m == null ? null : m.remove(h);
                if (o != null) {
                    o.cancel();
                }
            });
            default -> {
            }
        }
    }

    private void observeAll(String deviceId, String ownerId) {
        Map<String, DeviceConnections.Observation> mine = observing.computeIfAbsent(deviceId, k -> new ConcurrentHashMap<>());
        for (Link l : directory.links(deviceId)) {
            if (l.p != null && l.p.observable()) {
                if (!mine.containsKey(l.href)) {
                    mine.put(l.href, connections.observe(deviceId, l.href, r -> notified(deviceId, ownerId, l.href, r)));
                }
            } else if (!fetched.computeIfAbsent(deviceId, k -> ConcurrentHashMap.newKeySet()).contains(l.href)) {
                // Not observable (e.g. /oic/d): read once per session, so the API can show it too.
                fetched.get(deviceId).add(l.href);
                connections.get(deviceId, l.href).thenAccept(r -> notified(deviceId, ownerId, l.href, r));
            }
        }
    }

    private void notified(String deviceId, String ownerId, String href, DeviceConnections.DeviceResponse r) {
        if (r.outcome() != DeviceConnections.Outcome.ANSWERED) {
            Map<String, DeviceConnections.Observation> m = observing.get(deviceId);
            if (m != null) {
                m.remove(href);
            }
            return;
        }
        if (r.code() != ResponseCode.CONTENT || r.payload() == null) {
            LOG.debugf("device %s answered %s to observing %s", deviceId, r.code(), href);
            return;
        }
        store(deviceId, ownerId, href, r.payload(), r.contentFormat());
    }

    /** A representation a device sent, waiting on its lane to be stored. */
    record Write(String deviceId, String ownerId, String href, byte[] payload, int contentFormat) {
        Resource resource() {
            return new Resource(deviceId, href);
        }
    }

    record Resource(String deviceId, String href) {
    }

    /** How soon a lane whose writes were held tries the database again. */
    private static final java.time.Duration RETRY = java.time.Duration.ofSeconds(1);
    /** Per lane, touched on the lane only: the latest value of each resource the database was away for, oldest first. */
    private final Map<Resource, Write>[] held;
    private final java.util.concurrent.atomic.AtomicBoolean outage = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ScheduledExecutorService retries = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "twin-retry");
        t.setDaemon(true);
        return t;
    });

    /** Most writes one transaction takes: a burst of changes costs one commit per batch, not one per change. */
    private static final int BATCH = 256;

    /**
     * Keeps a representation the device sent and, when it differs from the one held, reports the change. Off
     * Californium's threads (a database write must not stall every device), in order per device, and batched per lane.
     */
    public void store(String deviceId, String ownerId, String href, byte[] payload, int contentFormat) {
        int lane = lanes.laneOf(deviceId);
        pending[lane].add(new Write(deviceId, ownerId, href, payload, contentFormat));
        if (scheduled[lane].compareAndSet(false, true)) {
            lanes.runOn(lane, "the device twin", () -> flush(lane));
        }
    }

    private void flush(int lane) {
        scheduled[lane].set(false);
        Map<Resource, Write> waiting = held[lane];
        if (!waiting.isEmpty()) {
            // The database was away: the latest value of each resource first, with what came since folded in (the
            // last value of a resource is the one that must land; intermediate ones may go).
            Write w;
            while ((w = pending[lane].poll()) != null) {
                waiting.remove(w.resource());
                waiting.put(w.resource(), w);
            }
            List<Write> all = new ArrayList<>(waiting.values());
            waiting.clear();
            LOG.debugf("lane %d: storing %d held device changes", lane, all.size());
            for (int from = 0; from < all.size(); from += BATCH) {
                if (!write(lane, all.subList(from, Math.min(all.size(), from + BATCH)))) {
                    all.subList(Math.min(all.size(), from + BATCH), all.size()).forEach(x -> waiting.putIfAbsent(x.resource(), x));
                    return;
                }
            }
            if (outage.compareAndSet(true, false)) {
                LOG.infof("the database is back: device changes held meanwhile are stored and notified");
            }
            return;
        }
        List<Write> batch = new ArrayList<>();
        Write w;
        while ((w = pending[lane].poll()) != null) {
            batch.add(w);
            if (batch.size() == BATCH) {
                if (!write(lane, batch)) {
                    holdRest(lane);
                    return;
                }
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            write(lane, batch);
        }
    }

    /** Everything still pending on the lane joins what is held (the lane is in an outage). */
    private void holdRest(int lane) {
        Write w;
        while ((w = pending[lane].poll()) != null) {
            held[lane].remove(w.resource());
            held[lane].put(w.resource(), w);
        }
    }

    /**
     * The database could not be reached: the batch is held, latest value per resource, and the lane tries again a
     * moment later (and at its next change). Said once per outage at WARN.
     */
    private void hold(int lane, List<Write> batch) {
        for (Write w : batch) {
            held[lane].remove(w.resource());
            held[lane].put(w.resource(), w);
        }
        if (outage.compareAndSet(false, true)) {
            LOG.warnf("%s: device changes are held in memory (the latest value of each resource) and stored and"
                    + " notified when it is back", DatabaseOutage.REASON);
        }
        retries.schedule(() -> {
            if (scheduled[lane].compareAndSet(false, true)) {
                lanes.runOn(lane, "the device twin", () -> flush(lane));
            }
        }, RETRY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Writes a batch; false when the database could not be reached (the batch is then held). */
    private boolean write(int lane, List<Write> batch) {
        List<Write> changed;
        try {
            changed = QuarkusTransaction.requiringNew().call(() -> apply(batch));
        } catch (RuntimeException e) {
            if (DatabaseOutage.is(e)) {
                hold(lane, batch);
                return false;
            }
            // One write of the batch failed (say its device was just deregistered): the others are kept one by one.
            changed = new ArrayList<>();
            for (Write one : batch) {
                try {
                    changed.addAll(QuarkusTransaction.requiringNew().call(() -> apply(List.of(one))));
                } catch (RuntimeException gone) {
                    if (DatabaseOutage.is(gone)) {
                        hold(lane, List.of(one));
                    } else {
                        LOG.warnf("twin of %s %s not stored: %s", one.deviceId(), one.href(), gone.getMessage());
                    }
                }
            }
        }
        for (Write c : changed) {
            lanes.fire(events, new DeviceEvent(DeviceEvent.Type.CONTENT_CHANGED, c.deviceId(), c.ownerId(), List.of(c.href())));
        }
        return true;
    }

    /**
     * Stores what changed and journals it; returns the writes that were changes. Plain JDBC on the transaction's
     * connection, one statement per step for the whole batch (fence, current twin, updates, inserts, journal): at a
     * few changes per transaction, Hibernate's per-statement and flush costs were most of a change's CPU.
     */
    private List<Write> apply(List<Write> batch) {
        return TwinResource.getEntityManager().unwrap(org.hibernate.Session.class).doReturningWork(c -> apply(c, batch));
    }

    private List<Write> apply(java.sql.Connection c, List<Write> batch) throws java.sql.SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // A device may have been deregistered since it sent this (its twin went with it); the fence also orders this
        // change with a subscription being made to it.
        List<String> devices = new ArrayList<>(new java.util.TreeSet<>(batch.stream().map(Write::deviceId).toList()));
        Set<String> registered = EventJournal.fence(c, devices).keySet();
        Map<Resource, byte[]> stored = stored(c, batch, registered);
        Map<Resource, Write> updates = new java.util.LinkedHashMap<>();
        Map<Resource, Write> inserts = new java.util.LinkedHashMap<>();
        List<Write> changed = new ArrayList<>();
        List<EventJournal.Content> contents = new ArrayList<>();
        for (Write w : batch) {
            if (!registered.contains(w.deviceId())) {
                continue;
            }
            Resource r = w.resource();
            boolean known = stored.containsKey(r);
            if (known && Arrays.equals(stored.get(r), w.payload())) {
                continue;
            }
            // Two writes of one resource in a batch: the second compares with the first; the last one is stored.
            if (known && !inserts.containsKey(r)) {
                updates.put(r, w);
            } else {
                inserts.put(r, w);
            }
            stored.put(r, w.payload());
            changed.add(w);
            contents.add(new EventJournal.Content(w.deviceId(), w.href(), w.payload()));
        }
        twinWrite(c, "update device_resource set content = ?, content_format = ?, updated_at = ? where device_id = ? and href = ?",
                updates.values(), now);
        twinWrite(c, "insert into device_resource (content, content_format, updated_at, device_id, href) values (?, ?, ?, ?, ?)",
                inserts.values(), now);
        journal.contents(c, contents);
        return changed;
    }

    /** The stored content of the batch's resources of registered devices, read in one statement. */
    private static Map<Resource, byte[]> stored(java.sql.Connection c, List<Write> batch, Set<String> registered)
            throws java.sql.SQLException {
        Map<Resource, byte[]> out = new java.util.HashMap<>();
        List<Resource> keys = new ArrayList<>(new java.util.LinkedHashSet<>(batch.stream()
                .filter(w -> registered.contains(w.deviceId())).map(Write::resource).toList()));
        if (keys.isEmpty()) {
            return out;
        }
        int n = org.ocfcloudbridge.store.InList.padded(keys.size());
        try (java.sql.PreparedStatement ps = c.prepareStatement("select device_id, href, content from device_resource where (device_id, href) in ("
                + String.join(", ", java.util.Collections.nCopies(n, "(?, ?)")) + ")")) {
            for (int i = 0; i < n; i++) {
                Resource r = keys.get(Math.min(i, keys.size() - 1));
                ps.setString(2 * i + 1, r.deviceId());
                ps.setString(2 * i + 2, r.href());
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new Resource(rs.getString(1), rs.getString(2)), rs.getBytes(3));
                }
            }
        }
        return out;
    }

    private static void twinWrite(java.sql.Connection c, String sql, java.util.Collection<Write> writes, OffsetDateTime now)
            throws java.sql.SQLException {
        if (writes.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (Write w : writes) {
                ps.setBytes(1, w.payload());
                ps.setInt(2, w.contentFormat());
                ps.setObject(3, now);
                ps.setString(4, w.deviceId());
                ps.setString(5, w.href());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void stop(String deviceId) {
        fetched.remove(deviceId);
        Map<String, DeviceConnections.Observation> m = observing.remove(deviceId);
        if (m != null) {
            m.values().forEach(DeviceConnections.Observation::cancel);
        }
    }

    /** The latest representation the twin holds. */
    public Optional<TwinResource> latest(String deviceId, String href) {
        return QuarkusTransaction.requiringNew().call(() -> TwinResource.<TwinResource>findByIdOptional(new TwinResource.Key(deviceId, href)));
    }
}
