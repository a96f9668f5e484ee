package org.ocfcloudbridge.identity;

import jakarta.enterprise.context.ApplicationScoped;

/** Checks an {@code Authorization: Bearer} header and a required scope (RFC 6750). */
@ApplicationScoped
public class BearerAuthenticator {

    /** 401 (no or bad token) or 403 (missing scope), answered with {@code WWW-Authenticate: Bearer ...}. */
    public static class Denied extends RuntimeException {
        public final int status;
        public final String error;
        public final String scope;

        Denied(int status, String error, String description, String scope) {
            super(description);
            this.status = status;
            this.error = error;
            this.scope = scope;
        }
    }

    private final TokenVerifier verifier;
    private final IdentityConfig config;

    public BearerAuthenticator(TokenVerifier verifier, IdentityConfig config) {
        this.verifier = verifier;
        this.config = config;
    }

    public VerifiedToken require(String authorization, String scope) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Denied(401, null, "a Bearer token is required", scope);
        }
        VerifiedToken token;
        try {
            token = verifier.verify(authorization.substring(7).trim());
        } catch (InvalidTokenException e) {
            throw new Denied(401, "invalid_token", e.getMessage(), scope);
        } catch (ExternalProviders.Unavailable e) {
            throw new Denied(503, "temporarily_unavailable", "the identity provider cannot be reached", scope);
        }
        if (token.deviceId() != null || config.deviceClientId().equals(token.clientId())) {
            // A device's token opens its own connection at the CoAP gateway, nothing else: with it, one stolen device
            // would otherwise read and switch every other device of its owner through the Cloud API.
            throw new Denied(401, "invalid_token", "a device's token is valid only at the device gateway", scope);
        }
        if (scope != null && !token.hasScope(scope)) {
            throw new Denied(403, "insufficient_scope", "the token lacks scope " + scope, scope);
        }
        return token;
    }
}
