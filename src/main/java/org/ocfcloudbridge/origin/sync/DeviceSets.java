package org.ocfcloudbridge.origin.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.ocfcloudbridge.store.OriginDevice;
import org.ocfcloudbridge.store.OriginResource;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** Changes to a link's stored device set; each runs inside the caller's transaction. */
public final class DeviceSets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceSets() {
    }

    public enum Change { UNKNOWN_DEVICE, UNCHANGED, CHANGED }

    /** A status for an unknown device waits for the sync that brings it. */
    public static Change status(UUID linkId, String deviceId, boolean online) {
        OriginDevice d = OriginDevice.findById(new OriginDevice.Key(linkId, deviceId));
        if (d == null) {
            return Change.UNKNOWN_DEVICE;
        }
        String status = online ? "online" : "offline";
        if (status.equals(d.status)) {
            return Change.UNCHANGED;
        }
        d.status = status;
        d.updatedAt = now();
        return Change.CHANGED;
    }

    public static boolean known(UUID linkId, String deviceId) {
        return OriginDevice.count("key.linkId = ?1 and key.deviceId = ?2", linkId, deviceId) > 0;
    }

    /** Whether the link holds a device {@code deviceIds} does not name. */
    public static boolean holdsOtherThan(UUID linkId, Set<String> deviceIds) {
        return deviceIds.isEmpty() ? OriginDevice.count("key.linkId", linkId) > 0
                : OriginDevice.count("key.linkId = ?1 and key.deviceId not in ?2", linkId, deviceIds) > 0;
    }

    /** Whether every link of {@code links} (API form) has its resource subscription (made or being made). */
    public static boolean subscribedToAll(UUID linkId, String deviceId, JsonNode links) {
        Set<String> hrefs = new HashSet<>();
        links.forEach(l -> hrefs.add(DeviceSync.localHref(deviceId, l.path("href").asText())));
        // Distinct: a link may hold a subscription twice for a while (the sync ends the extra one).
        return hrefs.isEmpty() || org.ocfcloudbridge.store.OriginSubscription.getEntityManager().createQuery("""
                select count(distinct s.href) from OriginSubscription s
                where s.linkId = ?1 and s.level = 'resource' and s.deviceId = ?2 and s.href in ?3""", Long.class)
                .setParameter(1, linkId).setParameter(2, deviceId).setParameter(3, hrefs).getSingleResult() >= hrefs.size();
    }

    public static boolean remove(UUID linkId, String deviceId) {
        OriginResource.delete("key.linkId = ?1 and key.deviceId = ?2", linkId, deviceId);
        return OriginDevice.delete("key.linkId = ?1 and key.deviceId = ?2", linkId, deviceId) > 0;
    }

    /** Adds or replaces links (by href, API form); returns whether the device is known. */
    public static boolean published(UUID linkId, String deviceId, JsonNode links) {
        OriginDevice d = OriginDevice.findById(new OriginDevice.Key(linkId, deviceId));
        if (d == null) {
            return false;
        }
        ArrayNode current = array(d.links);
        Set<String> incoming = new HashSet<>();
        links.forEach(l -> incoming.add(l.path("href").asText()));
        ArrayNode next = JSON.createArrayNode();
        current.forEach(l -> {
            if (!incoming.contains(l.path("href").asText())) {
                next.add(l);
            }
        });
        links.forEach(next::add);
        d.links = next.toString();
        d.updatedAt = now();
        return true;
    }

    public static void unpublished(UUID linkId, String deviceId, JsonNode links) {
        OriginDevice d = OriginDevice.findById(new OriginDevice.Key(linkId, deviceId));
        if (d == null) {
            return;
        }
        Set<String> gone = new HashSet<>();
        links.forEach(l -> gone.add(l.path("href").asText()));
        ArrayNode next = JSON.createArrayNode();
        array(d.links).forEach(l -> {
            if (!gone.contains(l.path("href").asText())) {
                next.add(l);
            }
        });
        d.links = next.toString();
        d.updatedAt = now();
        for (String href : gone) {
            OriginResource.delete("key.linkId = ?1 and key.deviceId = ?2 and key.href = ?3", linkId, deviceId,
                    DeviceSync.localHref(deviceId, href));
        }
    }

    public static void putContent(UUID linkId, String deviceId, String href, String json, OffsetDateTime at) {
        OriginResource r = OriginResource.findById(new OriginResource.Key(linkId, deviceId, href));
        if (r == null) {
            r = new OriginResource();
            r.key = new OriginResource.Key(linkId, deviceId, href);
        }
        r.content = json;
        r.updatedAt = at;
        r.persist();
    }

    /**
     * A representation read at {@code readAt}, unless a notification stored one since (see the sync): a conditional
     * write, so a notification committed between a look and the write is never overwritten.
     */
    static void putContentAsOf(UUID linkId, String deviceId, String href, String json, OffsetDateTime readAt) {
        int set = OriginResource.update("""
                content = ?1, updatedAt = ?2 where key.linkId = ?3 and key.deviceId = ?4 and key.href = ?5
                and (updatedAt is null or updatedAt <= ?2)""", json, readAt, linkId, deviceId, href);
        if (set == 0 && OriginResource.count("key.linkId = ?1 and key.deviceId = ?2 and key.href = ?3", linkId, deviceId, href) == 0) {
            putContent(linkId, deviceId, href, json, readAt);
        }
    }

    private static ArrayNode array(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n instanceof ArrayNode a ? a : JSON.createArrayNode();
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
