package org.ocfcloudbridge.identity;

/** A Bearer token that is missing, malformed, expired, revoked or not ours. The message is safe to return. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String message) {
        super(message);
    }
}
