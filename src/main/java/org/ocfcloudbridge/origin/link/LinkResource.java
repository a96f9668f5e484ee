package org.ocfcloudbridge.origin.link;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.origin.sync.DeviceSync;
import org.ocfcloudbridge.store.LinkedAccount;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The browser side of account linking: {@code GET /link/{cloud}} sends the vendor's user to the Target Cloud's
 * authorization page, {@code GET /link/callback} takes the answer and sends the browser back to the vendor's
 * {@code return_to} with {@code linked=<id>} or {@code error=…} (a small page when there is no {@code return_to}).
 * The browser must be the one that visits {@code /link/{cloud}}: the link is bound to it by a cookie, and a callback
 * from any other browser links nothing (a vendor back end that fetched the redirect itself cannot hand it on).
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Vendor API (Origin Cloud)")
@Path(Protocol.HttpPaths.LINK)
public class LinkResource {

    private final AccountLinking linking;
    private final VendorAuthenticator vendor;
    private final DeviceSync sync;

    public LinkResource(AccountLinking linking, VendorAuthenticator vendor, DeviceSync sync) {
        this.linking = linking;
        this.vendor = vendor;
        this.sync = sync;
    }

    @GET
    @Path("callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state, @QueryParam("error") String error,
                             @Context HttpHeaders headers) {
        String nonce = null;
        NewCookie clear = null;
        if (state != null && !state.isBlank()) {
            String name = AccountLinking.browserCookieName(state);
            Cookie c = headers.getCookies().get(name);
            nonce = c == null ? null : c.getValue();
            clear = linking.browserCookie(name, "", 0);
        }
        try {
            AccountLinking.Linked linked = linking.finish(code, state, error, nonce);
            LinkedAccount a = linked.account();
            sync.request(a.id);
            String back = linked.returnTo();
            return withCookie(back == null ? page(200, "Account linked", "The account at " + a.cloudName + " is linked.")
                    : Response.seeOther(URI.create(append(back, "linked=" + a.id))).build(), clear);
        } catch (AccountLinking.Failure f) {
            // The cookie stays when this browser is not the one that started the link (it has none to clear).
            NewCookie keep = f.otherBrowser ? null : clear;
            return withCookie(f.returnTo == null ? page(400, "Account not linked", f.getMessage())
                    : Response.seeOther(URI.create(append(f.returnTo, "error=" + enc(f.error)
                            + "&error_description=" + enc(f.getMessage())))).build(), keep);
        }
    }

    private static Response withCookie(Response r, NewCookie cookie) {
        return cookie == null ? r : Response.fromResponse(r).cookie(cookie).build();
    }



    @GET
    @Path("{cloud}")
    public Response start(@PathParam("cloud") String cloud, @QueryParam("return_to") String returnTo,
                          @QueryParam("token") String token, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String user;
        try {
            user = vendor.user(authorization, token, Protocol.Scopes.WRITE);
        } catch (VendorAuthenticator.Refused e) {
            return page(e.status, e.status == 403 ? "Not allowed" : "Not signed in", e.getMessage());
        }
        if (!linking.returnToAllowed(returnTo)) {
            return page(400, "Account not linked", "return_to is not an allowed address");
        }
        try {
            return linking.redirectBound(linking.start(user, cloud, returnTo));
        } catch (AccountLinking.Failure f) {
            return page(404, "Account not linked", f.getMessage());
        }
    }

    private static String append(String url, String query) {
        return url + (url.contains("?") ? "&" : "?") + query;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Response page(int status, String title, String message) {
        String html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title></head><body><h1>"
                + esc(title) + "</h1><p id=\"message\">" + esc(message) + "</p></body></html>";
        return Response.status(status).type("text/html; charset=utf-8").header("Cache-Control", "no-store").entity(html).build();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
