package org.ocfcloudbridge.origin.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.LinkedCloud;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Calls a Target Cloud's Cloud API as a linked user, over pooled connections: the access token is refreshed ahead of
 * its expiry, a 401 gets one refresh and one retry, and a refused refresh marks the link as needing the user again.
 */
@ApplicationScoped
public class TargetClient {

    private static final Logger LOG = Logger.getLogger(TargetClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refresh when less than this is left, so a request never leaves with a token about to expire. */
    private static final Duration EARLY = Duration.ofSeconds(60);

    public record Answer(int status, String contentType, byte[] body, String retryAfter) {
        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** The link cannot be used until its user links again. */
    public static final class Unauthorized extends RuntimeException {
        Unauthorized(String message) {
            super(message, null, false, false);
        }
    }

    /** The Target Cloud could not be reached or did not answer in time. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    private final LinkedClouds clouds;
    private final TokenCipher cipher;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();

    private final VendorEvents events;

    public TargetClient(LinkedClouds clouds, TokenCipher cipher, VendorEvents events) {
        this.events = events;
        this.clouds = clouds;
        this.cipher = cipher;
    }

    /** {@code path} is below the cloud's API URL, e.g. {@code /devices?content=all}. */
    public Answer call(UUID linkId, String method, String path, String accept, String contentType, byte[] body) {
        Session s = session(linkId);
        Answer a = send(s, method, path, accept, contentType, body);
        if (a.status() == 401) {
            s = refresh(linkId, s.accessToken());
            a = send(s, method, path, accept, contentType, body);
        }
        return a;
    }

    private record Session(LinkedCloud cloud, String accessToken) {
    }

    private Session session(UUID linkId) {
        record Current(LinkedCloud cloud, LinkedAccount account) {
        }
        Current c = QuarkusTransaction.requiringNew().call(() -> {
            LinkedAccount a = LinkedAccount.findById(linkId);
            return a == null ? null : new Current(LinkedCloud.findById(a.cloudName), a);
        });
        if (c == null || c.cloud() == null) {
            throw new Unauthorized("no such link");
        }
        if (c.account().state != LinkedAccount.State.LINKED) {
            throw new Unauthorized("the link needs its user to link again");
        }
        String token = cipher.open(c.account().accessToken);
        OffsetDateTime expires = c.account().tokenExpiresAt;
        if (expires != null && expires.minus(EARLY).isBefore(OffsetDateTime.now(ZoneOffset.UTC))) {
            return refresh(linkId, token);
        }
        return new Session(c.cloud(), token);
    }

    /**
     * Refreshes the link's tokens unless another thread already did (the stored access token is no longer
     * {@code stale}); one refresh per link at a time, under a row lock, so a rotated refresh token is never used twice.
     */
    private Session refresh(UUID linkId, String stale) {
        Session fresh = QuarkusTransaction.requiringNew().call(() -> {
            LinkedAccount a = LinkedAccount.findById(linkId, LockModeType.PESSIMISTIC_WRITE);
            if (a == null) {
                throw new Unauthorized("no such link");
            }
            LinkedCloud cloud = LinkedCloud.findById(a.cloudName);
            String current = cipher.open(a.accessToken);
            if (!current.equals(stale) && a.state == LinkedAccount.State.LINKED) {
                return new Session(cloud, current);
            }
            String refresh = cipher.open(a.refreshToken);
            JsonNode tokens = refresh == null ? null : exchange(cloud, refresh);
            if (tokens == null || !tokens.hasNonNull("access_token")) {
                a.state = LinkedAccount.State.REAUTHORIZE;
                a.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
                events.record(a.vendorUser, a.id, null, VendorEvents.LINK_STATE, AccountLinking.stateJson("reauthorize", a.cloudName));
                LOG.infof("link %s: the Target Cloud refused its refresh token; the user must link again", linkId);
                return null;
            }
            a.accessToken = cipher.seal(tokens.get("access_token").asText());
            if (tokens.hasNonNull("refresh_token")) {
                a.refreshToken = cipher.seal(tokens.get("refresh_token").asText());
            }
            a.tokenExpiresAt = tokens.hasNonNull("expires_in")
                    ? OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(tokens.get("expires_in").asLong()) : null;
            a.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
            return new Session(cloud, tokens.get("access_token").asText());
        });
        if (fresh == null) {
            // Stored first (the link is marked), refused after: the caller learns it now, the vendor through the link state.
            throw new Unauthorized("the Target Cloud refused the link's refresh token");
        }
        return fresh;
    }

    /** The token endpoint's answer to a refresh, or {@code null} when it refused. */
    private JsonNode exchange(LinkedCloud cloud, String refreshToken) {
        String form = "grant_type=refresh_token&refresh_token=" + enc(refreshToken) + "&client_id=" + enc(cloud.clientId);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(cloud.tokenEndpoint)).timeout(Duration.ofSeconds(15))
                .header(Headers.CONTENT_TYPE, "application/x-www-form-urlencoded").header(Headers.ACCEPT, "application/json");
        String secret = clouds.clientSecret(cloud);
        if (secret != null) {
            req.header(Headers.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString(
                    (enc(cloud.clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> r = http.send(req.POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body());
            }
            if (r.statusCode() >= 500) {
                throw new Unreachable("the Target Cloud's token endpoint answered " + r.statusCode());
            }
            return null;
        } catch (IOException e) {
            throw new Unreachable("the Target Cloud's token endpoint cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    private Answer send(Session s, String method, String path, String accept, String contentType, byte[] body) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(s.cloud().apiUrl + path)).timeout(Duration.ofSeconds(15))
                .header(Headers.AUTHORIZATION, "Bearer " + s.accessToken());
        if (accept != null) {
            req.header(Headers.ACCEPT, accept);
        }
        if (contentType != null) {
            req.header(Headers.CONTENT_TYPE, contentType);
        }
        req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.headers().firstValue(Headers.CONTENT_TYPE).orElse(null), r.body(),
                    r.headers().firstValue(Headers.RETRY_AFTER).orElse(null));
        } catch (IOException e) {
            throw new Unreachable("the Target Cloud cannot be reached: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
