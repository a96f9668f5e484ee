package org.ocfcloudbridge.targetcloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.ocfcloudbridge.store.HotStatements;
import org.ocfcloudbridge.store.Store;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.targetcloud.api.ApiRepresentations;
import org.ocfcloudbridge.targetcloud.events.DeviceLanes;
import org.ocfcloudbridge.targetcloud.events.EventJournal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.PublishedLink;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/** The Target Cloud's devices and their published links, in the database. */
@ApplicationScoped
public class DeviceDirectory {

    /** The device is bound to another user (CoAP 4.03). */
    public static class OwnedByAnother extends RuntimeException {
        OwnedByAnother() {
            super("the device belongs to another user", null, false, false);
        }
    }

    private final Event<DeviceEvent> events;
    private final EventJournal journal;
    private final DeviceLanes lanes;
    private final ObjectMapper json = OcfCodec.get().mapper(OcfFormat.JSON);

    public DeviceDirectory(Event<DeviceEvent> events, EventJournal journal, DeviceLanes lanes) {
        this.lanes = lanes;
        this.events = events;
        this.journal = journal;
    }

    /** Binds a device to its owner at sign-up; the same owner signing up again is fine. */
    public void bind(String deviceId, String ownerId, String provider) {
        boolean created;
        try {
            created = bindOnce(deviceId, ownerId, provider);
        } catch (RuntimeException e) {
            if (!Store.isUniqueViolation(e)) {
                throw e;
            }
            // The same new device signed up on two connections at once and the other one inserted first: now it exists.
            created = bindOnce(deviceId, ownerId, provider);
        }
        if (created) {
            lanes.fire(events, DeviceEvent.of(DeviceEvent.Type.REGISTERED, deviceId, ownerId));
        }
    }

