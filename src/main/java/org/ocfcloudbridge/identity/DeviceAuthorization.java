package org.ocfcloudbridge.identity;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the device gateway needs from identity (Part 11 §12, §14): turn the code a device presents at sign-up into
 * tokens and the user it belongs to, and refresh those tokens, at whichever provider the device's
 * {@code authprovider} names (none = the embedded server).
 */
@ApplicationScoped
public class DeviceAuthorization {

    /** Tokens for a device and the OCF user id ({@code uid}) they bind it to. */
    public record DeviceTokens(String accessToken, String refreshToken, long expiresIn, String uid, String provider) {
    }

    /** The device named a provider this cloud does not know (CoAP 4.01 with this message). */
    public static class UnknownProvider extends RuntimeException {
        UnknownProvider(String name) {
            super("unknown authprovider \"" + name + "\"");
        }
    }

    /** The provider refused the code or refresh token (CoAP 4.01). */
    public static class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final IdentityConfig config;
    private final OAuthService embedded;
    private final ExternalProviders external;
    private final TokenVerifier verifier;

    public DeviceAuthorization(IdentityConfig config, OAuthService embedded, ExternalProviders external, TokenVerifier verifier) {
        this.config = config;
        this.embedded = embedded;
        this.external = external;
        this.verifier = verifier;
    }

    /** The provider a device's {@code authprovider} names; blank means the embedded one. */
    public String resolve(String authProvider) {
        if (authProvider == null || authProvider.isBlank() || authProvider.equals(config.embeddedProviderName())) {
            if (!config.embeddedEnabled()) {
                throw new UnknownProvider(authProvider == null ? "" : authProvider);
            }
            return config.embeddedProviderName();
        }
        if (!external.names().contains(authProvider)) {
            throw new UnknownProvider(authProvider);
        }
        return authProvider;
    }

    public DeviceTokens signUp(String authProvider, String code, String deviceId) {
        return call(resolve(authProvider), () -> embedded.exchangeDeviceCode(code, deviceId), p -> external.exchangeCode(p, code));
    }

    public DeviceTokens refresh(String authProvider, String refreshToken, String deviceId) {
        return call(resolve(authProvider), () -> embedded.refreshDeviceToken(refreshToken, deviceId),
                p -> external.refresh(p, refreshToken));
    }

    /** Runs the embedded or the external variant of a token request and turns refusals into {@link Refused}. */
    private DeviceTokens call(String provider, java.util.function.Supplier<OAuthService.TokenResponse> embeddedCall,
                              java.util.function.Function<String, ExternalProviders.ProviderTokens> externalCall) {
        if (provider.equals(config.embeddedProviderName())) {
            try {
                return embeddedTokens(embeddedCall.get(), provider);
            } catch (OAuthException e) {
                throw new Refused(e.getMessage());
            }
        }
        return externalTokens(provider, () -> externalCall.apply(provider));
    }

    /** Ends the device's tokens where we can: the embedded server's grants (an external provider's live on). */
    public void revokeDevice(String deviceId) {
        if (config.embeddedEnabled()) {
            embedded.revokeDevice(deviceId);
        }
    }

    /**
     * A device that presents an access token instead of a code at sign-up (iotivity-lite does, with {@code uid}):
     * the token must verify and belong to that device if it names one.
     */
    public DeviceTokens signUpWithAccessToken(String accessToken, String deviceId) {
        VerifiedToken v;
        try {
            v = verifier.verify(accessToken);
        } catch (InvalidTokenException e) {
            throw new Refused(e.getMessage());
        }
        requireGatewayToken(v, deviceId);
        long expiresIn = Math.max(0, v.expiresAt().getEpochSecond() - java.time.Instant.now().getEpochSecond());
        return new DeviceTokens(accessToken, "", expiresIn, v.owner(), v.provider());
    }

    /**
     * Whether a verified token may act for device {@code deviceId} at the gateway: a device token of that device, or a
     * token of the device client or a Mediator client ({@code bridge.identity.mediator-clients}) with {@code w:*} where
     * the token carries OCF scopes. The web page's, a client-credentials or the admin token bound devices to whatever
     * "owner" they named before.
     *
     * @throws Refused otherwise (CoAP 4.01)
     */
    public void requireGatewayToken(VerifiedToken v, String deviceId) {
        if (v.deviceId() != null) {
            if (!v.deviceId().equalsIgnoreCase(deviceId)) {
                throw new Refused("the token was issued to another device");
            }
            return;
        }
        String deviceClient = v.provider().equals(config.embeddedProviderName()) ? config.deviceClientId()
                : java.util.Optional.ofNullable(config.providers().get(v.provider())).map(IdentityConfig.ExternalProvider::clientId)
                        .orElse(null);
        boolean forDevices = v.clientId() != null && (v.clientId().equals(deviceClient)
                || config.mediatorClients().orElse(java.util.List.of()).contains(v.clientId()));
        if (!forDevices || v.owner().equals(v.clientId())) {
            throw new Refused("the token was not issued for devices (device or Mediator client)");
        }
        boolean ocfScopes = v.hasScope(org.ocfcloudbridge.ocf.Protocol.Scopes.READ) || v.hasScope(org.ocfcloudbridge.ocf.Protocol.Scopes.WRITE);
        boolean embedded = v.provider().equals(config.embeddedProviderName());
        if ((embedded || ocfScopes) && !v.hasScope(org.ocfcloudbridge.ocf.Protocol.Scopes.WRITE)) {
            throw new Refused("the token lacks scope w:*");
        }
    }

    private static DeviceTokens embeddedTokens(OAuthService.TokenResponse t, String provider) {
        return new DeviceTokens(t.accessToken(), t.refreshToken(), t.expiresIn(), t.subject(), provider);
    }

    private DeviceTokens externalTokens(String provider, java.util.function.Supplier<ExternalProviders.ProviderTokens> call) {
        ExternalProviders.ProviderTokens t;
        try {
            t = call.get();
        } catch (ExternalProviders.Unavailable e) {
            throw e;
        } catch (RuntimeException e) {
            if (isConnectionProblem(e)) {
                throw new ExternalProviders.Unavailable("provider " + provider + " is not reachable", e);
            }
            throw new Refused("provider " + provider + " refused: " + shortMessage(e));
        }
        if (t.refreshToken() == null) {
            // A device cannot stay signed in without one (plgd refuses such sign-ups too).
            throw new Refused("provider " + provider + " issued no refresh token");
        }
        try {
            return new DeviceTokens(t.accessToken(), t.refreshToken(), t.expiresIn(),
                    external.verify(provider, t.accessToken()).owner(), provider);
        } catch (InvalidTokenException e) {
            throw new Refused("provider " + provider + " issued a token that does not verify: " + e.getMessage());
        }
    }

    private static boolean isConnectionProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.io.IOException
                    || t instanceof io.smallrye.mutiny.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String shortMessage(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.length() > 200 ? m.substring(0, 200) : m;
    }
}
