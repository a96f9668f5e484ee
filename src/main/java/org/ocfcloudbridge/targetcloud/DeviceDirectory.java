package org.ocfcloudbridge.targetcloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
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
        return QuarkusTransaction.requiringNew().call(() -> {
            DeviceRecord d = DeviceRecord.findById(deviceId);
            if (d != null) {
                if (!d.ownerId.equals(ownerId)) {
                    throw new OwnedByAnother();
                }
                // One column: presence writes online and last-seen under its own lock, which a whole-row write of
                // this copy could put back.
                if (!java.util.Objects.equals(provider, d.provider)) {
                    DeviceRecord.update("provider = ?1 where id = ?2", provider, deviceId);
                }
                return false;
            }
            journal.signingUp(ownerId);
            d = new DeviceRecord();
            d.id = deviceId;
            d.ownerId = ownerId;
            d.provider = provider;
            d.signedUpAt = now();
            d.persist();
            d.flush();
            journal.device(ownerId, EventTypes.DEVICES_REGISTERED, deviceId);
            return true;
        });
    }

    public Optional<DeviceRecord> find(String deviceId) {
        return QuarkusTransaction.requiringNew().call(() -> DeviceRecord.<DeviceRecord>findByIdOptional(deviceId));
    }

    public void seen(String deviceId) {
        QuarkusTransaction.requiringNew().run(() -> DeviceRecord.update("lastSeenAt = ?1 where id = ?2", now(), deviceId));
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
     */
    public List<Link> publish(String deviceId, String ownerId, List<Link> links, long ttlSeconds) {
        List<String> hrefs = new ArrayList<>();
        List<Link> published = new ArrayList<>();
        List<Link> all = QuarkusTransaction.requiringNew().call(() -> {
            if (!ownerId.equals(EventJournal.fence(List.of(deviceId)).get(deviceId))) {
                // Deregistered (or moved to another owner) after the session was checked: its links would have no
                // device row to hang on (the insert failed on the foreign key: 5.00 and a stack trace, found by
                // CoapGatewayFuzzTest).
                throw new EventJournal.DeviceGone();
            }
            OffsetDateTime expires = ttlSeconds > 0 ? now().plusSeconds(ttlSeconds) : null;
            List<PublishedLink> existing = PublishedLink.list("key.deviceId", deviceId);
            Set<Long> used = new HashSet<>();
            existing.forEach(l -> used.add(l.key.ins));
            for (Link link : links) {
                PublishedLink row = existing.stream().filter(l -> l.href.equals(link.href)).findFirst().orElse(null);
                if (row != null && link.ins != null && row.key.ins != link.ins) {
                    row.delete();
                    used.remove(row.key.ins);
                    row = null;
                }
                if (row == null) {
                    long ins = link.ins != null ? link.ins : freeInstance(link.href, used);
                    PublishedLink clash = PublishedLink.findById(new PublishedLink.Key(deviceId, ins));
                    if (clash != null) {
                        clash.delete();
                    }
                    row = new PublishedLink();
                    row.key = new PublishedLink.Key(deviceId, ins);
                    used.add(ins);
                }
                link.ins = row.key.ins;
                row.href = link.href;
                row.link = toJson(link);
                row.expiresAt = expires;
                row.publishedAt = now();
                row.persist();
                hrefs.add(link.href);
                published.add(link);
            }
            PublishedLink.flush();
            journal.links(deviceId, EventTypes.RESOURCES_PUBLISHED, published);
            return live(deviceId);
        });
        lanes.fire(events, new DeviceEvent(DeviceEvent.Type.PUBLISHED, deviceId, ownerId, hrefs));
        return all;
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
        return QuarkusTransaction.requiringNew().call(() -> live(deviceId));
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

    private List<Link> live(String deviceId) {
        List<Link> out = new ArrayList<>();
        OffsetDateTime now = now();
        for (PublishedLink l : PublishedLink.<PublishedLink>list("key.deviceId = ?1 order by key.ins", deviceId)) {
            if (l.expiresAt == null || l.expiresAt.isAfter(now)) {
                out.add(toLink(l));
            }
        }
        return out;
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
