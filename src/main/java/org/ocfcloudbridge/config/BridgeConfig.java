package org.ocfcloudbridge.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The daemon's own settings, all under {@code bridge.}. SmallRye checks them as it reads them ({@link Checked}) before
 * anything starts, so a bad value stops start-up with a message that names the key (see {@code BridgeMain}).
 */
@ConfigMapping(prefix = "bridge")
public interface BridgeConfig {

    /** The external base URL of this daemon: what browsers, devices' Mediators and other clouds are told to call. */
    @WithDefault("http://localhost:8080")
    @WithConverter(Checked.BaseUrl.class)
    String publicUrl();

    /** Folder for the embedded H2 database and, later, generated keys and certificates. */
    @WithDefault("data")
    @WithConverter(Checked.NotBlank.class)
    String dataDir();

    /**
     * Base64 of 32 random bytes: the AES key that seals secrets stored in the database (token signing keys, linked
     * users' tokens, client secrets). Its older name {@code bridge.origin.token-key} is still read. Unset: a key file
     * is made on first start in the data folder; daemons sharing one database must be given the same key.
     */
    Optional<String> dataKey();

    Target target();

    Origin origin();

    Coap coap();

    /** The Target Cloud role: the CoAP device gateway and the Cloud API for Cloud Services server. */
    interface Target {
        @WithDefault("true")
        @WithConverter(StrictBooleanConverter.class)
        boolean enabled();
    }

    /** The Origin Cloud role: account linking, device set sync, proxy, event inbox and forwarding. */
    interface Origin {
        @WithDefault("true")
        @WithConverter(StrictBooleanConverter.class)
        boolean enabled();
    }

    /** CoAP over TCP and TLS (RFC 8323) listeners of the Target role; 0 picks a free port. */
    interface Coap {
        @WithDefault("5683")
        @WithConverter(Checked.Port.class)
        int tcpPort();

        @WithDefault("5684")
        @WithConverter(Checked.Port.class)
        int tlsPort();

        /** Address the CoAP listeners bind to. */
        @WithDefault("0.0.0.0")
        String bindAddress();

        /** Largest CoAP frame accepted (announced in our CSM); larger requests get 4.13. */
        @WithDefault("16384")
        @WithConverter(Checked.CoapMessageSize.class)
        int maxMessageSize();

        /** A connection with no traffic this long is closed and its device marked offline (devices ping well within it). */
        @WithDefault("120S")
        Duration idleTimeout();

        /** How long the cloud waits for a device to answer a request it forwards. */
        @WithDefault("10S")
        Duration requestTimeout();

        /**
         * Threads that answer devices' requests (sign-up, sign-in, refresh, publish, discovery) from one
         * first-come-first-served queue; unset: four per core, at most half the database pool.
         */
        @WithConverter(Checked.OneTo4096.class)
        Optional<Integer> workers();

        Tls tls();
    }

    /** The CoAP-over-TLS listener's certificate; without files a self-signed one is made in the data folder. */
    interface Tls {
        /** PEM certificate chain (leaf first). */
        Optional<String> certificate();

        /** PEM private key (PKCS#8 or the key pair of the certificate). */
        Optional<String> key();

        /** PEM CA certificates that device identity certificates must chain to (mutual TLS). */
        Optional<String> trustAnchors();

        /** NONE, WANTED or NEEDED: whether devices present a certificate. */
        @WithDefault("NONE")
        ClientAuth clientAuth();
    }

    enum ClientAuth { NONE, WANTED, NEEDED }
}
