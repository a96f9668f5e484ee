package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * {@code /oic/res} on the cloud connection (§16): the links of every device the signed-in user owns, each with its
 * {@code di} and {@code anchor ocf://<di>}; filters {@code di} and {@code rt}.
 */
final class ResourceDiscoveryResource extends OcfResource {

    private final DeviceDirectory directory;
    private final DeviceSessions sessions;

    ResourceDiscoveryResource(Executor executor, DeviceDirectory directory, DeviceSessions sessions) {
        super("res", executor);
        this.directory = directory;
        this.sessions = sessions;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        async(exchange, () -> {
            DeviceSessions.Session session = SignedIn.require(sessions, exchange);
            String di = exchange.getQueryParameter("di");
            String rt = exchange.getQueryParameter("rt");
            List<Link> links = directory.linksOfOwner(session.ownerId()).stream()
                    .filter(l -> di == null || di.equalsIgnoreCase(l.di))
                    .filter(l -> rt == null || (l.rt != null && l.rt.contains(rt)))
                    .peek(l -> {
                        if (l.anchor == null) {
                            l.anchor = "ocf://" + l.di;
                        }
                    })
                    .toList();
            return cbor(exchange, ResponseCode.CONTENT, links);
        });
    }
}
