package org.ocfcloudbridge.identity;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.ocf.Protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Token (RFC 6749 §3.2) and revocation (RFC 7009) endpoints. */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "OAuth2 and OpenID Connect")
@Path(Protocol.HttpPaths.OAUTH2)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenBody(@JsonProperty("access_token") String accessToken, @JsonProperty("token_type") String tokenType,
                            @JsonProperty("expires_in") long expiresIn, @JsonProperty("refresh_token") String refreshToken,
                            String scope) {
    }

    private final OAuthService oauth;

    public TokenResource(OAuthService oauth) {
        this.oauth = oauth;
    }

    @POST
    @Path("token")
    @Operation(summary = "OAuth2 token endpoint: authorization_code (PKCE), refresh_token, client_credentials")
    public Response token(@FormParam("grant_type") String grantType, @FormParam("code") String code,
                          @FormParam("redirect_uri") String redirectUri, @FormParam("code_verifier") String codeVerifier,
                          @FormParam("refresh_token") String refreshToken, @FormParam("scope") String scope,
                          @FormParam("client_id") String clientId, @FormParam("client_secret") String clientSecret,
                          @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        OAuthService.ClientCredentials client = credentials(authorization, clientId, clientSecret);
        if (grantType == null) {
            throw OAuthException.invalidRequest("grant_type is required");
        }
        OAuthService.TokenResponse t = switch (grantType) {
            case OAuthService.AUTHORIZATION_CODE -> {
                require(code, "code");
                yield oauth.exchangeCode(client, code, redirectUri, codeVerifier);
            }
            case OAuthService.REFRESH_TOKEN -> {
                require(refreshToken, "refresh_token");
                yield oauth.refresh(client, refreshToken, scope);
            }
            case OAuthService.CLIENT_CREDENTIALS -> oauth.clientCredentials(client, scope);
            default -> throw new OAuthException("unsupported_grant_type", "grant_type " + grantType + " is not supported");
        };
        return Response.ok(new TokenBody(t.accessToken(), "Bearer", t.expiresIn(), t.refreshToken(), t.scope()))
                .header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }

    @POST
    @Path("revoke")
    @Operation(summary = "OAuth2 token revocation (RFC 7009)")
    public Response revoke(@FormParam("token") String token, @FormParam("client_id") String clientId,
                           @FormParam("client_secret") String clientSecret,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        oauth.revoke(credentials(authorization, clientId, clientSecret), token);
        return Response.ok().header("Cache-Control", "no-store").build();
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw OAuthException.invalidRequest(name + " is required");
        }
    }

    /** HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or client_id/client_secret in the body; not both. */
    static OAuthService.ClientCredentials credentials(String authorization, String clientId, String clientSecret) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (clientSecret != null) {
                throw OAuthException.invalidRequest("use one client authentication method");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new OAuthException("invalid_client", "malformed Basic credentials");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new OAuthException("invalid_client", "malformed Basic credentials");
            }
            String id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            if (clientId != null && !clientId.equals(id)) {
                throw OAuthException.invalidRequest("client_id differs from the authenticated client");
            }
            return new OAuthService.ClientCredentials(id, URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8));
        }
        return new OAuthService.ClientCredentials(clientId, clientSecret);
    }
}
