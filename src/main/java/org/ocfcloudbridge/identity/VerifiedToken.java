package org.ocfcloudbridge.identity;

import java.time.Instant;
import java.util.Set;

/**
 * A Bearer token that passed verification.
 *
 * @param owner    the OCF user id ({@code uid}) or, for client-credentials tokens, the client id
 * @param provider which identity provider issued it ("embedded" or a configured external name)
 * @param deviceId the device a device token was issued to, or null
 */
public record VerifiedToken(String owner, String clientId, Set<String> scopes, String deviceId, String grantId,
                            String provider, Instant expiresAt) {

    public static final String EMBEDDED = "embedded";

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
