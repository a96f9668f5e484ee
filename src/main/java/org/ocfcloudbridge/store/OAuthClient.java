package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A registered OAuth2 client. No secret hash = a public client, which must use PKCE. */
@Entity
@Table(name = "oauth_client")
public class OAuthClient extends PanacheEntityBase {

    @Id
    @Column(name = "client_id", length = 128)
    public String clientId;

    @Column(name = "secret_hash")
    public String secretHash;

    /** Newline-separated; matched exactly. */
    @Column(name = "redirect_uris", nullable = false, length = 4096)
    public String redirectUris;

    /** Space-separated scopes this client may ask for. */
    @Column(nullable = false, length = 1024)
    public String scopes;

    /** Space-separated grant types this client may use. */
    @Column(name = "grant_types", nullable = false, length = 256)
    public String grantTypes;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    public boolean isPublic() {
        return secretHash == null;
    }

    public List<String> redirectUriList() {
        return redirectUris.isBlank() ? List.of() : Arrays.asList(redirectUris.split("\n"));
    }

    public Set<String> scopeSet() {
        return split(scopes);
    }

    public Set<String> grantTypeSet() {
        return split(grantTypes);
    }

    static Set<String> split(String spaced) {
        return Arrays.stream(spaced.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
