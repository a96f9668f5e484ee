package org.ocfcloudbridge.target.api;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.identity.IdentityConfig;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.target.CloudIdentity;
import org.ocfcloudbridge.target.coap.CoapGateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a Mediator needs to provision a device for this cloud ({@code sid}, {@code cis}, see §9–§10) and what an
 * operator wants to check at a glance. Public: it holds no secret.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Device provisioning (Target Cloud)")
@Path(Protocol.HttpPaths.CLOUD_CONFIGURATION)
public class CloudConfigurationResource {

    public record Roles(boolean target, boolean origin) {
    }

    /**
     * @param apn           the authorization provider name a Mediator writes into {@code oic.r.coapcloudconf}
     *                      (the embedded server's, when it runs)
     * @param authProviders every provider a device may name in {@code authprovider}
     */
    public record CloudConfiguration(String sid, String cis, String apn, List<String> authProviders, String publicUrl,
                                     Roles roles) {
    }

    private final BridgeConfig config;
    private final IdentityConfig identityConfig;
    private final CloudIdentity identity;
    private final CoapGateway gateway;

    public CloudConfigurationResource(BridgeConfig config, IdentityConfig identityConfig, CloudIdentity identity,
                                      CoapGateway gateway) {
        this.config = config;
        this.identityConfig = identityConfig;
        this.identity = identity;
        this.gateway = gateway;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The Target Cloud's id (sid), device endpoint (cis) and enabled roles")
    public CloudConfiguration get() {
        String cis = null;
        if (config.target().enabled()) {
            String host = URI.create(config.publicUrl()).getHost();
            int port = gateway.tlsPort() > 0 ? gateway.tlsPort() : config.coap().tlsPort();
            cis = "coaps+tcp://" + host + ":" + port;
        }
        List<String> providers = new ArrayList<>();
        if (identityConfig.embeddedEnabled()) {
            providers.add(identityConfig.embeddedProviderName());
        }
        providers.addAll(new TreeSet<>(identityConfig.providers().keySet()));
        String apn = providers.isEmpty() ? null : providers.get(0);
        return new CloudConfiguration(identity.sid().toString(), cis, apn, providers, config.publicUrl(),
                new Roles(config.target().enabled(), config.origin().enabled()));
    }
}
