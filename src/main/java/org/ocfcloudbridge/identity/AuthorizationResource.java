package org.ocfcloudbridge.identity;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.Protocol;

import java.net.URI;

/** The browser side of the authorization code flow: authorize, login page, consent page (RFC 6749 §4.1). */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "OAuth2 and OpenID Connect")
@Path(Protocol.HttpPaths.OAUTH2)
@Produces(MediaType.TEXT_HTML)
public class AuthorizationResource {

    static final String BROWSER_COOKIE = "bridge_authz";

    private final OAuthService oauth;
    private final BridgeConfig bridge;
    private final IdentityDirectory directory;

    public AuthorizationResource(OAuthService oauth, BridgeConfig bridge, IdentityDirectory directory) {
        this.directory = directory;
        this.oauth = oauth;
        this.bridge = bridge;
    }

    @GET
    @Path("authorize")
    @Operation(summary = "OAuth2 authorization endpoint: shows the login page")
    public Response authorize(@QueryParam("response_type") String responseType, @QueryParam("client_id") String clientId,
                              @QueryParam("redirect_uri") String redirectUri, @QueryParam("scope") String scope,
                              @QueryParam("state") String state, @QueryParam("code_challenge") String codeChallenge,
                              @QueryParam("code_challenge_method") String codeChallengeMethod) {
        try {
            OAuthService.PendingAuthorization p = oauth.startAuthorization(responseType, clientId, redirectUri, scope, state,
                    codeChallenge, codeChallengeMethod);
            return html(200, Pages.login(p, null, place(), directory.isFirstParty(p.clientId())));
        } catch (OAuthService.RedirectableError e) {
            return Response.seeOther(URI.create(e.location)).build();
        } catch (OAuthService.UserFacingError e) {
            return html(400, Pages.error(e.getMessage()));
        }
    }

    @POST
    @Path("login")
    @Operation(hidden = true) // the login page's own form, not an API
    public Response login(@FormParam("request") String request, @FormParam("username") String username,
                          @FormParam("password") String password, @Context HttpServerRequest http) {
        try {
            OAuthService.LoginResult r = oauth.login(request, username, password, http.remoteAddress().hostAddress());
            if (r.rateLimited()) {
                return html(429, Pages.login(r.pending(), "Too many failed sign-ins. Please wait a little before you try again.", place(),
                        directory.isFirstParty(r.pending().clientId())));
            }
            if (!r.succeeded()) {
                return html(401, Pages.login(r.pending(), "Wrong user name or password.", place(),
                        directory.isFirstParty(r.pending().clientId())));
            }
            if (directory.isFirstParty(r.pending().clientId())) {
                // The bridge's own page: pre-approved, as identity servers do for their own consoles (consent stays
                // for every other client).
                String location = oauth.consent(request, r.browserSecret(), true);
                return Response.seeOther(URI.create(location)).header("Cache-Control", "no-store").build();
            }
            NewCookie cookie = new NewCookie.Builder(BROWSER_COOKIE).value(r.browserSecret())
                    .path(Protocol.HttpPaths.OAUTH2).httpOnly(true).secure(bridge.publicUrl().startsWith("https:"))
                    .sameSite(NewCookie.SameSite.LAX).maxAge(600).build();
            return Response.fromResponse(html(200, Pages.consent(r.pending(), username, place()))).cookie(cookie).build();
        } catch (OAuthService.UserFacingError e) {
            return html(400, Pages.error(e.getMessage()));
        }
    }

    @POST
    @Path("consent")
    @Operation(hidden = true) // the consent page's own form, not an API
    public Response consent(@FormParam("request") String request, @FormParam("consent") String consent,
                            @CookieParam(BROWSER_COOKIE) String browserSecret) {
        if (!"allow".equals(consent) && !"deny".equals(consent)) {
            return html(400, Pages.error("The answer must be allow or deny."));
        }
        try {
            String location = oauth.consent(request, browserSecret, "allow".equals(consent));
            NewCookie clear = new NewCookie.Builder(BROWSER_COOKIE).value("").path(Protocol.HttpPaths.OAUTH2).maxAge(0).build();
            return Response.seeOther(URI.create(location)).cookie(clear).header("Cache-Control", "no-store").build();
        } catch (OAuthService.UserFacingError e) {
            return html(400, Pages.error(e.getMessage()));
        }
    }

    /** Where the user signs in, for the pages to say: this cloud's host. */
    private String place() {
        return URI.create(bridge.publicUrl()).getAuthority();
    }

    private static Response html(int status, String body) {
        return Response.status(status).entity(body).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store").header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
                .build();
    }
}
