package org.ocfcloudbridge.origin.link;

import org.ocfcloudbridge.ops.OutboundHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.CacheInvalidation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.ops.OutboundPolicy;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkedCloud;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Target Clouds accounts can be linked at: seeded from {@code bridge.origin.clouds.*}, added by the admin API. */
@ApplicationScoped
public class LinkedClouds {

    /**
     * The issuer's discovery document cannot be used. The message is the same whatever happened (no answer, an error
     * status, another document), so the admin API cannot be used to learn what answers where; {@link #detail()} says
     * what happened, for the daemon's log.
     */
    public static final class Unavailable extends RuntimeException {
        static final String MESSAGE = "the issuer's discovery document could not be used (the daemon's log says why)";
        private final String detail;

        Unavailable(String detail) {
            super(MESSAGE, null, false, false);
            this.detail = detail;
        }

        public String detail() {
            return detail;
        }
    }

    /** A cloud definition that cannot work. */
    public static final class Invalid extends RuntimeException {
        /** The key under {@code bridge.origin.clouds.<name>} at fault when it is one field's, else null. */
        private final String key;
        private final String problem;

        Invalid(String message) {
            super(message, null, false, false);
            this.key = null;
            this.problem = message;
        }

        /** One field's problem: the admin API names the field by its JSON name, the start by its configuration key. */
        Invalid(String field, String key, String problem) {
            super(field + " " + problem, null, false, false);
            this.key = key;
            this.problem = problem;
        }
    }

    /**
     * A cloud as an operator describes it. The OAuth endpoints may be left out when {@code issuer} is given: they are
     * then read once from the issuer's discovery document ({@code /.well-known/openid-configuration}); so may the
     * Cloud API URL, read from the issuer's {@code /.well-known/ocf-cloud-configuration}.
     */
    public record Definition(String name, String apiUrl, String authorizationEndpoint, String tokenEndpoint, String clientId,
                             String clientSecret, String scopes, String trustedCa, String issuer) {
    }

