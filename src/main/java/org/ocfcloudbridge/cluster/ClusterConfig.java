package org.ocfcloudbridge.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code bridge.cluster.*}: several instances sharing one PostgreSQL database. */
@ConfigMapping(prefix = "bridge.cluster")
public interface ClusterConfig {

    /**
     * How long an instance counts as alive after its last heartbeat (renewed every third of it). An instance that
     * dies is noticed after at most this long: its claims and its devices are taken over then.
     */
    @WithDefault("10S")
    Duration lease();

    /** NATS server URLs, comma-separated: set, several instances share the database (PostgreSQL only). */
    java.util.Optional<String> natsUrl();
}
