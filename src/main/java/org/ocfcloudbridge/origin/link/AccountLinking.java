package org.ocfcloudbridge.origin.link;

import org.ocfcloudbridge.ops.OutboundHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkRequest;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.LinkedCloud;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Account linking (Part 10 §2) as the Origin Cloud runs it: the OAuth2 authorization code flow with PKCE against the
 * Target Cloud, the pending request kept in the database (any instance can finish it), the tokens kept encrypted.
 */
@ApplicationScoped
public class AccountLinking {

    private static final Logger LOG = Logger.getLogger(AccountLinking.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a link did not happen: an OAuth2-style error code and a sentence for people. */
    public static final class Failure extends RuntimeException {
        public final String error;
        public final String returnTo;
        /** The callback came to a browser that did not start the link. */
        public final boolean otherBrowser;

        Failure(String error, String description, String returnTo) {
            this(error, description, returnTo, false);
        }

        Failure(String error, String description, String returnTo, boolean otherBrowser) {
            super(description, null, false, false);
            this.error = error;
            this.returnTo = returnTo;
            this.otherBrowser = otherBrowser;
        }
    }

    private final LinkedClouds clouds;
    private final DataCipher cipher;
    private final OriginConfig config;
    private final BridgeConfig bridge;
    private final OutboundHttp http;
    private final TargetClient target;
    private final DeviceSync sync;
    private final VendorEvents events;

    public AccountLinking(LinkedClouds clouds, DataCipher cipher, OriginConfig config, BridgeConfig bridge, VendorEvents events,
                          OutboundHttp http, TargetClient target, DeviceSync sync) {
        this.sync = sync;
        this.events = events;
        this.http = http;
        this.target = target;
        this.clouds = clouds;
        this.cipher = cipher;
        this.config = config;
        this.bridge = bridge;
    }

    public String callbackUrl() {
        return bridge.publicUrl().replaceAll("/+$", "") + Protocol.HttpPaths.LINK_CALLBACK;
    }

    /**
     * The browser binding of a pending link: HttpOnly, SameSite=Lax (sent on the Target's top-level redirect back,
     * not on cross-site subrequests), only to the callback path, Secure under an https public URL.
     */
    public jakarta.ws.rs.core.NewCookie browserCookie(String name, String value, int maxAge) {
        return new jakarta.ws.rs.core.NewCookie.Builder(name).value(value).path(Protocol.HttpPaths.LINK_CALLBACK).maxAge(maxAge).httpOnly(true)
                .secure(callbackUrl().startsWith("https:")).sameSite(jakarta.ws.rs.core.NewCookie.SameSite.LAX).build();
    }

    /** The redirect that starts a link in this browser, with the cookie that binds the link to it. */
    public jakarta.ws.rs.core.Response redirectBound(AccountLinking.Started started) {
        return jakarta.ws.rs.core.Response.seeOther(started.authorize()).header("Cache-Control", "no-store")
                .cookie(browserCookie(browserCookieName(started.state()), started.browserNonce(),
                        (int) linkTimeout().toSeconds())).build();
    }

    public Duration linkTimeout() {
        return config.linkTimeout();
    }

    /** Whether {@code returnTo} is one of the places a browser may be sent back to. */
    public boolean returnToAllowed(String returnTo) {
        if (returnTo == null) {
            return true;
        }
        List<String> prefixes = config.returnToPrefixes().orElse(List.of(bridge.publicUrl().replaceAll("/+$", "") + "/"));
        return Inputs.httpUrl(returnTo) && prefixes.stream().anyMatch(returnTo::startsWith);
    }

    /**
     * A started link: where to send the browser, and the nonce that binds the request to that browser. The caller
     * puts the nonce in a cookie ({@link #browserCookieName}); the callback is refused without it (RFC 6749 §10.12:
     * otherwise whoever starts a link can have somebody else finish it, and gets that person's devices).
     */
    public record Started(URI authorize, String state, String browserNonce) {
    }

    /** The cookie holding one pending link's browser nonce: one per state, so links started in two tabs both work. */
    public static String browserCookieName(String state) {
        return Protocol.Cookies.LINK_BROWSER_PREFIX + Secrets.sha256Hex(state).substring(0, 16);
    }

    /** Starts a link: stores the pending request and returns the Target Cloud's authorization URL to redirect to. */
    public Started start(String vendorUser, String cloudName, String returnTo) {
        LinkedCloud cloud = clouds.find(cloudName).orElseThrow(() -> new Failure("invalid_request", "no cloud named " + cloudName, null));
        String state = Secrets.randomToken();
        String verifier = Secrets.randomToken() + Secrets.randomToken();
        String nonce = Secrets.randomToken();
        QuarkusTransaction.requiringNew().run(() -> {
            LinkRequest r = new LinkRequest();
            r.state = state;
            r.cloudName = cloud.name;
            r.vendorUser = vendorUser;
            r.codeVerifier = verifier;
            r.returnTo = returnTo;
            r.browserHash = Secrets.sha256Hex(nonce);
            r.expiresAt = now().plus(config.linkTimeout());
            r.persist();
        });
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", cloud.clientId);
        q.put("redirect_uri", callbackUrl());
        q.put("scope", cloud.scopes);
        q.put("state", state);
        q.put("code_challenge", Secrets.pkceChallenge(verifier));
        q.put("code_challenge_method", "S256");
        String sep = cloud.authorizationEndpoint.contains("?") ? "&" : "?";
        return new Started(URI.create(cloud.authorizationEndpoint + sep + form(q)), state, nonce);
    }

    /**
     * Finishes a link from the Target Cloud's redirect: {@code code} and {@code state}, or {@code error}. Returns the
     * linked account; throws {@link Failure} (with where to send the browser, when known) otherwise.
     */
    /** A finished link and where the browser goes next ({@code null}: nowhere given). */
    public record Linked(LinkedAccount account, String returnTo) {
    }

    public Linked finish(String code, String state, String error, String browserNonce) {
        if (state == null || state.isBlank()) {
            throw new Failure("invalid_request", "the answer carries no state", null);
        }
        Claimed r = QuarkusTransaction.requiringNew().call(() -> {
            LinkRequest found = LinkRequest.findById(state, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (found == null) {
                return null;
            }
            if (!sameBrowser(found, browserNonce)) {
                // Not used up: the browser that started it may still come back with its code.
                return new Claimed(found.cloudName, found.vendorUser, null, null, OTHER_BROWSER);
            }
            String problem = found.usedAt != null ? "already used" : found.expiresAt.isBefore(now()) ? "expired" : null;
            if (problem == null) {
                found.usedAt = now();
            }
            return new Claimed(found.cloudName, found.vendorUser, found.codeVerifier, found.returnTo, problem);
        });
        if (r == null) {
            throw new Failure("invalid_request", "unknown link request (state)", null);
        }
        if (OTHER_BROWSER.equals(r.problem())) {
            // No return_to: it belongs to whoever started the link, and this browser is not theirs.
            LOG.warnf("a link callback for vendor user %s came without the browser cookie of its start; nothing linked",
                    r.vendorUser());
            throw new Failure("access_denied", "this link was started in another browser; nothing was linked. "
                    + "Start linking again from your own page.", null, true);
        }
        if (r.problem() != null) {
            throw new Failure("invalid_request", "this link request is " + r.problem(), r.returnTo());
        }
        if (error != null) {
            throw new Failure(error.matches("[a-z_]{1,40}") ? error : "access_denied", "the Target Cloud did not grant access",
                    r.returnTo());
        }
        if (code == null || code.isBlank()) {
            throw new Failure("invalid_request", "the answer carries no code", r.returnTo());
        }
        LinkedCloud cloud = clouds.find(r.cloudName())
                .orElseThrow(() -> new Failure("server_error", "the cloud was removed meanwhile", r.returnTo()));
        JsonNode tokens = exchange(cloud, code, r.codeVerifier(), r.returnTo());
        String access = tokens.path("access_token").asText(null);
        if (access == null) {
            throw new Failure("server_error", "the Target Cloud's token answer has no access_token", r.returnTo());
        }
        String targetUser = subject(access);
        LinkedAccount linked = QuarkusTransaction.requiringNew().call(() -> {
            // The same user linking the same account again (typically after "reauthorize") renews the link in place:
            // the vendor keeps its link id, devices and subscriptions instead of getting a twin.
            LinkedAccount a = targetUser == null ? null : LinkedAccount.<LinkedAccount>find(
                    "vendorUser = ?1 and cloudName = ?2 and targetUser = ?3", r.vendorUser(), cloud.name, targetUser)
                    .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
            boolean renewed = a != null;
            if (a == null) {
                a = new LinkedAccount();
                a.id = UUID.randomUUID();
                a.vendorUser = r.vendorUser();
                a.cloudName = cloud.name;
                a.targetUser = targetUser;
                a.createdAt = now();
            }
            a.accessToken = cipher.seal(access);
            a.refreshToken = cipher.seal(tokens.path("refresh_token").asText(null));
            a.tokenExpiresAt = tokens.hasNonNull("expires_in") ? now().plusSeconds(tokens.get("expires_in").asLong()) : null;
            a.state = LinkedAccount.State.LINKED;
            a.updatedAt = now();
            a.persist();
            events.record(a.vendorUser, a.id, null, VendorEvents.LINK_STATE, stateJson(renewed ? "relinked" : "linked", cloud.name));
            LOG.infof("vendor user %s %s account %s at %s", r.vendorUser(), renewed ? "renewed the link of" : "linked", a.id, cloud.name);
            return a;
        });
        target.forget(linked.id);
        return new Linked(linked, r.returnTo());
    }

    private static final String OTHER_BROWSER = "started in another browser";

    private static boolean sameBrowser(LinkRequest r, String nonce) {
        return r.browserHash != null && nonce != null && !nonce.isEmpty()
                && Secrets.constantTimeEquals(r.browserHash, Secrets.sha256Hex(nonce));
    }

    /** A link request taken by one callback; {@code problem} says why it cannot be used. */
    private record Claimed(String cloudName, String vendorUser, String codeVerifier, String returnTo, String problem) {
    }

    private JsonNode exchange(LinkedCloud cloud, String code, String verifier, String returnTo) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", callbackUrl());
        f.put("code_verifier", verifier);
        f.put("client_id", cloud.clientId);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Accept", "application/json");
        String secret = clouds.clientSecret(cloud);
        if (secret != null) {
            headers.put("Authorization", TargetClient.basic(cloud.clientId, secret));
        }
        OutboundHttp.Reply resp;
        try {
            resp = http.sendAndWait(cloud.trustedCa, "POST", cloud.tokenEndpoint, headers, form(f).getBytes(StandardCharsets.UTF_8));
        } catch (OutboundHttp.Unreachable e) {
            throw new Failure("temporarily_unavailable", "the Target Cloud's token endpoint cannot be reached", returnTo);
        }
        try {
            JsonNode body = JSON.readTree(resp.body());
            if (resp.status() != 200) {
                String err = body.path("error").asText("server_error");
                throw new Failure(err.matches("[a-z_]{1,40}") ? err : "server_error", "the Target Cloud refused the code ("
                        + resp.status() + ")", returnTo);
            }
            return body;
        } catch (IOException e) {
            throw new Failure("server_error", "the Target Cloud's token answer is not JSON", returnTo);
        }
    }

    /** The {@code sub} of a JWT access token; it came straight from the token endpoint, so it is read, not verified. */
    private static String subject(String accessToken) {
        String[] parts = accessToken.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).path("sub").asText(null);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    public List<LinkedAccount> linksOf(String vendorUser) {
        return QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>list(
                "vendorUser = ?1 order by createdAt", vendorUser));
    }

