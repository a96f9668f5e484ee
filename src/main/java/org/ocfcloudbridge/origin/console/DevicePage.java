package org.ocfcloudbridge.origin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.ocfcloudbridge.ocf.Protocol.ResourceTypes;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.origin.link.AccountLinking;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.OriginDevice;
import org.ocfcloudbridge.store.OriginResource;
import org.ocfcloudbridge.store.VendorEvent;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the web page shows of a user's linked accounts, in the shapes its template draws: each account with its
 * state, sync and subscriptions; its devices sorted by name, each resource with the control its resource type calls
 * for (a switch as a toggle, a temperature with its recent values, brightness and dimming as sliders, a colour as a
 * colour, anything else as JSON); and the latest events.
 */
@ApplicationScoped
public class DevicePage {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events the page's log starts with; the stream adds to them. */
    static final int LOGGED_EVENTS = 20;
    /** Points of a temperature's chart. */
    static final int CHART_POINTS = 30;
    /** Above this many devices the page offers a filter box. */
    static final int FILTER_ABOVE = 5;
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);

    private final AccountLinking linking;
    private final DeviceSync sync;

    public DevicePage(AccountLinking linking, DeviceSync sync) {
        this.linking = linking;
        this.sync = sync;
    }

    /** The user's linked accounts with their devices, devices filtered by {@code filter} (name, type or id) when given. */
    public List<Map<String, Object>> links(String user, String filter) {
        String q = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        Map<String, List<double[]>> series = temperatureSeries(user);
        List<Map<String, Object>> out = new ArrayList<>();
        for (LinkedAccount a : linking.linksOf(user)) {
            Map<String, Object> l = account(a);
            List<Map<String, Object>> devices = devices(user, a.id, series);
            l.put("deviceCount", devices.size());
            l.put("allDevices", devices);
            l.put("devices", q.isEmpty() ? devices : devices.stream()
                    .filter(d -> String.valueOf(d.get("search")).contains(q)).toList());
            out.add(l);
        }
        return out;
    }

    /** One account's state, sync and subscription health (also what the page polls to keep them current). */
    public Map<String, Object> account(LinkedAccount a) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("id", a.id.toString());
        l.put("cloud", a.cloudName);
        boolean reauthorize = a.state == LinkedAccount.State.REAUTHORIZE;
        l.put("state", a.state.name().toLowerCase(Locale.ROOT));
        l.put("stateText", reauthorize ? "needs its user again" : "linked");
        l.put("reauthorize", reauthorize);
        l.put("deviceCount", QuarkusTransaction.requiringNew().call(() -> OriginDevice.count("key.linkId", a.id)));
        DeviceSync.LastSync last = DeviceSync.LastSync.of(a);
        l.put("syncing", sync.syncing(a.id));
        l.put("lastSync", last.succeededAt() == null ? "" : iso(last.succeededAt()));
        l.put("lastSyncText", last.succeededAt() == null ? "never yet" : shown(last.succeededAt()));
        l.put("syncError", last.error() == null ? "" : "the last sync failed: " + last.error());
        DeviceSync.Health h = sync.health(a.id);
        l.put("subsActive", h.active());
        l.put("subsWanted", h.wanted());
        boolean healthy = h.healthy() && !reauthorize;
        l.put("healthy", healthy);
        l.put("healthText", reauthorize ? "paused until the account is linked again (" + h.active() + " of " + h.wanted() + " held)"
                : h.active() + " of " + h.wanted() + " subscriptions active" + (h.healthy() ? "" : ": resync to restore them"));
        return l;
    }

    /**
     * When each of these devices last changed: its newest event (content, presence, links). The stored rows' own times
     * move at every sync, changed or not, so they stand in only for a device with no event kept. One indexed look per
     * device (V15): a max over all the user's kept events read every one of them (a week of a sensor every few
     * seconds is hundreds of thousands of rows) at every page view.
     */
    private static Map<String, OffsetDateTime> lastChanges(String user, List<String> deviceIds) {
        Map<String, OffsetDateTime> out = new HashMap<>();
        for (String di : deviceIds) {
            VendorEvent.getEntityManager().createQuery("select e.createdAt from VendorEvent e "
                            + "where e.vendorUser = ?1 and e.deviceId = ?2 order by e.id desc", OffsetDateTime.class)
                    .setParameter(1, user).setParameter(2, di).setMaxResults(1).getResultList()
                    .forEach(t -> out.put(di, t));
        }
        return out;
    }

    private List<Map<String, Object>> devices(String user, UUID linkId, Map<String, List<double[]>> series) {
        record Row(OriginDevice device, List<OriginResource> resources) {
        }
        Map<String, OffsetDateTime> changes = new HashMap<>();
        List<Row> rows = QuarkusTransaction.requiringNew().call(() -> {
            Map<String, List<OriginResource>> byDevice = new HashMap<>();
            for (OriginResource r : OriginResource.<OriginResource>list("key.linkId = ?1 order by key.href", linkId)) {
                byDevice.computeIfAbsent(r.key.deviceId, k -> new ArrayList<>()).add(r);
            }
            List<Row> found = OriginDevice.<OriginDevice>list("key.linkId", linkId).stream()
                    .map(d -> new Row(d, byDevice.getOrDefault(d.key.deviceId, List.of()))).toList();
            changes.putAll(lastChanges(user, found.stream().map(r -> r.device().key.deviceId).toList()));
            return found;
        });
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row row : rows) {
            OriginDevice d = row.device();
            String di = d.key.deviceId;
            JsonNode props = tree(d.device);
            JsonNode links = tree(d.links);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", di);
            view.put("domId", rowId(linkId, di));
            OffsetDateTime changed = changes.getOrDefault(di, d.updatedAt);
            JsonNode info = null;
            List<Map<String, Object>> resources = new ArrayList<>();
            for (OriginResource r : row.resources()) {
                JsonNode content = tree(r.content);
                Set<String> types = types(di, r.key.href, links, content);
                if (types.contains(ResourceTypes.DEVICE)) {
                    info = content;
                }
                resources.add(resource(linkId, di, r.key.href, content, types, writable(di, r.key.href, links),
                        series.get(di + r.key.href), r.updatedAt));
            }
            String name = info != null && info.hasNonNull("n") ? info.path("n").asText() : props.path("n").asText("");
            view.put("name", name);
            view.put("displayName", name.isBlank() ? "(unnamed device)" : name);
            view.put("status", d.status);
            view.put("lastChange", changed == null ? "" : iso(changed));
            view.put("lastChangeText", changed == null ? "" : shown(changed));
            String type = deviceType(info != null ? info : props);
            view.put("type", type);
            view.put("search", (name + " " + type + " " + di).toLowerCase(Locale.ROOT));
            // The device's own description first, then its resources by href.
            resources.sort(Comparator.comparing((Map<String, Object> r) -> !"device".equals(r.get("kind")))
                    .thenComparing(r -> String.valueOf(r.get("href"))));
            view.put("resources", resources);
            out.add(view);
        }
        out.sort(Comparator.comparing((Map<String, Object> v) -> String.valueOf(v.get("name")).isBlank())
                .thenComparing(v -> String.valueOf(v.get("name")), String.CASE_INSENSITIVE_ORDER)
                .thenComparing(v -> String.valueOf(v.get("id"))));
        return out;
    }

    /** One resource and the control its type calls for; a representation that lacks what the control needs is JSON. */
    private Map<String, Object> resource(UUID linkId, String di, String href, JsonNode content, Set<String> types, boolean writable,
                                         List<double[]> points, OffsetDateTime updatedAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("href", href);
        r.put("domId", domId(linkId, di, href));
        r.put("types", String.join(" ", types));
        r.put("writable", writable);
        String json = pretty(content);
        r.put("json", json);
        r.put("jsonRows", Math.min(16, Math.max(3, (int) json.chars().filter(c -> c == '\n').count() + 1)));
        String kind = "json";
        if (types.contains(ResourceTypes.DEVICE)) {
            kind = "device";
            r.put("deviceName", content.path("n").asText(""));
            r.put("deviceType", deviceType(content));
            r.put("spec", content.path("icv").asText(""));
            r.put("dataModel", content.path("dmv").asText(""));
            r.put("software", content.path("sv").asText(""));
            r.put("piid", content.path("piid").asText(""));
        } else if (types.contains(ResourceTypes.SWITCH_BINARY) && content.path("value").isBoolean()) {
            kind = "switch";
            r.put("on", content.path("value").asBoolean());
        } else if (types.contains(ResourceTypes.TEMPERATURE) && content.path("temperature").isNumber()) {
            kind = "temperature";
            r.put("value", content.path("temperature").asText());
            r.put("unit", unit(content.path("units").asText("C")));
            List<double[]> p = points == null ? new ArrayList<>() : new ArrayList<>(points);
            if (p.isEmpty() && updatedAt != null) {
                p.add(new double[]{updatedAt.toInstant().toEpochMilli(), content.path("temperature").asDouble()});
            }
            ArrayNode a = JSON.createArrayNode();
            p.forEach(x -> a.addArray().add((long) x[0]).add(x[1]));
            r.put("points", a.toString());
        } else if (types.contains(ResourceTypes.LIGHT_BRIGHTNESS) && content.path("brightness").isIntegralNumber()) {
            kind = "slider";
            slider(r, "brightness", "Brightness", content, 0, 100);
        } else if (types.contains(ResourceTypes.LIGHT_DIMMING) && content.path("dimmingSetting").isIntegralNumber()) {
            kind = "slider";
            slider(r, "dimmingSetting", "Dimming", content, 0, 100);
        } else if (types.contains(ResourceTypes.COLOUR_RGB) && rgb(content) != null) {
            kind = "colour";
            r.put("colour", rgb(content));
        }
        r.put("kind", kind);
        return r;
    }

    private static void slider(Map<String, Object> r, String property, String label, JsonNode content, int min, int max) {
        // A "range" property narrows the scale where the device gives one (oic.r.light.dimming does).
        JsonNode range = content.path("range");
        if (range.isArray() && range.size() == 2 && range.get(0).isNumber() && range.get(1).isNumber()
                && range.get(0).asInt() < range.get(1).asInt()) {
            min = range.get(0).asInt();
            max = range.get(1).asInt();
        }
        r.put("property", property);
        r.put("label", label);
        r.put("min", min);
        r.put("max", max);
        r.put("step", content.path("step").isIntegralNumber() && content.path("step").asInt() > 0 ? content.path("step").asInt() : 1);
        r.put("level", content.path(property).asInt());
    }

    /** {@code #rrggbb} of an oic.r.colour.rgb representation, null when its rgbValue is not three bytes. */
    static String rgb(JsonNode content) {
        JsonNode v = content.path("rgbValue");
        if (!v.isArray() || v.size() != 3) {
            return null;
        }
        StringBuilder b = new StringBuilder("#");
        for (JsonNode c : v) {
            if (!c.isIntegralNumber() || c.asInt() < 0 || c.asInt() > 255) {
                return null;
            }
            b.append(String.format(Locale.ROOT, "%02x", c.asInt()));
        }
        return b.toString();
    }

    private static String unit(String units) {
        return switch (units) {
            case "C" -> "°C";
            case "F" -> "°F";
            case "K" -> "K";
            default -> units;
        };
    }

    /** The device type a person reads: the rt of /oic/d that is not oic.wk.d, e.g. oic.d.light. */
    static String deviceType(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.path("rt").forEach(t -> {
            if (!t.asText().equals(ResourceTypes.DEVICE)) {
                out.add(t.asText());
            }
        });
        return String.join(", ", out);
    }

    /** The resource's types from its published link, else from its representation's rt. */
    private static Set<String> types(String di, String href, JsonNode links, JsonNode content) {
        Set<String> out = new java.util.TreeSet<>();
        for (JsonNode l : links) {
            if (DeviceSync.localHref(di, l.path("href").asText("")).equals(href)) {
                l.path("rt").forEach(t -> out.add(t.asText()));
            }
        }
        content.path("rt").forEach(t -> out.add(t.asText()));
        if (href.equals("/oic/d")) {
            out.add(ResourceTypes.DEVICE);
        }
        return out;
    }

    /**
     * Whether a client may update the resource: its link offers an actuator or read-write interface (OCF Core
     * §7.6.3); sensors and read-only resources get no control.
     */
    private static boolean writable(String di, String href, JsonNode links) {
        for (JsonNode l : links) {
            if (DeviceSync.localHref(di, l.path("href").asText("")).equals(href)) {
                for (JsonNode i : l.path("if")) {
                    if (i.asText().equals("oic.if.a") || i.asText().equals("oic.if.rw")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Recent temperatures by device id + href, oldest first, from the user's latest content changes: the chart has
     * its history at once instead of starting empty at every visit.
     */
    private Map<String, List<double[]>> temperatureSeries(String user) {
        List<VendorEvent> recent = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>find(
                "vendorUser = ?1 and type = ?2 order by id desc", user, VendorEvents.CONTENT_CHANGED).page(0, 300).list());
        Map<String, List<double[]>> out = new HashMap<>();
        for (VendorEvent e : recent) {
            JsonNode p = tree(e.payload);
            JsonNode t = p.path("content").path("temperature");
            if (e.deviceId == null || !t.isNumber()) {
                continue;
            }
            List<double[]> s = out.computeIfAbsent(e.deviceId + p.path("href").asText(), k -> new ArrayList<>());
            if (s.size() < CHART_POINTS) {
                s.add(0, new double[]{e.createdAt.toInstant().toEpochMilli(), t.asDouble()});
            }
        }
        return out;
    }

    /** The user's latest events, newest first, up to the event {@code upTo} (the stream carries on after it). */
    public List<Map<String, Object>> events(String user, long upTo, Map<String, String> names) {
        List<VendorEvent> recent = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>find(
                "vendorUser = ?1 and id <= ?2 order by id desc", user, upTo).page(0, LOGGED_EVENTS).list());
        List<Map<String, Object>> out = new ArrayList<>();
        for (VendorEvent e : recent) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id);
            m.put("type", e.type);
            m.put("device", e.deviceId == null ? "" : e.deviceId);
            m.put("deviceName", e.deviceId == null ? "" : names.getOrDefault(e.deviceId, e.deviceId));
            m.put("time", iso(e.createdAt));
            m.put("timeText", shown(e.createdAt));
            m.put("detail", detail(e.type, e.deviceId, tree(e.payload)));
            out.add(m);
        }
        return out;
    }

    /**
     * A line about an event's payload, as the page's script writes it for the events it receives live: a content's
     * properties without its rt and if, links by their hrefs on the device.
     */
    static String detail(String type, String deviceId, JsonNode payload) {
        String s = switch (type) {
            case VendorEvents.CONTENT_CHANGED -> {
                JsonNode c = payload.path("content");
                if (c.isObject()) {
                    c = ((com.fasterxml.jackson.databind.node.ObjectNode) c.deepCopy()).without(List.of("rt", "if"));
                }
                yield payload.path("href").asText("") + " " + c;
            }
            case VendorEvents.LINK_STATE -> payload.path("cloud").asText("") + ": " + payload.path("state").asText("");
            case VendorEvents.LINKS_PUBLISHED, VendorEvents.LINKS_UNPUBLISHED -> {
                List<String> hrefs = new ArrayList<>();
                payload.forEach(l -> hrefs.add(deviceId == null ? l.path("href").asText("") : DeviceSync.localHref(deviceId, l.path("href").asText(""))));
                yield String.join(" ", hrefs);
            }
            default -> "";
        };
        return s.length() > 160 ? s.substring(0, 157) + "…" : s;
    }

    /**
     * The id part of a device's row: one device id may be under several of the user's linked accounts, each with its
     * own row, so the link comes first (a UUID, always 36 characters), then the device id spelt by {@link #idPart}.
     */
    public static String rowId(UUID link, String di) {
        return link + "-" + idPart(di);
    }

    /** The id part of a resource of a device's row: the row's, then the href (idPart writes no '-', so no two meet). */
    public static String domId(UUID link, String di, String href) {
        return rowId(link, di) + "-" + idPart(href);
    }

    /**
     * Letters and digits as they are, any other character as '_' and its four hex digits (UTF-16), as the page's script
     * writes it: one spelling per text, so "/a-b" and "/a/b" stay apart (flattening punctuation to '-' merged them).
     */
    static String idPart(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                b.append(c);
            } else {
                b.append('_').append(String.format(Locale.ROOT, "%04x", (int) c));
            }
        }
        return b.toString();
    }

    static String iso(OffsetDateTime t) {
        return t.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }

    static String shown(OffsetDateTime t) {
        return SHOWN.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Laid out as the page's script lays out what arrives live (JSON.stringify with two spaces). */
    private static final com.fasterxml.jackson.core.util.DefaultPrettyPrinter PRETTY;

    static {
        com.fasterxml.jackson.core.util.DefaultIndenter lines = new com.fasterxml.jackson.core.util.DefaultIndenter("  ", "\n");
        PRETTY = new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                        .withArrayEmptySeparator("").withObjectEmptySeparator(""));
        PRETTY.indentArraysWith(lines);
        PRETTY.indentObjectsWith(lines);
    }

    static String pretty(JsonNode n) {
        try {
            return JSON.writer(PRETTY).writeValueAsString(n);
        } catch (IOException e) {
            return n.toString();
        }
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? JSON.nullNode() : JSON.readTree(json);
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }
}
