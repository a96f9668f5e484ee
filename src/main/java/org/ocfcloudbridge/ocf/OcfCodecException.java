package org.ocfcloudbridge.ocf;

/** A payload that cannot be decoded; its message is short and safe to send back (CoAP 4.00 / HTTP 400). */
public class OcfCodecException extends RuntimeException {

    public OcfCodecException(String message) {
        super(message);
    }
}