    private static final Logger LOG = Logger.getLogger(LinkedClouds.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataCipher cipher;
    private final OriginConfig config;
    private final BridgeConfig bridge;
    private final OutboundHttp http;
    private final OutboundPolicy outbound;

    // Looked up when a cloud changes: the cache it invalidates (TargetClient's sessions) uses this bean.
    private final jakarta.enterprise.inject.Instance<CacheInvalidation> invalidation;

    public LinkedClouds(DataCipher cipher, OriginConfig config, BridgeConfig bridge, OutboundHttp http, OutboundPolicy outbound,
                        jakarta.enterprise.inject.Instance<CacheInvalidation> invalidation) {
        this.invalidation = invalidation;
        this.http = http;
        this.outbound = outbound;
        this.cipher = cipher;
        this.config = config;
        this.bridge = bridge;
    }

    void seed(@Observes @Priority(40) StartupEvent event) {
        if (bridge.origin().enabled()) {
            seedConfigured(true);
        }
    }

    /** Adds the configured clouds not stored yet; at start-up a definition that cannot work stops the daemon. */
    private void seedConfigured(boolean starting) {
        config.clouds().forEach((name, c) -> {
            if (find(name).isEmpty()) {
                try {
                    add(new Definition(name, c.apiUrl().orElse(null), c.authorizationEndpoint().orElse(null), c.tokenEndpoint().orElse(null),
                            c.clientId(), c.clientSecret().orElse(null), c.scopes(), c.trustedCa().orElse(null),
                            c.issuer().orElse(null)));
                } catch (Invalid e) {
                    if (starting) {
                        throw e.key == null ? new BridgeConfigException("bridge.origin.clouds." + name, e.getMessage())
                                : new BridgeConfigException("bridge.origin.clouds." + name + "." + e.key, e.problem);
                    }
                    // The issuer's document changed since start-up: one line, no stack trace every minute.
                    if (e.key == null) {
                        LOG.warnf("bridge.origin.clouds.%s: %s; trying again in a minute", name, e.getMessage());
                    } else {
                        LOG.warnf("bridge.origin.clouds.%s.%s %s; trying again in a minute", name, e.key, e.problem);
                    }
                } catch (Unavailable e) {
                    // The issuer may be starting too: the bridge starts, and tries again in a minute.
                    LOG.warnf("bridge.origin.clouds.%s: %s; trying again in a minute", name, e.detail());
                }
            }
        });
    }

    /** Seeds configured clouds whose issuer could not be asked at start-up. */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void seedLater() {
        try {
            if (bridge.origin().enabled() && config.clouds().keySet().stream().anyMatch(n -> find(n).isEmpty())) {
                seedConfigured(false);
            }
            seeding.worked();
        } catch (RuntimeException e) {
            // The database may be away a while: one line when this starts failing, one when it works again.
            seeding.failed(e);
        }
    }

    private final org.ocfcloudbridge.ops.DatabaseOutage.Job seeding =
            new org.ocfcloudbridge.ops.DatabaseOutage.Job(LOG, "seeding the configured clouds");

    public LinkedCloud add(Definition given) {
        if (given.trustedCa() != null && !given.trustedCa().isBlank()) {
            try {
                OutboundHttp.checkTrustedCa(given.trustedCa());
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        }
        if (given.name() == null || !given.name().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new Invalid("name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (given.name().equals("callback")) {
            throw new Invalid("callback is the name of the linking callback, not of a cloud");
        }
        Definition d = withApiUrl(withDiscovery(given));
        for (String[] url : new String[][] {{"apiUrl", d.apiUrl()}, {"authorizationEndpoint", d.authorizationEndpoint()},
                {"tokenEndpoint", d.tokenEndpoint()}}) {
            if (!Inputs.httpUrl(url[1])) {
                throw new Invalid(url[0] + " must be an absolute http or https URL");
            }
        }
        // The daemon calls these two (browsers alone follow authorizationEndpoint); each call is checked again as it
        // connects.
        checkOutbound(d.name(), "apiUrl", d.apiUrl());
        checkOutbound(d.name(), "tokenEndpoint", d.tokenEndpoint());
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
            c.trustedCa = d.trustedCa() == null || d.trustedCa().isBlank() ? null : d.trustedCa();
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            c.persist();
            return c;
        });
    }

    /** The definition with its endpoints filled from the issuer's discovery document where they were left out. */
    private Definition withDiscovery(Definition d) {
        boolean complete = d.authorizationEndpoint() != null && d.tokenEndpoint() != null;
        if (complete || d.issuer() == null || d.issuer().isBlank()) {
            if (!complete) {
                throw new Invalid("give authorizationEndpoint and tokenEndpoint, or the issuer to discover them");
            }
            return d;
        }
        String issuer = d.issuer().replaceAll("/+$", "");
        OutboundHttp.Reply r = underIssuer(d, "/.well-known/openid-configuration",
                e -> unusable(d, "cannot be read: " + e.getMessage()));
        if (r.status() != 200) {
            throw unusable(d, "answered " + r.status());
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(r.body());
        } catch (IOException e) {
            throw unusable(d, "is not JSON");
        }
        // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        if (!issuer.equals(doc.path("issuer").asText("").replaceAll("/+$", ""))) {
            throw unusable(d, "names another issuer: " + doc.path("issuer").asText(""));
        }
        String authorization = d.authorizationEndpoint() != null ? d.authorizationEndpoint()
                : doc.path("authorization_endpoint").asText(null);
        String token = d.tokenEndpoint() != null ? d.tokenEndpoint() : doc.path("token_endpoint").asText(null);
        if (authorization == null || token == null) {
            throw unusable(d, "lacks authorization_endpoint or token_endpoint");
        }
        // The token endpoint receives the client secret and refresh tokens: never over a weaker scheme than the issuer's.
        String scheme = java.net.URI.create(issuer).getScheme();
        for (String endpoint : new String[] {authorization, token}) {
            if (!Inputs.httpUrl(endpoint) || !scheme.equalsIgnoreCase(java.net.URI.create(endpoint).getScheme())) {
                throw unusable(d, "names endpoints that are not " + scheme + " URLs like the issuer");
            }
        }
        return new Definition(d.name(), d.apiUrl(), authorization, token, d.clientId(), d.clientSecret(), d.scopes(),
                d.trustedCa(), d.issuer());
    }

