package org.ocfcloudbridge.targetcloud.api;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.identity.IdentityConfig;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.targetcloud.CloudIdentity;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a Mediator needs to provision a device for this cloud ({@code sid}, {@code cis}, see §9–§10), where another
 * cloud's Origin calls its Cloud API ({@code cloudApiUrl}: the OCF swagger's base path {@code /api/v1} under the
 * public URL; an Origin whose {@code bridge.origin.clouds.<name>.api-url} is unset reads it here) and what an operator
 * wants to check at a glance. Public: it holds no secret. With the Target role off the Target's fields are null.
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
    public record CloudConfiguration(String sid, String cis, String cloudApiUrl, String apn, List<String> authProviders,
                                     String publicUrl, Roles roles) {
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
    @Operation(summary = "The Target Cloud's id (sid), device endpoint (cis), Cloud API URL and enabled roles")
    public CloudConfiguration get() {
        String sid = null;
        String cis = null;
        String api = null;
        if (config.target().enabled()) {
            sid = identity.sid().toString();
            String host = URI.create(config.publicUrl()).getHost();
            int port = gateway.tlsPort() > 0 ? gateway.tlsPort() : config.coap().tlsPort();
            cis = "coaps+tcp://" + host + ":" + port;
            api = config.publicUrl().replaceAll("/+$", "") + Protocol.HttpPaths.API_BASE;
        }
        List<String> providers = new ArrayList<>();
        if (identityConfig.embeddedEnabled()) {
            providers.add(identityConfig.embeddedProviderName());
        }
        providers.addAll(new TreeSet<>(identityConfig.providers().keySet()));
        String apn = providers.isEmpty() ? null : providers.get(0);
        return new CloudConfiguration(sid, cis, api, apn, providers, config.publicUrl(),
                new Roles(config.target().enabled(), config.origin().enabled()));
    }
}
