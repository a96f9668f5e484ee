package org.ocfcloudbridge.ops;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/** {@code bridge.outbound.*}: the outbound address policy of calls the daemon makes on someone's behalf. */
@ConfigMapping(prefix = "bridge.outbound")
public interface OutboundConfig {

    /**
     * Networks (CIDR, comma-separated) that may be called although the policy refuses them by default: loopback,
     * private, link-local … e.g. {@code 10.20.0.0/16} for receivers on a private network. Empty by default.
     */
    Optional<List<String>> allowedNetworks();
}
