package org.ocfcloudbridge.ops;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.config.BridgeConfigException;

/** Checks that span several keys, which per-key validation cannot see. Runs before the roles start. */
@ApplicationScoped
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);

    void check(@Observes @Priority(1) StartupEvent event, BridgeConfig config, org.ocfcloudbridge.identity.IdentityConfig identity,
               org.ocfcloudbridge.cluster.ClusterConfig cluster) {
        verify(config.target().enabled(), config.origin().enabled(), config.coap().tcpPort(), config.coap().tlsPort());
        verifyLifetimes(identity.accessTokenLifetime(), identity.refreshTokenLifetime());
        org.ocfcloudbridge.cluster.ClusterBus.verify(cluster.natsUrl(), org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue(org.ocfcloudbridge.cluster.ClusterBus.DATABASE_KIND, String.class).orElse("h2"));
        LOG.infof("roles: target=%s origin=%s; public URL %s", config.target().enabled(), config.origin().enabled(),
                config.publicUrl());
    }

    /**
     * A refresh token that expires before the access token issued with it makes no sense, and the grant sweep counts
     * on it: a grant goes once its refresh tokens are gone and its access tokens can no longer be alive.
     */
    static void verifyLifetimes(java.time.Duration access, java.time.Duration refresh) {
        if (access.isNegative() || access.isZero()) {
            throw new BridgeConfigException("bridge.identity.access-token-lifetime", "must be positive");
        }
        if (refresh.compareTo(access) < 0) {
            throw new BridgeConfigException("bridge.identity.refresh-token-lifetime",
                    "must be at least bridge.identity.access-token-lifetime (" + access + ")");
        }
    }

    static void verify(boolean target, boolean origin, int tcp, int tls) {
        if (!target && !origin) {
            throw new BridgeConfigException("bridge.target.enabled",
                    "and bridge.origin.enabled are both false: switch on at least one role");
        }
        if (target && tcp != 0 && tcp == tls) {
            throw new BridgeConfigException("bridge.coap.tls-port",
                    "must differ from bridge.coap.tcp-port (both are " + tcp + ")");
        }
    }
}
