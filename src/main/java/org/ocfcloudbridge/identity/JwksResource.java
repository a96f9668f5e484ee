package org.ocfcloudbridge.identity;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.ocf.Protocol;

/** The public keys that verify the embedded server's access tokens (RFC 7517). */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "OAuth2 and OpenID Connect")
@Path(Protocol.HttpPaths.JWKS)
public class JwksResource {

    private final SigningKeys keys;

    public JwksResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Public keys that verify the access tokens")
    public Response jwks() {
        return Response.ok(keys.jwksJson()).header("Cache-Control", "max-age=300").build();
    }
}
