package org.ocfcloudbridge.targetcloud.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.PublishedLink;

import java.util.List;

/** How the Target Cloud's stored devices, links and representations look in the Cloud API (Part 10 §4.2). */
public final class ApiRepresentations {

    private static final OcfCodec CODEC = OcfCodec.get();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ApiRepresentations() {
    }

    /** A link as the device published it (device-local href, its di and ins). */
    public static Link storedLink(PublishedLink row) {
        return storedLink(row.key.deviceId, row.key.ins, row.link);
    }

    /** A stored link from its row's columns: the JSON the device sent, with its instance and device id. */
    public static Link storedLink(String deviceId, long ins, String json) {
        try {
            Link link = CODEC.mapper(OcfFormat.JSON).readValue(json, Link.class);
            link.ins = ins;
            link.di = deviceId;
            return link;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored link unreadable", e);
        }
    }

    /**
     * A link in the API: its href prefixed with {@code /<deviceId>}, so that {@code /api/v1/devices + href} is the
     * resource's URL (as the OCF swagger's example and plgd hub do). Everything else the device published is kept.
     */
    public static ObjectNode apiLink(String deviceId, Link link) {
        ObjectNode node = CODEC.mapper(OcfFormat.JSON).valueToTree(link);
        node.put("href", "/" + deviceId + link.href);
        if (!node.has("di")) {
            node.put("di", deviceId);
        }
        return node;
    }

    /** A device's representation as JSON (CBOR byte strings become base64 text). */
    public static byte[] cborToJson(byte[] cbor) {
        if (cbor == null || cbor.length == 0) {
            return "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return CODEC.encode(CODEC.decodeTree(cbor, OcfFormat.OCF_CBOR), OcfFormat.JSON);
    }

    public static JsonNode cborTree(byte[] cbor) {
        return CODEC.decodeTree(cbor, OcfFormat.OCF_CBOR);
    }

    /**
     * The swagger's {@code DeviceProperties} (required rt, di, dmn, n) from the device's {@code /oic/d} representation
     * when the twin holds one, else from what it published. The swagger requires {@code dmn} although {@code /oic/d}
     * may lack it: then one entry with an empty value stands for "not told".
     */
    public static ObjectNode deviceProperties(DeviceRecord device, JsonNode oicD, List<Link> links) {
        ObjectNode p = NODES.objectNode();
        ArrayNode rt = p.putArray("rt");
        if (oicD != null && oicD.path("rt").isArray() && !oicD.path("rt").isEmpty()) {
            oicD.get("rt").forEach(rt::add);
        } else {
            links.stream().filter(l -> Protocol.CoapPaths.DEVICE.equals(l.href) && l.rt != null).findFirst()
                    .ifPresentOrElse(l -> l.rt.forEach(rt::add), () -> rt.add(Protocol.ResourceTypes.DEVICE));
        }
        p.put("di", device.id);
        String name = oicD != null && oicD.path("n").isTextual() ? oicD.get("n").asText() : device.name;
        p.put("n", name == null ? "" : name);
        JsonNode dmn = oicD == null ? null : oicD.get("dmn");
        if (dmn != null && dmn.isArray() && !dmn.isEmpty()) {
            p.set("dmn", dmn);
        } else {
            p.putArray("dmn").addObject().put("language", "en").put("value", "");
        }
        return p;
    }
}
