package org.ocfcloudbridge.simulator;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;

import java.io.IOException;

/** The cloud answered a device request with an error code. */
public class CloudRefusal extends IOException {

    public final ResponseCode code;

    public CloudRefusal(String what, ResponseCode code, String diagnostic) {
        super(what + " answered " + code + (diagnostic == null || diagnostic.isEmpty() ? "" : " " + diagnostic));
        this.code = code;
    }
}
