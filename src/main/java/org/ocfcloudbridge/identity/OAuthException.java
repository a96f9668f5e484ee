package org.ocfcloudbridge.identity;

/** An RFC 6749 §5.2 error: {@code error} code, a short description, and the HTTP status to answer with. */
public class OAuthException extends RuntimeException {

    private final String error;
    private final int status;

    public OAuthException(String error, String description) {
        this(error, description, "invalid_client".equals(error) ? 401 : 400);
    }

    public OAuthException(String error, String description, int status) {
        super(description);
        this.error = error;
        this.status = status;
    }

    public String error() {
        return error;
    }

    public int status() {
        return status;
    }

    public static OAuthException invalidGrant(String description) {
        return new OAuthException("invalid_grant", description);
    }

    public static OAuthException invalidRequest(String description) {
        return new OAuthException("invalid_request", description);
    }
}
