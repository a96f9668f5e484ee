package org.ocfcloudbridge.targetcloud.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.PublishedLink;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.targetcloud.coap.DeviceSessions;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Devices as the Devices API shows them (swagger {@code Device} and {@code DeviceContentAll}), read in one transaction. */
@ApplicationScoped
public class DeviceViews {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final DeviceSessions sessions;

    public DeviceViews(DeviceSessions sessions) {
        this.sessions = sessions;
    }

    public boolean owns(String ownerId, String deviceId) {
        // A signed-in device's owner is known without the database: a device changes owner only after deregistering,
        // which ends its session first.
        if (sessions.byDevice(deviceId).filter(s -> s.ownerId().equals(ownerId)).isPresent()) {
            return true;
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            DeviceRecord d = DeviceRecord.findById(deviceId);
            return d != null && d.ownerId.equals(ownerId);
        });
    }

    /** Whether the device published {@code href} (live) or the twin holds it. */
    public boolean hasResource(String deviceId, String href) {
        return QuarkusTransaction.requiringNew().call(() -> PublishedLink.count(
                "key.deviceId = ?1 and href = ?2 and (expiresAt is null or expiresAt > ?3)", deviceId, href, now()) > 0
                || TwinResource.findById(new TwinResource.Key(deviceId, href)) != null);
    }

    /**
     * The owner's devices ({@code deviceId} null) or that one device, with links ({@code all} false) or with the
     * representations the twin holds ({@code all} true).
     */
    public List<ObjectNode> devicesOf(String ownerId, String deviceId, boolean all) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<DeviceRecord> devices = deviceId == null
                    ? DeviceRecord.list("ownerId = ?1 order by id", ownerId)
                    : DeviceRecord.list("id = ?1 and ownerId = ?2", deviceId, ownerId);
            if (devices.isEmpty()) {
                return List.of();
            }
            String scope = deviceId == null ? "key.deviceId in (select d.id from DeviceRecord d where d.ownerId = ?1)" : "key.deviceId = ?1";
            Object param = deviceId == null ? ownerId : deviceId;
            Map<String, List<Link>> links = new HashMap<>();
            OffsetDateTime now = now();
            for (PublishedLink l : PublishedLink.<PublishedLink>list(scope + " order by key.deviceId, key.ins", param)) {
                if (l.expiresAt == null || l.expiresAt.isAfter(now)) {
                    links.computeIfAbsent(l.key.deviceId, k -> new ArrayList<>()).add(ApiRepresentations.storedLink(l));
                }
            }
            Map<String, Map<String, JsonNode>> twins = new HashMap<>();
            for (TwinResource t : TwinResource.<TwinResource>list(scope + " order by key.deviceId, key.href", param)) {
                try {
                    twins.computeIfAbsent(t.key.deviceId, k -> new java.util.LinkedHashMap<>())
                            .put(t.key.href, ApiRepresentations.cborTree(t.content));
                } catch (OcfCodecException e) {
                    // A device sent something we cannot read: show the rest.
                }
            }
            List<ObjectNode> out = new ArrayList<>();
            for (DeviceRecord d : devices) {
                List<Link> mine = links.getOrDefault(d.id, List.of());
                Map<String, JsonNode> reps = twins.getOrDefault(d.id, Map.of());
                ObjectNode node = NODES.objectNode();
                node.set("device", ApiRepresentations.deviceProperties(d, reps.get(Protocol.CoapPaths.DEVICE), mine));
                node.put("status", sessions.isOnline(d.id) ? "online" : "offline");
                var array = node.putArray("links");
                if (all) {
                    // As plgd hub does: the resources whose representation is known, each with it.
                    for (Link l : mine) {
                        JsonNode rep = reps.get(l.href);
                        if (rep != null && (rep.isObject() || rep.isArray())) {
                            array.addObject().put("href", "/" + d.id + l.href).set("rep", rep);
                        }
                    }
                } else {
                    mine.forEach(l -> array.add(ApiRepresentations.apiLink(d.id, l)));
                }
                out.add(node);
            }
            return out;
        });
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
