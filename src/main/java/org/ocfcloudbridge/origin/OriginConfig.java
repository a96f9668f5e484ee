package org.ocfcloudbridge.origin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import org.ocfcloudbridge.config.Checked;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Origin Cloud role ({@code bridge.origin.*}; {@code bridge.origin.enabled} is in {@code BridgeConfig}). */
@ConfigMapping(prefix = "bridge.origin")
public interface OriginConfig {

    /** The older name of {@code bridge.data-key}, still read (see {@code DataCipher}). */
    Optional<String> tokenKey();

    /** How long a browser has between leaving for the Target Cloud's authorization page and coming back. */
    @WithDefault("10M")
    Duration linkTimeout();

    /**
     * Where a finished link may send the browser back to ({@code return_to}): URL prefixes. Unset: the bridge's own
     * public URL only.
     */
    Optional<List<String>> returnToPrefixes();

    /** How often every link's device set is read again and its subscriptions checked. */
    @WithDefault("10M")
    Duration reconcileInterval();

    /** Links synced at once (each sync waits on calls into the Target). */
    @WithDefault("4")
    @WithConverter(Checked.OneTo64.class)
    int syncConcurrency();

    /** How far a notification's Event-Timestamp may be from our clock. */
    @WithDefault("300S")
    Duration maxClockSkew();

    Vendor vendor();

    /** Where accepted changes are POSTed for the vendor cloud, signed Standard-Webhooks style. */
    Map<String, Webhook> webhooks();

    interface Webhook {
        String url();

        /** {@code whsec_} + base64 of the key, as Standard Webhooks gives secrets out. */
        String secret();
    }

    /** How long a webhook delivery is retried before it is given up on (kept, marked dead). */
    @WithDefault("24H")
    Duration webhookMaxAge();

    /** First retry delay of a refused webhook delivery; doubled per attempt, with jitter, up to the max. */
    @WithDefault("500MS")
    Duration webhookInitialBackoff();

    @WithDefault("5M")
    Duration webhookMaxBackoff();

    /**
     * How long vendor events stay for the event stream to replay ({@code Last-Event-ID}); older ones are deleted once
     * no webhook delivery waits for them (a dead letter keeps its event until it is retried or deleted).
     */
    @WithDefault("7D")
    Duration eventRetention();

    /**
     * How long a dead webhook delivery stays for an operator to retry before it is deleted (and its event with it,
     * once past the retention).
     */
    @WithDefault("30D")
    Duration deadLetterRetention();

    /** How often old vendor events and finished or expired link requests are deleted. */
    @WithDefault("10M")
    Duration sweepInterval();

    /**
     * How often an open event stream looks in the database on its own. A stream is woken at once by each commit of
     * its user's events, on this instance or (in cluster mode, over NATS) another; this is the safety net for a
     * wake-up message lost while the bus was away.
     */
    @WithDefault("5S")
    Duration eventStreamPoll();

    /** Target Clouds created at start if absent (the admin API adds more). */
    Map<String, Cloud> clouds();

    /** How the vendor cloud proves who its user is: JWTs it signs. */
    interface Vendor {
        /** PEM public key (or a path or URL to one) that verifies vendor JWTs. */
        Optional<String> publicKey();

        /** JWKS URL that verifies vendor JWTs. */
        Optional<String> jwksUrl();

        /** Required {@code iss} of vendor JWTs, when set. */
        Optional<String> issuer();

        /**
         * A scope every vendor JWT must carry in its {@code scope} (space-separated) or {@code scp} claim; unset = none.
         * Applies to vendor JWTs only: the embedded provider's tokens always need {@code r:*} to read and {@code w:*}
         * to write.
         */
        Optional<String> requiredScope();

        /**
         * Without a vendor key or JWKS the embedded provider's tokens stand in for vendor tokens: only user tokens of
         * these clients are accepted (the page's own client by default), never a client's, a device's or the admin's.
         */
        @WithDefault("bridge-console")
        List<String> embeddedClients();
    }

    interface Cloud {
        /**
         * Base URL of its Cloud API, {@code /api/v1} included, e.g. {@code https://target.example.com/api/v1}. Unset:
         * read from {@code cloudApiUrl} of the issuer's {@code /.well-known/ocf-cloud-configuration} (a Target that is
         * this bridge with its embedded identity server publishes it there).
         */
        Optional<String> apiUrl();

        /** May be left out when {@code issuer} is given (read from its discovery document). */
        Optional<String> authorizationEndpoint();

        /** May be left out when {@code issuer} is given (read from its discovery document). */
        Optional<String> tokenEndpoint();

        /** The OAuth issuer, whose {@code /.well-known/openid-configuration} names the endpoints left out. */
        Optional<String> issuer();

        String clientId();

        Optional<String> clientSecret();

        @WithDefault("r:* w:*")
        String scopes();

        /** PEM CA certificates to trust for this cloud. */
        Optional<String> trustedCa();
    }
}
