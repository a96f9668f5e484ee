package org.ocfcloudbridge.origin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.Template;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.identity.IdentityConfig;
import org.ocfcloudbridge.identity.IdentityDirectory;
import org.ocfcloudbridge.identity.OAuthService;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.Inputs;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.origin.link.AccountLinking;
import org.ocfcloudbridge.origin.link.LinkedClouds;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.LinkedAccount;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The web page at {@code /}: a vendor cloud's user interface in miniature, for the one-command demo and for trying a
 * Target Cloud by hand. Its user signs in with the embedded identity provider (client {@code bridge-console}), links
 * accounts at the configured Target Clouds, sees the devices with their state and content, and flips a switch. The
 * console's session is the user's access token in an HttpOnly cookie.
 */
@Path("/")
@Blocking
public class Console {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CLIENT = "bridge-console";
    static final String SESSION = Protocol.Cookies.CONSOLE_SESSION;
    static final String LOGIN = Protocol.Cookies.CONSOLE_LOGIN;

    private final Template console;
    private final BridgeConfig bridge;
    private final IdentityConfig identity;
    private final IdentityDirectory directory;
    private final OAuthService oauth;
    private final AccountLinking linking;
    private final LinkedClouds clouds;
    private final TargetClient target;
    private final ConsoleSessions sessions;

    public Console(Template console, BridgeConfig bridge, IdentityConfig identity, IdentityDirectory directory, OAuthService oauth,
                   AccountLinking linking, LinkedClouds clouds, TargetClient target,
                   ConsoleSessions sessions) {
        this.sessions = sessions;
        this.console = console;
        this.bridge = bridge;
        this.identity = identity;
        this.directory = directory;
        this.oauth = oauth;
        this.linking = linking;
        this.clouds = clouds;
        this.target = target;
    }

    void client(@Observes @Priority(35) StartupEvent event) {
        if (identity.embeddedEnabled()) {
            directory.ensureInternalClient(CLIENT, List.of(base() + "/console/callback"), List.of("r:*", "w:*"));
        }
    }

