package org.ocfcloudbridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A resource a simulated device hosts and the cloud reads, updates and observes over the device's connection: its
 * representation is a CBOR map; POST merges the properties it names (only writable ones, of the same JSON type).
 */
public class DeviceResource extends CoapResource {

    private static final OcfCodec CODEC = OcfCodec.get();

    private final String href;
    private final List<String> interfaces;
    private final List<String> writable;
    private volatile ObjectNode representation;
    private volatile java.util.function.Consumer<ObjectNode> onWrite = r -> { };

    public DeviceResource(String href, ObjectNode representation, List<String> interfaces, List<String> writable, boolean observable) {
        super(href.substring(href.lastIndexOf('/') + 1));
        this.href = href;
        this.representation = representation;
        this.interfaces = interfaces;
        this.writable = writable;
        setObservable(observable);
        if (observable) {
            getAttributes().setObservable();
        }
    }

    /** Told the new representation after each write from the cloud (the demo keeps its switches across restarts). */
    public void onWrite(java.util.function.Consumer<ObjectNode> listener) {
        this.onWrite = listener;
    }

    public String href() {
        return href;
    }

    public ObjectNode representation() {
        return representation.deepCopy();
    }

    /** Changes properties as the device itself would (a sensor reading); observers are notified. */
    public void update(Map<String, JsonNode> properties) {
        ObjectNode next = representation.deepCopy();
        properties.forEach(next::set);
        representation = next;
        changed();
    }

    public Link link() {
        Link l = new Link();
        l.href = href;
        l.rt = List.of(rtOf(representation));
        l.interfaces = interfaces;
        l.p = new Link.LinkPolicy();
        l.p.bm = Link.LinkPolicy.DISCOVERABLE | (isObservable() ? Link.LinkPolicy.OBSERVABLE : 0);
        return l;
    }

    private static String rtOf(ObjectNode rep) {
        JsonNode rt = rep.get("rt");
        return rt != null && rt.isArray() && !rt.isEmpty() ? rt.get(0).asText() : "oic.r.unknown";
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.CONTENT, CODEC.encode(representation, OcfFormat.OCF_CBOR), Protocol.MediaTypes.OCF_CBOR_FORMAT);
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body;
        try {
            body = CODEC.decodeTree(exchange.getRequestPayload(), OcfFormat.OCF_CBOR);
        } catch (OcfCodecException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage(), MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        if (!body.isObject()) {
            exchange.respond(ResponseCode.BAD_REQUEST, "expected a map", MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        Predicate<String> canWrite = writable::contains;
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = representation.get(e.getKey());
            if (!canWrite.test(e.getKey()) || current == null || current.getNodeType() != e.getValue().getNodeType()) {
                exchange.respond(ResponseCode.BAD_REQUEST, "cannot write " + e.getKey(), MediaTypeRegistry.TEXT_PLAIN);
                return;
            }
        }
        ObjectNode next = representation.deepCopy();
        body.fields().forEachRemaining(e -> next.set(e.getKey(), e.getValue()));
        representation = next;
        changed();
        onWrite.accept(next.deepCopy());
        exchange.respond(ResponseCode.CHANGED, CODEC.encode(next, OcfFormat.OCF_CBOR), Protocol.MediaTypes.OCF_CBOR_FORMAT);
    }
}