    /**
     * The definition with its Cloud API URL read from the Target's {@code /.well-known/ocf-cloud-configuration}
     * (under the issuer, where this bridge publishes it) when it was left out. Fetched once, when the cloud is added
     * (at start for a configured one, again every minute while the issuer cannot be reached), through the outbound
     * address policy like every call into a Target.
     */
    private Definition withApiUrl(Definition d) {
        if (d.apiUrl() != null && !d.apiUrl().isBlank()) {
            return d;
        }
        if (d.issuer() == null || d.issuer().isBlank()) {
            throw new Invalid("apiUrl", "api-url", "is required when issuer is not set: the Target's Cloud API base URL, /api/v1"
                    + " included (e.g. https://target.example.com/api/v1)");
        }
        String issuer = d.issuer().replaceAll("/+$", "");
        String url = issuer + Protocol.HttpPaths.CLOUD_CONFIGURATION;
        OutboundHttp.Reply r = underIssuer(d, Protocol.HttpPaths.CLOUD_CONFIGURATION,
                e -> unusable(d.name(), url + " cannot be read: " + e.getMessage()));
        String published = null;
        if (r.status() == 200) {
            try {
                published = JSON.readTree(r.body()).path("cloudApiUrl").asText(null);
            } catch (IOException e) {
                published = null;
            }
        } else if (r.status() >= 500) {
            throw unusable(d.name(), url + " answered " + r.status());
        }
        if (published == null || published.isBlank()) {
            LOG.infof("cloud %s: %s answered %d without a cloudApiUrl", d.name(), url, r.status());
            throw new Invalid("apiUrl", "api-url", "is not set and " + url + " publishes no cloudApiUrl: set it to the Target's"
                    + " Cloud API base URL, /api/v1 included");
        }
        // The Cloud API receives the linked users' tokens: never over a weaker scheme than the issuer's.
        if (!Inputs.httpUrl(published)
                || !java.net.URI.create(issuer).getScheme().equalsIgnoreCase(java.net.URI.create(published).getScheme())) {
            throw new Invalid("apiUrl", "api-url", "is not set and " + url + " publishes a cloudApiUrl that is not a "
                    + java.net.URI.create(issuer).getScheme() + " URL like the issuer: set it by hand");
        }
        LOG.infof("cloud %s: Cloud API %s, as %s publishes it", d.name(), published, url);
        return new Definition(d.name(), published, d.authorizationEndpoint(), d.tokenEndpoint(), d.clientId(),
                d.clientSecret(), d.scopes(), d.trustedCa(), d.issuer());
    }

    /**
     * GETs a JSON document the issuer publishes under {@code path}. The issuer is checked here, where it is first
     * called, whichever document is read first (with both endpoints given, discovery is skipped and the Cloud API
     * configuration is the first call): an absolute http(s) URL that the outbound address policy allows.
     */
    private OutboundHttp.Reply underIssuer(Definition d, String path,
                                           java.util.function.Function<OutboundHttp.Unreachable, Unavailable> unreachable) {
        if (!Inputs.httpUrl(d.issuer())) {
            throw new Invalid("issuer must be an absolute http or https URL");
        }
        checkOutbound(d.name(), "issuer", d.issuer());
        try {
            return http.sendAndWait(d.trustedCa(), "GET", d.issuer().replaceAll("/+$", "") + path,
                    Map.of("Accept", "application/json"), null);
        } catch (OutboundHttp.Refused e) {
            throw new Invalid("issuer " + e.getMessage());
        } catch (OutboundHttp.Unreachable e) {
            throw unreachable.apply(e);
        }
    }

    /** What answered, and how, goes to the log only (see {@link Unavailable}). */
    private static Unavailable unusable(Definition d, String what) {
        return unusable(d.name(), "the discovery document of issuer " + d.issuer() + " " + what);
    }

    private static Unavailable unusable(String cloud, String detail) {
        Unavailable u = new Unavailable(detail);
        LOG.infof("cloud %s: %s", cloud, detail);
        return u;
    }

    private void checkOutbound(String cloud, String what, String url) {
        try {
            outbound.check(what, url);
        } catch (OutboundPolicy.Refused e) {
            if (e.unresolved()) {
                // Like a host that does not answer: the same neutral answer, and a configured cloud is tried again.
                throw unusable(cloud, e.getMessage());
            }
            throw new Invalid(e.getMessage());
        }
    }

    /**
     * Points a stored cloud at other URLs (the demo's own cloud when the daemon's public URL changed); true when they
     * changed. The client and its secret stay.
     */
    public boolean relocate(String name, String apiUrl, String authorizationEndpoint, String tokenEndpoint) {
        for (String[] url : new String[][] {{"apiUrl", apiUrl}, {"authorizationEndpoint", authorizationEndpoint},
                {"tokenEndpoint", tokenEndpoint}}) {
            if (!Inputs.httpUrl(url[1])) {
                throw new Invalid(url[0] + " must be an absolute http or https URL");
            }
        }
        checkOutbound(name, "apiUrl", apiUrl);
        checkOutbound(name, "tokenEndpoint", tokenEndpoint);
        String api = apiUrl.replaceAll("/+$", "");
        boolean moved = QuarkusTransaction.requiringNew().call(() -> {
            LinkedCloud c = LinkedCloud.findById(name);
            if (c == null) {
                throw new Invalid("no cloud is named " + name);
            }
            if (api.equals(c.apiUrl) && authorizationEndpoint.equals(c.authorizationEndpoint) && tokenEndpoint.equals(c.tokenEndpoint)) {
                return false;
            }
            c.apiUrl = api;
            c.authorizationEndpoint = authorizationEndpoint;
            c.tokenEndpoint = tokenEndpoint;
            return true;
        });
        if (moved) {
            invalidation.get().cloudChanged(name);
        }
        return moved;
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
