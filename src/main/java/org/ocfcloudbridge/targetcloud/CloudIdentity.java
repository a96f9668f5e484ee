package org.ocfcloudbridge.targetcloud;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.store.Settings;

import java.util.UUID;

/**
 * The Target Cloud's UUID ({@code sid}). Mediators write it into each device's {@code oic.r.coapcloudconf} and ACL, and
 * the device checks it against the cloud's certificate: it is created once and must never change. Only the Target role
 * has one: a daemon with that role off neither makes nor logs it.
 */
@ApplicationScoped
public class CloudIdentity {

    static final String SETTING = "cloud.sid";
    private static final Logger LOG = Logger.getLogger(CloudIdentity.class);

    private final Settings settings;
    private final BridgeConfig config;
    private volatile UUID sid;

    public CloudIdentity(Settings settings, BridgeConfig config) {
        this.settings = settings;
        this.config = config;
    }

    void load(@Observes @Priority(10) StartupEvent event) {
        if (!config.target().enabled()) {
            return;
        }
        sid = UUID.fromString(settings.getOrCreate(SETTING, () -> UUID.randomUUID().toString()));
        LOG.infof("Target Cloud id (sid) %s", sid);
    }

    public UUID sid() {
        UUID current = sid;
        if (current == null) {
            throw new IllegalStateException(config.target().enabled() ? "cloud identity not loaded yet"
                    : "the Target role is off: this daemon has no cloud id");
        }
        return current;
    }
}
