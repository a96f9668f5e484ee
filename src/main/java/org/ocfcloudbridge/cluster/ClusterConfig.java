package org.ocfcloudbridge.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code bridge.cluster.*}: several instances sharing one PostgreSQL database and one NATS (JetStream) system. Without
 * {@code nats-url} the daemon is one instance exactly as before and needs no NATS.
 */
@ConfigMapping(prefix = "bridge.cluster")
public interface ClusterConfig {

    /**
     * How long an instance counts as alive after its last heartbeat (renewed every third of it). An instance that
     * dies is noticed after at most this long: its claims and its devices are taken over then.
     */
    @WithDefault("10S")
    Duration lease();

    /**
     * The NATS servers of the cluster's bus, comma-separated ({@code nats://host:4222,nats://other:4222}; {@code tls://}
     * for TLS). Set, several instances share the database: cluster mode, which needs the PostgreSQL build.
     */
    Optional<List<String>> natsUrl();
}
