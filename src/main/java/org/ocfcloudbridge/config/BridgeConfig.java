package org.ocfcloudbridge.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * The daemon's own settings, all under {@code bridge.}. Quarkus validates them before anything starts, so a bad value
 * stops start-up with a message that names the key (see {@code BridgeMain}).
 */
@ConfigMapping(prefix = "bridge")
public interface BridgeConfig {

    /** The external base URL of this daemon: what browsers, devices' Mediators and other clouds are told to call. */
    @WithDefault("http://localhost:8080")
    @Pattern(regexp = "https?://[^/?#\\s]+(/[^?#\\s]*)?", message = "must be an absolute http:// or https:// URL without query or fragment")
    String publicUrl();

    /** Folder for the embedded H2 database and, later, generated keys and certificates. */
    @WithDefault("data")
    @NotBlank
    String dataDir();

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
        @Min(value = 0, message = "must be a TCP port between 0 and 65535")
        @Max(value = 65535, message = "must be a TCP port between 0 and 65535")
        int tcpPort();

        @WithDefault("5684")
        @Min(value = 0, message = "must be a TCP port between 0 and 65535")
        @Max(value = 65535, message = "must be a TCP port between 0 and 65535")
        int tlsPort();
    }
}
