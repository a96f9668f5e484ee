package org.ocfcloudbridge.identity;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.ocf.Protocol;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Operators' and provisioning scripts' API. Every call needs a Bearer token with scope {@code admin}, which only the
 * {@code bridge-admin} client gets (client credentials, secret {@code bridge.identity.admin-secret}).
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Administration")
@Path(Protocol.HttpPaths.ADMIN)
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    public record NewUser(String username, String password) {
    }

    public record NewDeviceCode(String username) {
    }

    public record NewClient(String clientId, List<String> redirectUris, List<String> scopes, List<String> grantTypes,
                            String secret) {
    }

    private final BearerAuthenticator bearer;
    private final IdentityDirectory directory;
    private final OAuthService oauth;
    private final SigningKeys keys;

    public AdminResource(BearerAuthenticator bearer, IdentityDirectory directory, OAuthService oauth, SigningKeys keys) {
        this.bearer = bearer;
        this.directory = directory;
        this.oauth = oauth;
        this.keys = keys;
    }

    @POST
    @Path("users")
    @Operation(summary = "Create a user of the embedded authorization server")
    public Response createUser(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, NewUser body) {
        bearer.require(authorization, Scopes.ADMIN);
        requireBody(body);
        UUID id = directory.createUser(body.username(), body.password());
        return Response.status(201).entity(Map.of("id", id.toString())).build();
    }

    @POST
    @Path("device-codes")
    @Operation(summary = "Issue a single-use authorization code a device presents at sign-up")
    public Response deviceCode(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, NewDeviceCode body) {
        bearer.require(authorization, Scopes.ADMIN);
        requireBody(body);
        UUID user = directory.userId(body.username())
                .orElseThrow(() -> new IdentityDirectory.Rejected("no such user", 404));
        OAuthService.DeviceCode code = oauth.issueDeviceCode(user);
        return Response.status(201).entity(Map.of("code", code.code(), "expiresIn", code.expiresIn()))
                .header("Cache-Control", "no-store").build();
    }

    @POST
    @Path("clients")
    @Operation(summary = "Register an OAuth2 client (no secret = a public client that must use PKCE)")
    public Response createClient(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, NewClient body) {
        bearer.require(authorization, Scopes.ADMIN);
        requireBody(body);
        directory.createClient(body.clientId(), body.redirectUris(), body.scopes(), body.grantTypes(), body.secret());
        return Response.status(201).entity(Map.of("clientId", body.clientId())).build();
    }

    @POST
    @Path("signing-keys")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Rotate the token signing key: a new key signs, the old ones stay published")
    public Response rotateKey(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        bearer.require(authorization, Scopes.ADMIN);
        return Response.status(201).entity(Map.of("kid", keys.rotate())).build();
    }

    @DELETE
    @Path("signing-keys/{kid}")
    @Operation(summary = "Retire a signing key that no longer signs: tokens it signed stop verifying")
    public Response retireKey(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("kid") String kid) {
        bearer.require(authorization, Scopes.ADMIN);
        try {
            if (!keys.retire(kid)) {
                throw new IdentityDirectory.Rejected("no published key " + kid, 404);
            }
        } catch (IllegalStateException e) {
            throw new IdentityDirectory.Rejected(e.getMessage(), 409);
        }
        return Response.noContent().build();
    }

    private static void requireBody(Object body) {
        if (body == null) {
            throw new IdentityDirectory.Rejected("a JSON body is required", false);
        }
    }

    @ServerExceptionMapper
    public Response rejected(IdentityDirectory.Rejected e) {
        return Response.status(e.status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
