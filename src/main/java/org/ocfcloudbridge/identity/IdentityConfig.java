package org.ocfcloudbridge.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import org.ocfcloudbridge.config.Checked;
import org.ocfcloudbridge.config.StrictBooleanConverter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The embedded OAuth2 authorization server ({@code bridge.identity.*}). */
@ConfigMapping(prefix = "bridge.identity")
public interface IdentityConfig {

    /** Secret of the {@code bridge-admin} client (client-credentials, scope {@code admin}); unset = no admin API. */
    Optional<String> adminSecret();

    @WithDefault("1H")
    Duration accessTokenLifetime();

    @WithDefault("30D")
    Duration refreshTokenLifetime();

    /** Browser authorization codes are exchanged within seconds by the client's back end. */
    @WithDefault("60S")
    Duration codeLifetime();

    /** Device codes travel through a Mediator and the device before the device signs up with them. */
    @WithDefault("10M")
    Duration deviceCodeLifetime();

    /** How often expired logins, codes and refresh tokens are deleted. */
    @WithDefault("10M")
    Duration sweepInterval();

    /** How long a user has between the authorize redirect and the consent answer. */
    @WithDefault("10M")
    Duration loginTimeout();

    /** Client whose codes devices present at sign-up; the cloud exchanges them itself. */
    @WithDefault("ocf-device")
    @WithConverter(Checked.NotBlank.class)
    String deviceClientId();

    /**
     * Clients whose user tokens a device may present at the gateway instead of a device code (a Mediator app handing
     * its own token on, as iotivity-lite's sign-up with {@code accesstoken} and {@code uid} does), besides
     * {@link #deviceClientId()}. Any other token (the web page's, a client's, the admin's) is refused there.
     */
    Optional<List<String>> mediatorClients();

    /** PBKDF2-HMAC-SHA256 iterations for new password hashes (OWASP 2023: 600,000). */
    @WithDefault("600000")
    @WithConverter(Checked.HashIterations.class)
    int passwordHashIterations();

    /**
     * Failed logins in a row of one user name from one address before that pair must wait (5 s, doubling per further
     * failure up to {@link #loginWindow()}); an address is blocked after four times as many failures in the window.
     */
    @WithDefault("5")
    @WithConverter(Checked.AtLeastOne.class)
    int loginAttempts();

    /** How long failures are remembered, and the longest wait the doubling reaches. */
    @WithDefault("5M")
    Duration loginWindow();

    /**
     * Whether the embedded authorization server runs and its tokens are accepted. Off when an external provider is
     * the only source of users (the admin API is then off too).
     */
    @WithDefault("true")
    @WithConverter(StrictBooleanConverter.class)
    boolean embeddedEnabled();

    /** The name devices use for the embedded server in {@code authprovider} (and Mediators in {@code apn}). */
    @WithDefault("bridge")
    @WithConverter(Checked.NotBlank.class)
    String embeddedProviderName();

    /** External OpenID Connect providers by name: {@code bridge.identity.providers."<name>".issuer=...}. */
    Map<String, ExternalProvider> providers();

    interface ExternalProvider {
        /** The issuer URL; its {@code /.well-known/openid-configuration} names the JWKS and token endpoint. */
        @WithConverter(Checked.NotBlank.class)
        String issuer();

        /** The client this daemon exchanges device codes with (the one Mediators obtain codes for). */
        String clientId();

        Optional<String> clientSecret();

        /** Required {@code aud} of tokens; unset = not checked (Keycloak puts the client id there with a mapper). */
        Optional<String> audience();

        /** The claim that names the owner, the OCF {@code uid}. */
        @WithDefault("sub")
        String ownerClaim();

        /** The claim with a device token's device id, if the provider sets one. */
        Optional<String> deviceClaim();

        /** Provider scope -> OCF scope ({@code scope-map."cloud.read"=r:*}); unmapped scopes pass unchanged. */
        Map<String, String> scopeMap();

        /** The redirect URI Mediators used when obtaining device codes; sent again when exchanging them. */
        Optional<String> deviceRedirectUri();
    }

    /** Clients created at start-up if absent: {@code bridge.identity.clients."<id>".redirect-uris=...}. */
    Map<String, SeededClient> clients();

    interface SeededClient {
        /** Unset = a public client, which must use PKCE. */
        Optional<String> secret();

        Optional<List<String>> redirectUris();

        @WithDefault("r:*,w:*")
        List<String> scopes();

        @WithDefault("authorization_code,refresh_token")
        List<String> grantTypes();
    }
}
