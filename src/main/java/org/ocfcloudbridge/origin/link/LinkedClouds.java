package org.ocfcloudbridge.origin.link;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.LinkedCloud;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The Target Clouds accounts can be linked at: seeded from {@code bridge.origin.clouds.*}, added by the admin API. */
@ApplicationScoped
public class LinkedClouds {

    /** A cloud definition that cannot work. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public record Definition(String name, String apiUrl, String authorizationEndpoint, String tokenEndpoint, String clientId,
                             String clientSecret, String scopes, String trustedCa) {
    }

    private final TokenCipher cipher;
    private final OriginConfig config;
    private final BridgeConfig bridge;

    public LinkedClouds(TokenCipher cipher, OriginConfig config, BridgeConfig bridge) {
        this.cipher = cipher;
        this.config = config;
        this.bridge = bridge;
    }

    void seed(@Observes @Priority(40) StartupEvent event) {
        if (!bridge.origin().enabled()) {
            return;
        }
        config.clouds().forEach((name, c) -> {
            if (find(name).isEmpty()) {
                add(new Definition(name, c.apiUrl(), c.authorizationEndpoint(), c.tokenEndpoint(), c.clientId(),
                        c.clientSecret().orElse(null), c.scopes(), c.trustedCa().orElse(null)));
            }
        });
    }

    public LinkedCloud add(Definition d) {
        if (d.name() == null || !d.name().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new Invalid("name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (d.name().equals("callback")) {
            throw new Invalid("callback is the name of the linking callback, not of a cloud");
        }
        for (String[] url : new String[][] {{"apiUrl", d.apiUrl()}, {"authorizationEndpoint", d.authorizationEndpoint()},
                {"tokenEndpoint", d.tokenEndpoint()}}) {
            if (!Inputs.httpUrl(url[1])) {
                throw new Invalid(url[0] + " must be an absolute http or https URL");
            }
        }
        if (d.clientId() == null || d.clientId().isBlank()) {
            throw new Invalid("clientId is required");
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            if (LinkedCloud.findById(d.name()) != null) {
                throw new Invalid("a cloud named " + d.name() + " exists");
            }
            LinkedCloud c = new LinkedCloud();
            c.name = d.name();
            c.apiUrl = d.apiUrl().replaceAll("/+$", "");
            c.authorizationEndpoint = d.authorizationEndpoint();
            c.tokenEndpoint = d.tokenEndpoint();
            c.clientId = d.clientId();
            c.clientSecret = cipher.seal(d.clientSecret());
            c.scopes = d.scopes() == null || d.scopes().isBlank() ? "r:* w:*" : d.scopes();
            c.trustedCa = d.trustedCa();
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            c.persist();
            return c;
        });
    }

    public Optional<LinkedCloud> find(String name) {
        return QuarkusTransaction.requiringNew().call(() -> LinkedCloud.<LinkedCloud>findByIdOptional(name));
    }

    public List<LinkedCloud> all() {
        return QuarkusTransaction.requiringNew().call(() -> LinkedCloud.<LinkedCloud>list("order by name"));
    }

    /** The client secret in clear, for the token endpoint. */
    public String clientSecret(LinkedCloud c) {
        return cipher.open(c.clientSecret);
    }
}
