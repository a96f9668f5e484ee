package org.ocfcloudbridge.targetcloud.coap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/** A request refused with a CoAP error code and a short diagnostic (RFC 7252 §5.5.2), never a stack trace. */
public class CoapError extends RuntimeException {

    public final ResponseCode code;

    public CoapError(ResponseCode code, String diagnostic) {
        super(diagnostic, null, false, false);
        this.code = code;
    }

    public static CoapError badRequest(String diagnostic) {
        return new CoapError(ResponseCode.BAD_REQUEST, diagnostic);
    }

    public static CoapError unauthorized(String diagnostic) {
        return new CoapError(ResponseCode.UNAUTHORIZED, diagnostic);
    }

    public static CoapError forbidden(String diagnostic) {
        return new CoapError(ResponseCode.FORBIDDEN, diagnostic);
    }
}
