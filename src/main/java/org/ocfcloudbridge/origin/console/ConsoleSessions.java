package org.ocfcloudbridge.origin.console;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.identity.InvalidTokenException;
import org.ocfcloudbridge.identity.OAuthService;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.identity.VerifiedToken;
import org.ocfcloudbridge.store.ConsoleSession;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Sign-ins of the web page, kept on the server: the browser's cookie holds a random id, so a stolen cookie is no
 * bearer token for the API, and signing out ends the session and revokes the grant behind it everywhere. In the
 * database, so that any instance serves the page.
 */
@ApplicationScoped
public class ConsoleSessions {

    private static final Logger LOG = Logger.getLogger(ConsoleSessions.class);

    private final TokenVerifier verifier;
    private final OAuthService oauth;

    public ConsoleSessions(TokenVerifier verifier, OAuthService oauth) {
        this.verifier = verifier;
        this.oauth = oauth;
    }

    /** A session for the user the page's sign-in returned tokens for; returns the id for the cookie. */
    public String open(OAuthService.TokenResponse tokens) {
        VerifiedToken v;
        try {
            v = verifier.verify(tokens.accessToken());
        } catch (InvalidTokenException e) {
            throw new IllegalStateException("the page's own token does not verify: " + e.getMessage());
        }
        String id = Secrets.randomToken();
        QuarkusTransaction.requiringNew().run(() -> {
            ConsoleSession s = new ConsoleSession();
            s.idHash = Secrets.sha256Hex(id);
            s.vendorUser = v.owner();
            s.grantId = UUID.fromString(v.grantId());
            s.expiresAt = now().plusSeconds(tokens.expiresIn());
            s.persist();
        });
        return id;
    }

    /** The signed-in user of a session id from a cookie, while the session lasts and its grant stands. */
    public Optional<String> user(String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            return Optional.empty();
        }
        ConsoleSession s = QuarkusTransaction.requiringNew().call(() -> ConsoleSession.<ConsoleSession>findById(Secrets.sha256Hex(id)));
        if (s == null || s.expiresAt.isBefore(now()) || verifier.isRevoked(s.grantId)) {
            return Optional.empty();
        }
        return Optional.of(s.vendorUser);
    }

    /** Signs out: the session is gone and its grant revoked (its tokens stop everywhere). */
    public void close(String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            return;
        }
        UUID grant = QuarkusTransaction.requiringNew().call(() -> {
            ConsoleSession s = ConsoleSession.findById(Secrets.sha256Hex(id));
            if (s == null) {
                return null;
            }
            s.delete();
            return s.grantId;
        });
        if (grant != null) {
            oauth.revokeGrant(grant, "signed out of the page");
            LOG.debugf("page session of grant %s ended", grant);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