    private boolean bindOnce(String deviceId, String ownerId, String provider) {
        // Plain JDBC, statements kept prepared: with Hibernate's find, persist and flush a sign-up storm spent 11% of its
        // CPU here (bench/devices.sh, 2026-12-06).
        return QuarkusTransaction.requiringNew().call(() -> {
            String[] found = HotStatements.inTransaction(
                    "select owner_id, provider from device where id = ?", ps -> {
                        ps.setString(1, deviceId);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
                        }
                    });
            if (found != null) {
                if (!found[0].equals(ownerId)) {
                    throw new OwnedByAnother();
                }
                // One column: presence writes online and last-seen under its own lock, which a whole-row write
                // could put back.
                if (!java.util.Objects.equals(provider, found[1])) {
                    HotStatements.inTransaction("update device set provider = ? where id = ?", ps -> {
                        ps.setString(1, provider);
                        ps.setString(2, deviceId);
                        return ps.executeUpdate();
                    });
                }
                return false;
            }
            journal.signingUp(ownerId);
            HotStatements.inTransaction(
                    "insert into device (id, owner_id, provider, signed_up_at, online) values (?, ?, ?, ?, false)", ps -> {
                        ps.setString(1, deviceId);
                        ps.setString(2, ownerId);
                        ps.setString(3, provider);
                        ps.setObject(4, now());
                        return ps.executeUpdate();
                    });
            journal.device(ownerId, EventTypes.DEVICES_REGISTERED, deviceId);
            return true;
        });
    }

    public Optional<DeviceRecord> find(String deviceId) {
        return QuarkusTransaction.requiringNew().call(() -> DeviceRecord.<DeviceRecord>findByIdOptional(deviceId));
    }

    /**
     * A device signing in: whether it is signed up for {@code ownerId}, and if so it was seen now. One statement in
     * one transaction (a find and an update in two before: 10% of a sign-up storm's CPU, 2026-12-06).
     */
    public boolean signingIn(String deviceId, String ownerId) {
        return QuarkusTransaction.requiringNew().call(() -> HotStatements.inTransaction(
                "update device set last_seen_at = ? where id = ? and owner_id = ?", ps -> {
                    ps.setObject(1, now());
                    ps.setString(2, deviceId);
                    ps.setString(3, ownerId);
                    return ps.executeUpdate() == 1;
                }));
    }

    /** Removes the device and everything published for it. */
    public boolean remove(String deviceId) {
        Optional<String> owner = QuarkusTransaction.requiringNew().call(() -> {
            String ownerId = EventJournal.fence(List.of(deviceId)).get(deviceId);
            if (ownerId == null) {
                return Optional.<String>empty();
            }
            PublishedLink.delete("key.deviceId", deviceId);
            DeviceRecord.deleteById(deviceId);
            journal.device(ownerId, EventTypes.DEVICES_UNREGISTERED, deviceId);
            journal.deviceGone(deviceId);
            return Optional.of(ownerId);
        });
        owner.ifPresent(o -> lanes.fire(events, DeviceEvent.of(DeviceEvent.Type.UNREGISTERED, deviceId, o)));
        return owner.isPresent();
    }

    /**
     * Stores published links (Part 11 §15): a device's own {@code ins} is kept, a re-published href keeps its
     * {@code ins}, a new one gets CRC32(href) (as plgd does) or the next free number. Returns every live link.
     * <p>
     * Plain JDBC in one transaction: the device's links are read once, the new set is worked out in memory, and the
     * rows that change are deleted and inserted in two batches. The Hibernate version (a find per link, a flush, the
     * live links read again) was 22% of a sign-up storm's CPU (bench/devices.sh, 2026-12-06).
     */
    public List<Link> publish(String deviceId, String ownerId, List<Link> links, long ttlSeconds) {
        List<String> hrefs = new ArrayList<>();
        List<Link> published = new ArrayList<>();
        List<Link> all = QuarkusTransaction.requiringNew().call(() -> {
            List<Link> live = HotStatements.onTransaction(c -> {
                if (!ownerId.equals(EventJournal.fence(c, List.of(deviceId)).get(deviceId))) {
                    // Deregistered (or moved to another owner) after the session was checked: its links would have no
                    // device row to hang on (the insert failed on the foreign key: 5.00 and a stack trace, found by
                    // CoapGatewayFuzzTest).
                    throw new EventJournal.DeviceGone();
                }
                OffsetDateTime now = now();
                OffsetDateTime expires = ttlSeconds > 0 ? now.plusSeconds(ttlSeconds) : null;
                java.util.TreeMap<Long, StoredLink> rows = storedLinks(c, deviceId);
                Set<Long> touched = new HashSet<>();
                for (Link link : links) {
                    Long ins = null;
                    for (StoredLink r : rows.values()) {
                        if (r.href().equals(link.href)) {
                            ins = r.ins();
                            break;
                        }
                    }
                    if (ins != null && link.ins != null && ins.longValue() != link.ins) {
                        // The device renumbered a published href: the old instance goes.
                        rows.remove(ins);
                        touched.add(ins);
                        ins = null;
                    }
                    if (ins == null) {
                        // A new instance; one that holds the number already (another href) is replaced.
                        ins = link.ins != null ? link.ins : freeInstance(link.href, rows.keySet());
                    }
                    link.ins = ins;
                    rows.put(ins, new StoredLink(ins, link.href, toJson(link), expires));
                    touched.add(ins);
                    hrefs.add(link.href);
                    published.add(link);
                }
                replaceLinks(c, deviceId, touched, rows, now);
                return live(deviceId, rows.values(), now);
            });
            journal.links(deviceId, EventTypes.RESOURCES_PUBLISHED, published);
            return live;
        });
        lanes.fire(events, new DeviceEvent(DeviceEvent.Type.PUBLISHED, deviceId, ownerId, hrefs));
        return all;
    }

    /** The unexpired ones of a device's stored links, in instance order. */
    private static List<Link> live(String deviceId, java.util.Collection<StoredLink> rows, OffsetDateTime now) {
        List<Link> out = new ArrayList<>();
        for (StoredLink r : rows) {
            if (r.expiresAt() == null || r.expiresAt().isAfter(now)) {
                out.add(ApiRepresentations.storedLink(deviceId, r.ins(), r.json()));
            }
        }
        return out;
    }

    /** A stored link row: its instance, href, the link as JSON, and when it expires (null: never). */
    private record StoredLink(long ins, String href, String json, OffsetDateTime expiresAt) {
    }

    private static java.util.TreeMap<Long, StoredLink> storedLinks(java.sql.Connection c, String deviceId)
            throws java.sql.SQLException {
        java.util.TreeMap<Long, StoredLink> rows = new java.util.TreeMap<>();
        HotStatements.with(c, "select ins, href, link, expires_at from device_link where device_id = ?", ps -> {
            ps.setString(1, deviceId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), new StoredLink(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class)));
                }
            }
            return null;
        });
        return rows;
    }

    /** Deletes the touched instances, then inserts those of them that {@code rows} still holds. */
    private static void replaceLinks(java.sql.Connection c, String deviceId, Set<Long> touched,
                                     java.util.Map<Long, StoredLink> rows, OffsetDateTime now) throws java.sql.SQLException {
        HotStatements.with(c, "delete from device_link where device_id = ? and ins = ?", ps -> {
            for (long ins : touched) {
                ps.setString(1, deviceId);
                ps.setLong(2, ins);
                ps.addBatch();
            }
            return ps.executeBatch();
        });
        HotStatements.with(c, "insert into device_link (device_id, ins, href, link, expires_at, published_at) "
                + "values (?, ?, ?, ?, ?, ?)", ps -> {
            for (long ins : touched) {
                StoredLink r = rows.get(ins);
                if (r == null) {
                    continue;
                }
                ps.setString(1, deviceId);
                ps.setLong(2, ins);
                ps.setString(3, r.href());
                ps.setString(4, r.json());
                ps.setObject(5, r.expiresAt());
                ps.setObject(6, now);
                ps.addBatch();
            }
            return ps.executeBatch();
        });
    }

    /** Unpublishes the given instances, or all of the device's links when {@code instances} is empty. */
    public List<String> unpublish(String deviceId, String ownerId, Collection<Long> instances) {
        List<String> removed = QuarkusTransaction.requiringNew().call(() -> {
            EventJournal.fence(List.of(deviceId));
            List<PublishedLink> rows = instances.isEmpty()
                    ? PublishedLink.list("key.deviceId", deviceId)
                    : PublishedLink.list("key.deviceId = ?1 and key.ins in ?2", deviceId, instances);
            List<String> hrefs = new ArrayList<>();
            List<Link> gone = new ArrayList<>();
            for (PublishedLink r : rows) {
                hrefs.add(r.href);
                gone.add(toLink(r));
                r.delete();
            }
            journal.links(deviceId, EventTypes.RESOURCES_UNPUBLISHED, gone);
            return hrefs;
        });
        if (!removed.isEmpty()) {
            lanes.fire(events, new DeviceEvent(DeviceEvent.Type.UNPUBLISHED, deviceId, ownerId, removed));
        }
        return removed;
    }

    /** Live (unexpired) links of one device. */
    public List<Link> links(String deviceId) {
        // Plain JDBC: read at every sign-in to observe the device's resources (9% of a sign-up storm's CPU through
        // Hibernate, 2026-12-06).
        return QuarkusTransaction.requiringNew().call(() -> HotStatements.onTransaction(c -> {
            OffsetDateTime now = now();
            return live(deviceId, storedLinks(c, deviceId).values(), now);
        }));
    }

    /** Live links of every device of an owner, each with its {@code di}: one query, not one per device. */
    public List<Link> linksOfOwner(String ownerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Link> out = new ArrayList<>();
            OffsetDateTime now = now();
            for (PublishedLink l : PublishedLink.<PublishedLink>list(
                    "key.deviceId in (select d.id from DeviceRecord d where d.ownerId = ?1) and (expiresAt is null or expiresAt > ?2) "
                            + "order by key.deviceId, key.ins", ownerId, now)) {
                out.add(toLink(l));
            }
            return out;
        });
    }

    /** Removes links whose ttl ran out; returns how many. */
    public int expire() {
        record Expired(String deviceId, String ownerId, String href) {
        }
        List<Expired> gone = QuarkusTransaction.requiringNew().call(() -> {
            List<Expired> out = new ArrayList<>();
            OffsetDateTime now = now();
            List<String> devices = PublishedLink.getEntityManager()
                    .createQuery("select distinct l.key.deviceId from PublishedLink l where l.expiresAt < :now", String.class)
                    .setParameter("now", now).getResultList();
            if (devices.isEmpty()) {
                return out;
            }
            java.util.Map<String, String> owners = new java.util.HashMap<>();
            owners.putAll(EventJournal.fence(devices));
            java.util.Map<String, List<Link>> goneByDevice = new java.util.TreeMap<>();
            for (PublishedLink l : PublishedLink.<PublishedLink>list("expiresAt < ?1 and key.deviceId in ?2", now, devices)) {
                goneByDevice.computeIfAbsent(l.key.deviceId, k -> new ArrayList<>()).add(toLink(l));
                out.add(new Expired(l.key.deviceId, owners.get(l.key.deviceId), l.href));
                l.delete();
            }
            goneByDevice.forEach((di, links) -> journal.links(di, EventTypes.RESOURCES_UNPUBLISHED, links));
            return out;
        });
        gone.stream().collect(java.util.stream.Collectors.groupingBy(Expired::deviceId)).forEach((di, list) ->
                lanes.fire(events, new DeviceEvent(DeviceEvent.Type.UNPUBLISHED, di, list.get(0).ownerId(),
                        list.stream().map(Expired::href).toList())));
        return gone.size();
    }

    private static Link toLink(PublishedLink row) {
        return ApiRepresentations.storedLink(row);
    }

    private static long freeInstance(String href, Set<Long> used) {
        CRC32 crc = new CRC32();
        crc.update(href.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long ins = crc.getValue();
        while (used.contains(ins)) {
            ins = (ins + 1) & 0xFFFFFFFFL;
        }
        return ins;
    }

    private String toJson(Link link) {
        try {
            return json.writeValueAsString(link);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