    public Optional<LinkedAccount> linkOf(String vendorUser, UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>findByIdOptional(id)
                .filter(a -> a.vendorUser.equals(vendorUser)));
    }

    /** The link's devices as last synced: properties, status, links, and each resource's content. */
    public List<Map<String, Object>> devicesOf(UUID linkId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            for (org.ocfcloudbridge.store.OriginDevice d : org.ocfcloudbridge.store.OriginDevice.<org.ocfcloudbridge.store.OriginDevice>list(
                    "key.linkId = ?1 order by key.deviceId", linkId)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("deviceId", d.key.deviceId);
                m.put("status", d.status);
                m.put("device", tree(d.device));
                m.put("links", tree(d.links));
                Map<String, Object> content = new LinkedHashMap<>();
                for (org.ocfcloudbridge.store.OriginResource r : org.ocfcloudbridge.store.OriginResource.<org.ocfcloudbridge.store.OriginResource>list(
                        "key.linkId = ?1 and key.deviceId = ?2 order by key.href", linkId, d.key.deviceId)) {
                    content.put(r.key.href, tree(r.content));
                }
                m.put("content", content);
                out.add(m);
            }
            return out;
        });
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }

    /**
     * Unlinks: the Target's subscriptions end first, while the link's token still works; then the link, its tokens and
     * its device set are forgotten and the vendor is told. False when it is not {@code vendorUser}'s link.
     */
    public boolean unlink(String vendorUser, UUID id) {
        if (linkOf(vendorUser, id).isEmpty()) {
            return false;
        }
        sync.unsubscribeAll(id);
        boolean gone = QuarkusTransaction.requiringNew().call(() -> {
            LinkedAccount a = LinkedAccount.findById(id);
            if (a == null || !a.vendorUser.equals(vendorUser)) {
                return false;
            }
            events.record(vendorUser, id, null, VendorEvents.LINK_STATE, stateJson("unlinked", a.cloudName));
            a.delete();
            return true;
        });
        target.forget(id);
        return gone;
    }

    static String stateJson(String state, String cloud) {
        return JSON.createObjectNode().put("state", state).put("cloud", cloud).toString();
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
