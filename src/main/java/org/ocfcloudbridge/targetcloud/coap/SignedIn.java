package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.server.resources.CoapExchange;

/** Everything but sign-up, sign-in and token refresh needs a signed-in connection (Part 11 §13): 4.01 otherwise. */
final class SignedIn {

    private SignedIn() {
    }

    static DeviceSessions.Session require(DeviceSessions sessions, CoapExchange exchange) {
        return sessions.byConnection(OcfResource.connectionId(exchange))
                .orElseThrow(() -> CoapError.unauthorized("sign in first (/oic/sec/session)"));
    }
}
