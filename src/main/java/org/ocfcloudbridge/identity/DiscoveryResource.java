package org.ocfcloudbridge.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.List;

/** Authorization server metadata (RFC 8414 / OpenID discovery). */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "OAuth2 and OpenID Connect")
@Path(Protocol.HttpPaths.OPENID_CONFIGURATION)
public class DiscoveryResource {

    public record Metadata(String issuer,
                           @JsonProperty("authorization_endpoint") String authorizationEndpoint,
                           @JsonProperty("token_endpoint") String tokenEndpoint,
                           @JsonProperty("jwks_uri") String jwksUri,
                           @JsonProperty("revocation_endpoint") String revocationEndpoint,
                           @JsonProperty("response_types_supported") List<String> responseTypes,
                           @JsonProperty("grant_types_supported") List<String> grantTypes,
                           @JsonProperty("scopes_supported") List<String> scopes,
                           @JsonProperty("code_challenge_methods_supported") List<String> codeChallengeMethods,
                           @JsonProperty("token_endpoint_auth_methods_supported") List<String> tokenAuthMethods,
                           @JsonProperty("revocation_endpoint_auth_methods_supported") List<String> revocationAuthMethods,
                           @JsonProperty("subject_types_supported") List<String> subjectTypes,
                           @JsonProperty("id_token_signing_alg_values_supported") List<String> idTokenAlgs) {
    }

    private final TokenIssuer issuer;

    public DiscoveryResource(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Authorization server metadata")
    public Metadata metadata() {
        String base = issuer.issuer();
        List<String> auth = List.of("client_secret_basic", "client_secret_post", "none");
        return new Metadata(base, base + Protocol.HttpPaths.AUTHORIZE, base + Protocol.HttpPaths.TOKEN,
                base + Protocol.HttpPaths.JWKS, base + Protocol.HttpPaths.REVOKE, List.of("code"),
                List.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN, OAuthService.CLIENT_CREDENTIALS),
                List.of(Protocol.Scopes.READ, Protocol.Scopes.WRITE, "openid", Scopes.ADMIN), List.of("S256"), auth, auth,
                List.of("public"), List.of(SigningKeys.ALGORITHM));
    }
}