    private String base() {
        return bridge.publicUrl().replaceAll("/+$", "");
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response page(@CookieParam(SESSION) String session, @QueryParam("linked") String linked, @QueryParam("error") String error) {
        String user = user(session);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("signedIn", user != null);
        data.put("canSignIn", identity.embeddedEnabled() && bridge.origin().enabled());
        data.put("user", user == null ? "" : displayName(user));
        data.put("message", error != null ? "Not linked: " + error : linked != null ? "Account linked." : "");
        List<Map<String, Object>> links = new ArrayList<>();
        List<String> cloudNames = new ArrayList<>();
        // Read before the data the page shows, so its event stream replays whatever comes between.
        data.put("lastEvent", user == null ? 0L : VendorEvents.lastIdOf(user));
        if (user != null) {
            clouds.all().forEach(c -> cloudNames.add(c.name));
            for (LinkedAccount a : linking.linksOf(user)) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("id", a.id.toString());
                l.put("cloud", a.cloudName);
                l.put("state", a.state.name().toLowerCase(java.util.Locale.ROOT));
                l.put("reauthorize", a.state == LinkedAccount.State.REAUTHORIZE);
                List<Map<String, Object>> devices = new ArrayList<>();
                for (Map<String, Object> d : linking.devicesOf(a.id)) {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("id", d.get("deviceId"));
                    JsonNode props = (JsonNode) d.get("device");
                    view.put("name", props == null ? "" : props.path("n").asText(""));
                    view.put("status", d.get("status"));
                    Set<String> writable = writableHrefs(String.valueOf(d.get("deviceId")), (JsonNode) d.get("links"));
                    List<Map<String, Object>> resources = new ArrayList<>();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> content = (Map<String, Object>) d.get("content");
                    content.forEach((href, rep) -> {
                        JsonNode json = (JsonNode) rep;
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("href", href);
                        r.put("content", json.toString());
                        r.put("switch", json.has("value") && json.get("value").isBoolean());
                        r.put("on", json.path("value").asBoolean(false));
                        r.put("writable", writable.contains(href));
                        r.put("domId", (d.get("deviceId") + href).replaceAll("[^A-Za-z0-9]", "-"));
                        resources.add(r);
                    });
                    view.put("resources", resources);
                    devices.add(view);
                }
                l.put("devices", devices);
                links.add(l);
            }
        }
        data.put("links", links);
        // Each cloud with whether the user already linked an account there: "link another account" then, not "link".
        List<Map<String, Object>> cloudViews = new ArrayList<>();
        for (String name : cloudNames) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            c.put("linked", links.stream().anyMatch(l -> name.equals(l.get("cloud"))));
            cloudViews.add(c);
        }
        data.put("clouds", cloudViews);
        // The page's one inline script runs by a nonce of this answer; nothing else runs, and no site frames the page.
        // Referrer-Policy same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the page's
        // own forms, which the same-origin check then refuses.
        String nonce = Secrets.randomToken();
        data.put("nonce", nonce);
        return Response.ok(console.data(data).render()).type("text/html; charset=utf-8").header("Cache-Control", "no-store")
                .header("X-Frame-Options", "DENY").header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "same-origin")
                .header("Content-Security-Policy", "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'self' 'unsafe-inline'; "
                        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
                .build();
    }

    @GET
    @Path("console/login")
    public Response login() {
        String verifier = Secrets.randomToken() + Secrets.randomToken();
        String state = Secrets.randomToken();
        String challenge = Secrets.pkceChallenge(verifier);
        String url = base() + "/oauth2/authorize?response_type=code&client_id=" + CLIENT + "&redirect_uri="
                + enc(base() + "/console/callback") + "&scope=" + enc("r:* w:*") + "&state=" + state + "&code_challenge=" + challenge
                + "&code_challenge_method=S256";
        return Response.seeOther(URI.create(url)).cookie(cookie(LOGIN, state + "." + verifier, 600)).build();
    }

    @GET
    @Path("console/callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state,
                             @CookieParam(LOGIN) String login) {
        if (code == null || state == null || login == null || !login.startsWith(state + ".")) {
            return Response.seeOther(URI.create("/?error=sign-in")).cookie(cookie(LOGIN, "", 0)).build();
        }
        try {
            OAuthService.TokenResponse t = oauth.exchangeCode(new OAuthService.ClientCredentials(CLIENT, null), code,
                    base() + "/console/callback", login.substring(state.length() + 1));
            // The cookie holds a session id, never the token: the token is no more than the sign-in's proof here.
            return Response.seeOther(URI.create("/")).cookie(cookie(SESSION, sessions.open(t), (int) t.expiresIn()),
                    cookie(LOGIN, "", 0)).build();
        } catch (RuntimeException e) {
            return Response.seeOther(URI.create("/?error=sign-in")).cookie(cookie(LOGIN, "", 0)).build();
        }
    }

    @POST
    @Path("console/logout")
    public Response logout(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                           @HeaderParam("Sec-Fetch-Site") String fetchSite) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        // Ends the session here and revokes its grant, so a copy of the cookie (or of a token of it) is worth nothing.
        sessions.close(session);
        return Response.seeOther(URI.create("/")).cookie(cookie(SESSION, "", 0)).build();
    }

    /**
     * Starts linking an account at {@code cloud} for the signed-in user; comes back to this page. A POST from this
     * page only: a cross-site GET could start a link in the user's name that somebody else then finishes.
     */
    @POST
    @Path("console/link/{cloud}")
    public Response link(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                         @HeaderParam("Sec-Fetch-Site") String fetchSite, @PathParam("cloud") String cloud) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        String user = user(session);
        if (user == null) {
            return Response.seeOther(URI.create("/console/login")).build();
        }
        // Started here from the session, so the user's token never travels in a URL.
        try {
            return linking.redirectBound(linking.start(user, cloud, base() + "/"));
        } catch (AccountLinking.Failure e) {
            return Response.seeOther(URI.create("/?error=" + enc(e.error))).build();
        }
    }

    /**
     * Resources a client may update: those whose link offers an actuator or read-write interface (OCF Core §7.6.3);
     * sensors and read-only resources get no update control.
     */
    private static Set<String> writableHrefs(String deviceId, JsonNode links) {
        Set<String> out = new HashSet<>();
        if (links == null) {
            return out;
        }
        String prefix = "/" + deviceId;
        for (JsonNode l : links) {
            String href = l.path("href").asText("");
            if (href.startsWith(prefix + "/")) {
                href = href.substring(prefix.length());
            }
            for (JsonNode i : l.path("if")) {
                if (i.asText().equals("oic.if.a") || i.asText().equals("oic.if.rw")) {
                    out.add(href);
                }
            }
        }
        return out;
    }

    /** Sets a switch through the proxy path (Origin → Target → device) and comes back to the page. */
    @POST
    @Path("console/switch")
    public Response flip(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                         @HeaderParam("Sec-Fetch-Site") String fetchSite, @FormParam("link") String link,
                         @FormParam("device") String device, @FormParam("href") String href, @FormParam("value") boolean value) {
        return update(session, origin, fetchSite, link, device, href, "{\"value\":" + value + "}");
    }

    /** Sends a JSON representation to a resource through the proxy path and comes back to the page. */
    @POST
    @Path("console/update")
    public Response update(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                           @HeaderParam("Sec-Fetch-Site") String fetchSite, @FormParam("link") String link,
                           @FormParam("device") String device, @FormParam("href") String href, @FormParam("body") String body) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        String user = user(session);
        if (user == null) {
            return Response.seeOther(URI.create("/console/login")).build();
        }
        UUID id = Inputs.uuid(link).orElse(null);
        if (id == null) {
            return Response.seeOther(URI.create("/?error=no-such-link")).build();
        }
        if (linking.linkOf(user, id).isEmpty() || device == null || !device.matches("[0-9a-fA-F-]{36}") || href == null) {
            return Response.seeOther(URI.create("/?error=no-such-device")).build();
        }
        JsonNode json;
        try {
            json = body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return Response.seeOther(URI.create("/?error=not-a-json-object")).build();
        }
        TargetClient.Answer a;
        try {
            a = target.call(id, "POST", "/devices/" + device + Inputs.hrefPath(href), "application/json", "application/json",
                    json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return Response.seeOther(URI.create("/?error=device-unreachable")).build();
        }
        if (a.status() / 100 != 2) {
            return Response.seeOther(URI.create("/?error=the-device-answered-" + a.status())).build();
        }
        return Response.seeOther(URI.create("/")).build();
    }

    /** Unlinks an account: its subscriptions at the Target end, its tokens and devices are forgotten. */
    @POST
    @Path("console/unlink")
    public Response unlink(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                           @HeaderParam("Sec-Fetch-Site") String fetchSite, @FormParam("link") String link) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        String user = user(session);
        if (user == null) {
            return Response.seeOther(URI.create("/console/login")).build();
        }
        boolean unlinked = Inputs.uuid(link).filter(id -> linking.unlink(user, id)).isPresent();
        return Response.seeOther(URI.create(unlinked ? "/" : "/?error=no-such-link")).build();
    }

    /**
     * The page's forms change devices and links with the session cookie alone: besides SameSite=Lax (which a sibling
     * site passes), a form must come from this page's own origin, as browsers tell by {@code Sec-Fetch-Site} and
     * {@code Origin}. A client sending neither (curl, an old browser) is let through: it holds the cookie itself.
     */
    private boolean sameOrigin(String origin, String fetchSite) {
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return false;
        }
        if (origin == null) {
            return true;
        }
        URI own = URI.create(base());
        String expected = own.getScheme() + "://" + own.getAuthority();
        return origin.equalsIgnoreCase(expected);
    }

    private static Response forbidden() {
        return Response.status(403).type(MediaType.TEXT_PLAIN).entity("this form must come from the bridge's own page").build();
    }

    /** The signed-in user's name rather than their id, when the embedded provider knows it. */
    private String displayName(String user) {
        try {
            return directory.username(java.util.UUID.fromString(user)).orElse(user);
        } catch (IllegalArgumentException notAnId) {
            return user;
        }
    }

    private String user(String session) {
        if (session == null || session.isBlank()) {
            return null;
        }
        return sessions.user(session).orElse(null);
    }

    private NewCookie cookie(String name, String value, int maxAge) {
        return new NewCookie.Builder(name).value(value).path("/").maxAge(maxAge).httpOnly(true)
                .secure(base().startsWith("https:")).sameSite(NewCookie.SameSite.LAX).build();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
