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
import org.ocfcloudbridge.origin.sync.DeviceSync;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final DevicePage page;
    private final DeviceSync sync;

    public Console(Template console, BridgeConfig bridge, IdentityConfig identity, IdentityDirectory directory, OAuthService oauth,
                   AccountLinking linking, LinkedClouds clouds, TargetClient target,
                   ConsoleSessions sessions, DevicePage page, DeviceSync sync) {
        this.sessions = sessions;
        this.page = page;
        this.sync = sync;
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
    public Response page(@CookieParam(SESSION) String session, @QueryParam("linked") String linked, @QueryParam("error") String error,
                         @QueryParam("resynced") String resynced, @QueryParam("q") String filter,
                         @QueryParam("unsent") String unsent) {
        String user = user(session);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("signedIn", user != null);
        data.put("canSignIn", identity.embeddedEnabled() && bridge.origin().enabled());
        data.put("user", user == null ? "" : displayName(user));
        // A control's failure without JavaScript comes back as ?unsent= (the script shows the same words in place).
        data.put("message", error != null ? "Not linked: " + error : unsent != null ? "Not sent: " + unsent : linked != null ? "Account linked."
                : resynced != null ? "Resync started: the account's devices and subscriptions are read again." : "");
        data.put("error", error != null || unsent != null);
        List<Map<String, Object>> links = new ArrayList<>();
        List<String> cloudNames = new ArrayList<>();
        // Read before the data the page shows, so its event stream replays whatever comes between.
        long lastEvent = user == null ? 0L : VendorEvents.lastIdOf(user);
        data.put("lastEvent", lastEvent);
        String q = filter == null ? "" : filter.strip();
        if (q.length() > 100) {
            q = q.substring(0, 100);
        }
        data.put("filter", q);
        if (user != null) {
            clouds.all().forEach(c -> cloudNames.add(c.name));
            links = page.links(user, q);
        }
        data.put("links", links);
        int devices = links.stream().mapToInt(l -> ((Number) l.get("deviceCount")).intValue()).sum();
        data.put("showFilter", devices > DevicePage.FILTER_ABOVE || !q.isEmpty());
        data.put("deviceTotal", devices);
        Map<String, String> names = new java.util.HashMap<>();
        for (Map<String, Object> l : links) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> all = (List<Map<String, Object>>) l.get("allDevices");
            all.forEach(d -> names.put(String.valueOf(d.get("id")), String.valueOf(d.get("displayName"))));
        }
        data.put("events", user == null ? List.of() : page.events(user, lastEvent, names));
        // Each cloud with whether the user already linked an account there: "link another account" then, not "link".
        List<Map<String, Object>> cloudViews = new ArrayList<>();
        for (String name : cloudNames) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            final List<Map<String, Object>> all = links;
            c.put("linked", all.stream().anyMatch(l -> name.equals(l.get("cloud"))));
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

    /**
     * The signed-in user's accounts as the page's account panel shows them (state, devices, last sync, subscriptions):
     * the page polls it to keep the panel current, and after a resync until the sync ends. Read-only, and JSON a
     * cross-site page cannot read.
     */
    @GET
    @Path("console/accounts")
    @Produces(MediaType.APPLICATION_JSON)
    public Response accounts(@CookieParam(SESSION) String session) {
        String user = user(session);
        if (user == null) {
            return Response.status(401).type(MediaType.APPLICATION_JSON).entity(Map.of("error", "not signed in")).build();
        }
        return Response.ok(linking.linksOf(user).stream().map(page::account).toList()).header("Cache-Control", "no-store").build();
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

    /** Sets a switch through the proxy path (Origin → Target → device) and comes back to the page. */
    @POST
    @Path("console/switch")
    public Response flip(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                         @HeaderParam("Sec-Fetch-Site") String fetchSite, @HeaderParam("Accept") String accept,
                         @FormParam("link") String link, @FormParam("device") String device, @FormParam("href") String href,
                         @FormParam("value") boolean value) {
        return update(session, origin, fetchSite, accept, link, device, href, "{\"value\":" + value + "}");
    }

    /**
     * Sends a JSON representation to a resource through the proxy path. A form comes back to the page; the page's
     * script (asking for JSON) gets the outcome as JSON and sees the change arrive on the event stream.
     */
    @POST
    @Path("console/update")
    public Response update(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                           @HeaderParam("Sec-Fetch-Site") String fetchSite, @HeaderParam("Accept") String accept,
                           @FormParam("link") String link, @FormParam("device") String device, @FormParam("href") String href,
                           @FormParam("body") String body) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        boolean script = wantsJson(accept);
        String user = user(session);
        if (user == null) {
            return script ? outcome(401, "not signed in") : Response.seeOther(URI.create("/console/login")).build();
        }
        UUID id = Inputs.uuid(link).orElse(null);
        if (id == null) {
            return failed(script, 404, "no-such-link");
        }
        if (linking.linkOf(user, id).isEmpty() || device == null || !device.matches("[0-9a-fA-F-]{36}") || href == null) {
            return failed(script, 404, "no-such-device");
        }
        JsonNode json;
        try {
            json = body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return failed(script, 400, "not-a-json-object");
        }
        TargetClient.Answer a;
        try {
            a = target.call(id, "POST", "/devices/" + device + Inputs.hrefPath(href), "application/json", "application/json",
                    json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return failed(script, 502, "device-unreachable");
        }
        if (a.status() / 100 != 2) {
            return failed(script, 502, "the-device-answered-" + a.status());
        }
        return script ? outcome(200, null) : Response.seeOther(URI.create("/")).build();
    }

    /**
     * Sets one property from a control that has no JSON of its own: a slider's {@code number} or a colour picker's
     * {@code colour} ({@code #rrggbb}, sent as oic.r.colour.rgb's {@code rgbValue}).
     */
    @POST
    @Path("console/set")
    public Response set(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                        @HeaderParam("Sec-Fetch-Site") String fetchSite, @HeaderParam("Accept") String accept,
                        @FormParam("link") String link, @FormParam("device") String device, @FormParam("href") String href,
                        @FormParam("property") String property, @FormParam("number") String number,
                        @FormParam("colour") String colour) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        boolean script = wantsJson(accept);
        if (property == null || !property.matches("[A-Za-z][A-Za-z0-9]{0,63}")) {
            return failed(script, 400, "no-such-property");
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        if (number != null && number.matches("-?[0-9]{1,9}")) {
            body.put(property, Integer.parseInt(number));
        } else if (colour != null && colour.matches("#[0-9a-fA-F]{6}")) {
            com.fasterxml.jackson.databind.node.ArrayNode rgb = body.putArray(property);
            for (int i = 1; i < 7; i += 2) {
                rgb.add(Integer.parseInt(colour.substring(i, i + 2), 16));
            }
        } else {
            return failed(script, 400, "not-a-number-or-colour");
        }
        return update(session, origin, fetchSite, accept, link, device, href, body.toString());
    }

    /** Reads the account's devices and subscriptions at its Target again now, as the vendor API's resync does. */
    @POST
    @Path("console/resync")
    public Response resync(@CookieParam(SESSION) String session, @HeaderParam("Origin") String origin,
                           @HeaderParam("Sec-Fetch-Site") String fetchSite, @HeaderParam("Accept") String accept,
                           @FormParam("link") String link) {
        if (!sameOrigin(origin, fetchSite)) {
            return forbidden();
        }
        boolean script = wantsJson(accept);
        String user = user(session);
        if (user == null) {
            return script ? outcome(401, "not signed in") : Response.seeOther(URI.create("/console/login")).build();
        }
        UUID id = Inputs.uuid(link).filter(l -> linking.linkOf(user, l).isPresent()).orElse(null);
        if (id == null) {
            return failed(script, 404, "no-such-link");
        }
        sync.request(id);
        return script ? Response.accepted(Map.of("syncing", true)).type(MediaType.APPLICATION_JSON).build()
                : Response.seeOther(URI.create("/?resynced=" + id)).build();
    }

    private static boolean wantsJson(String accept) {
        return accept != null && accept.startsWith(MediaType.APPLICATION_JSON);
    }

    private static Response failed(boolean script, int status, String error) {
        return script ? outcome(status, error) : Response.seeOther(URI.create("/?unsent=" + error)).build();
    }

    private static Response outcome(int status, String error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(error == null ? Map.of("ok", true) : Map.of("error", error)).build();
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
