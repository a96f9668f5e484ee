package org.ocfcloudbridge.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientConfigBuilder;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * External OpenID Connect providers (Keycloak, …): their tokens are verified against the issuer's JWKS, their owner
 * claim gives the OCF user id, their scopes are mapped; device codes are exchanged at their token endpoint with the
 * Quarkus OIDC client. Discovery happens on first use, so a provider that is down does not stop the daemon.
 */
@ApplicationScoped
public class ExternalProviders {

    private static final Logger LOG = Logger.getLogger(ExternalProviders.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA");

    /** The provider could not be reached or answered garbage: the device should retry later (CoAP 5.03). */
    public static class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Provider(String name, IdentityConfig.ExternalProvider config, JwtConsumer consumer) {
    }

    private final IdentityConfig config;
    private final OidcClients oidcClients;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Provider> ready = new ConcurrentHashMap<>();
    private final Map<String, OidcClient> clients = new ConcurrentHashMap<>();

    public ExternalProviders(IdentityConfig config, OidcClients oidcClients) {
        this.config = config;
        this.oidcClients = oidcClients;
    }

    public Set<String> names() {
        return config.providers().keySet();
    }

    /** The provider whose configured issuer is {@code issuer}, if any. */
    public Optional<String> byIssuer(String issuer) {
        return config.providers().entrySet().stream()
                .filter(e -> trimSlash(e.getValue().issuer()).equals(trimSlash(issuer)))
                .map(Map.Entry::getKey).findFirst();
    }

    public VerifiedToken verify(String name, String token) throws InvalidTokenException {
        Provider p = provider(name);
        JwtClaims claims;
        try {
            claims = p.consumer().processToClaims(token);
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException(e.hasExpired() ? "token expired" : "token invalid");
        }
        try {
            Object owner = claims.getClaimValue(p.config().ownerClaim());
            if (!(owner instanceof String o) || o.isBlank()) {
                throw new InvalidTokenException("token has no " + p.config().ownerClaim() + " claim");
            }
            Set<String> scopes = new LinkedHashSet<>();
            for (String s : Scopes.parse(claims.getStringClaimValue("scope"))) {
                scopes.add(p.config().scopeMap().getOrDefault(s, s));
            }
            String device = p.config().deviceClaim().map(c -> {
                Object v = claims.getClaimValue(c);
                return v == null ? null : v.toString();
            }).orElse(null);
            String client = claims.hasClaim("azp") ? claims.getStringClaimValue("azp") : claims.getStringClaimValue("client_id");
            return new VerifiedToken(o, client, scopes, device, null, name,
                    Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (MalformedClaimException e) {
            throw new InvalidTokenException("token invalid");
        }
    }

    public record ProviderTokens(String accessToken, String refreshToken, long expiresIn) {
    }

    /** Exchanges a device's authorization code at the provider (Part 11 §12, {@code accesstoken} holding a code). */
    public ProviderTokens exchangeCode(String name, String code) {
        IdentityConfig.ExternalProvider c = config.providers().get(name);
        Map<String, String> params = new java.util.HashMap<>();
        params.put("code", code);
        c.deviceRedirectUri().ifPresent(r -> params.put("redirect_uri", r));
        return tokens(name, client(name).getTokens(params).await().atMost(CALL_TIMEOUT));
    }

    public ProviderTokens refresh(String name, String refreshToken) {
        return tokens(name, client(name).refreshTokens(refreshToken).await().atMost(CALL_TIMEOUT));
    }

    private static ProviderTokens tokens(String name, Tokens t) {
        if (t.getAccessToken() == null) {
            throw new Unavailable("provider " + name + " answered without an access token", null);
        }
        Long at = t.getAccessTokenExpiresAt();
        long expiresIn = at == null ? -1 : Math.max(0, at - Instant.now().getEpochSecond());
        return new ProviderTokens(t.getAccessToken(), t.getRefreshToken(), expiresIn);
    }

    private OidcClient client(String name) {
        return clients.computeIfAbsent(name, n -> {
            IdentityConfig.ExternalProvider c = config.providers().get(n);
            OidcClientConfigBuilder b = new OidcClientConfigBuilder().id("provider-" + n).authServerUrl(c.issuer())
                    .clientId(c.clientId()).grant(OidcClientConfig.Grant.Type.CODE).connectionTimeout(Duration.ofSeconds(5));
            c.clientSecret().ifPresent(b::credentials);
            try {
                return oidcClients.newClient(b.build()).await().atMost(CALL_TIMEOUT);
            } catch (RuntimeException e) {
                throw new Unavailable("provider " + n + " is not reachable: " + e.getMessage(), e);
            }
        });
    }

    private Provider provider(String name) throws InvalidTokenException {
        Provider p = ready.get(name);
        if (p != null) {
            return p;
        }
        IdentityConfig.ExternalProvider c = config.providers().get(name);
        if (c == null) {
            throw new InvalidTokenException("unknown identity provider");
        }
        JsonNode discovery;
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(trimSlash(c.issuer()) + "/.well-known/openid-configuration"))
                    .timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new Unavailable("provider " + name + " discovery answered " + r.statusCode(), null);
            }
            discovery = json.readTree(r.body());
        } catch (IOException e) {
            throw new Unavailable("provider " + name + " is not reachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
        String jwksUri = discovery.path("jwks_uri").asText(null);
        if (jwksUri == null) {
            throw new Unavailable("provider " + name + " publishes no jwks_uri", null);
        }
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(30)
                .setExpectedIssuer(c.issuer())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ALGORITHMS.toArray(String[]::new))
                .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(new HttpsJwks(jwksUri)));
        c.audience().ifPresentOrElse(b::setExpectedAudience, b::setSkipDefaultAudienceValidation);
        p = new Provider(name, c, b.build());
        ready.put(name, p);
        LOG.infof("identity provider %s: issuer %s, keys from %s", name, c.issuer(), jwksUri);
        return p;
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
