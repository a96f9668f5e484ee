package org.ocfcloudbridge.identity;

import java.time.Instant;
import java.util.Set;

/**
 * A Bearer token that passed verification.
 *
 * @param owner    the OCF user id ({@code uid}) or, for client-credentials tokens, the client id
 * @param provider which identity provider issued it (the embedded server's name or a configured external one)
 * @param deviceId the device a device token was issued to, or null
 */
public record VerifiedToken(String owner, String clientId, Set<String> scopes, String deviceId, String grantId,
                            String provider, Instant expiresAt) {

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
