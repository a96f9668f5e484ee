package org.ocfcloudbridge.target.api;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.target.CloudIdentity;

import java.net.URI;

/**
 * What a Mediator needs to provision a device for this cloud ({@code sid}, {@code cis}, see §9–§10) and what an
 * operator wants to check at a glance. Public: it holds no secret.
 */
@Path(Protocol.HttpPaths.CLOUD_CONFIGURATION)
public class CloudConfigurationResource {

    public record Roles(boolean target, boolean origin) {
    }

    public record CloudConfiguration(String sid, String cis, String publicUrl, Roles roles) {
    }

    private final BridgeConfig config;
    private final CloudIdentity identity;

    public CloudConfigurationResource(BridgeConfig config, CloudIdentity identity) {
        this.config = config;
        this.identity = identity;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The Target Cloud's id (sid), device endpoint (cis) and enabled roles")
    public CloudConfiguration get() {
        String cis = null;
        if (config.target().enabled()) {
            String host = URI.create(config.publicUrl()).getHost();
            cis = "coaps+tcp://" + host + ":" + config.coap().tlsPort();
        }
        return new CloudConfiguration(identity.sid().toString(), cis, config.publicUrl(),
                new Roles(config.target().enabled(), config.origin().enabled()));
    }
}
