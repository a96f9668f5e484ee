package org.ocfcloudbridge.targetcloud.coap;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.RdPublish;
import org.ocfcloudbridge.ocf.Representation;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/** {@code /oic/rd}: publish (POST), unpublish (DELETE) and the selection factor (GET), Part 11 §15. */
final class ResourceDirectoryResource extends OcfResource {

    private static final int MAX_LINKS = 1000;

    private final DeviceDirectory directory;
    private final DeviceSessions sessions;

    ResourceDirectoryResource(Executor executor, DeviceDirectory directory, DeviceSessions sessions) {
        super("rd", executor);
        this.directory = directory;
        this.sessions = sessions;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        async(exchange, () -> {
            SignedIn.require(sessions, exchange);
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.putArray("rt").add(Protocol.ResourceTypes.RESOURCE_DIRECTORY);
            body.putArray("if").add("oic.if.baseline");
            body.put("sel", 50);
            return cbor(exchange, ResponseCode.CONTENT, new Representation(body));
        });
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        async(exchange, () -> {
            DeviceSessions.Session session = SignedIn.require(sessions, exchange);
            RdPublish req = decode(exchange, RdPublish.class);
            String di = requireDeviceId(req.di);
            if (!di.equals(session.deviceId())) {
                throw CoapError.forbidden("a device publishes only its own links");
            }
            if (req.links == null || req.links.isEmpty()) {
                throw CoapError.badRequest("missing links");
            }
            if (req.links.size() > MAX_LINKS) {
                throw CoapError.badRequest("more than " + MAX_LINKS + " links");
            }
            long ttl = req.ttl == null ? 0 : req.ttl;
            if (ttl < 0) {
                throw CoapError.badRequest("ttl must not be negative");
            }
            Set<String> hrefs = new HashSet<>();
            for (Link l : req.links) {
                String href = require(l.href, "href of a link");
                if (!href.startsWith("/") || href.length() > 256) {
                    throw CoapError.badRequest("href must be a path of at most 256 characters: " + href);
                }
                if (!hrefs.add(href)) {
                    throw CoapError.badRequest("href published twice: " + href);
                }
                if (l.rt == null || l.rt.isEmpty()) {
                    throw CoapError.badRequest("missing rt of " + href);
                }
                if (l.interfaces == null || l.interfaces.isEmpty()) {
                    throw CoapError.badRequest("missing if of " + href);
                }
                if (l.ins != null && (l.ins < 0 || l.ins > 0xFFFFFFFFL)) {
                    throw CoapError.badRequest("ins out of range for " + href);
                }
            }
            RdPublish answer = new RdPublish();
            answer.di = di;
            answer.ttl = ttl;
            answer.links = directory.publish(di, session.ownerId(), req.links, ttl);
            return cbor(exchange, ResponseCode.CHANGED, answer);
        });
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        async(exchange, () -> {
            DeviceSessions.Session session = SignedIn.require(sessions, exchange);
            String di = exchange.getQueryParameter("di");
            if (di != null && !requireDeviceId(di).equals(session.deviceId())) {
                throw CoapError.forbidden("a device unpublishes only its own links");
            }
            List<Long> instances = new ArrayList<>();
            for (String q : exchange.getRequestOptions().getUriQuery()) {
                if (q.startsWith("ins=")) {
                    try {
                        instances.add(Long.parseLong(q.substring(4)));
                    } catch (NumberFormatException e) {
                        throw CoapError.badRequest("ins is not a number: " + q.substring(4));
                    }
                }
            }
            directory.unpublish(session.deviceId(), session.ownerId(), instances);
            return new Response(ResponseCode.DELETED);
        });
    }
}
