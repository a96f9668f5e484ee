package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.store.OAuthClient;
import org.ocfcloudbridge.store.UserAccount;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Users and clients of the embedded authorization server: creation with validation, and seeding at start-up. */
@ApplicationScoped
public class IdentityDirectory {

    /** Scopes an ordinary client may be given; {@code admin} belongs to the built-in admin client only. */
    public static final Set<String> CLIENT_SCOPES = Set.of(Protocol.Scopes.READ, Protocol.Scopes.WRITE, "openid");
    private static final Set<String> GRANT_TYPES =
            Set.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN, OAuthService.CLIENT_CREDENTIALS);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int MIN_PASSWORD = 8;
    private static final Logger LOG = Logger.getLogger(IdentityDirectory.class);

    /** A request that breaks a rule: 400 with this message, or 409 when {@code conflict}. */
    public static class Rejected extends RuntimeException {
        public final int status;

        Rejected(String message, boolean conflict) {
            this(message, conflict ? 409 : 400);
        }

        public Rejected(String message, int status) {
            super(message);
            this.status = status;
        }
    }

    private final IdentityConfig config;
    private final PasswordHasher passwords;

    public IdentityDirectory(IdentityConfig config, PasswordHasher passwords) {
        this.config = config;
        this.passwords = passwords;
    }

    void seed(@Observes @Priority(30) StartupEvent event) {
        QuarkusTransaction.requiringNew().run(() -> {
            upsertInternal(config.deviceClientId(), null, List.of(), List.of(Protocol.Scopes.READ, Protocol.Scopes.WRITE),
                    List.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN), false);
            config.adminSecret().ifPresentOrElse(
                    secret -> upsertInternal(OAuthService.ADMIN_CLIENT_ID, secret, List.of(), List.of(Scopes.ADMIN),
                            List.of(OAuthService.CLIENT_CREDENTIALS), true),
                    () -> OAuthClient.deleteById(OAuthService.ADMIN_CLIENT_ID));
            config.clients().forEach((id, c) -> {
                List<String> redirects = c.redirectUris().orElse(List.of());
                for (String r : redirects) {
                    RedirectUris.problem(r).ifPresent(p -> {
                        throw new BridgeConfigException("bridge.identity.clients.\"" + id + "\".redirect-uris", p);
                    });
                }
                if (id.equals(config.deviceClientId())) {
                    // Mediators' redirect URIs for the device client come from configuration.
                    upsertInternal(id, null, redirects, c.scopes(), c.grantTypes(), true);
                } else if (OAuthClient.findById(id) == null) {
                    createClient(id, redirects, c.scopes(), c.grantTypes(), c.secret().orElse(null));
                    LOG.infof("client %s created from configuration", id);
                }
            });
        });
        if (config.adminSecret().isEmpty()) {
            LOG.info("admin API off: bridge.identity.admin-secret is not set");
        }
    }

    private void upsertInternal(String id, String secret, List<String> redirects, List<String> scopes, List<String> grants,
                                boolean overwrite) {
        OAuthClient c = OAuthClient.findById(id);
        if (c != null && !overwrite) {
            return;
        }
        if (c == null) {
            c = new OAuthClient();
            c.clientId = id;
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        }
        c.secretHash = secret == null ? null : Secrets.sha256Hex(secret);
        c.redirectUris = String.join("\n", redirects);
        c.scopes = Scopes.format(scopes);
        c.grantTypes = Scopes.format(grants);
        c.persist();
    }

    /** Sets a stored client's redirect URIs (the demo's, after the public URL changed); true when they changed. */
    public boolean replaceRedirectUris(String clientId, List<String> redirectUris) {
        redirectUris.forEach(IdentityDirectory::requireRedirectUri);
        String joined = String.join("\n", redirectUris);
        return QuarkusTransaction.requiringNew().call(() -> {
            OAuthClient c = OAuthClient.findById(clientId);
            if (c == null || joined.equals(c.redirectUris)) {
                return false;
            }
            c.redirectUris = joined;
            return true;
        });
    }

    public boolean clientExists(String clientId) {
        return QuarkusTransaction.requiringNew().call(() -> OAuthClient.findById(clientId) != null);
    }

    /** Clients that are the bridge itself (its web page): signing in to them needs no consent, as at any identity server. */
    private final java.util.Set<String> firstParty = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public boolean isFirstParty(String clientId) {
        return clientId != null && firstParty.contains(clientId);
    }

    /** A user's name for people to read, by id; empty for an unknown id. */
    public Optional<String> username(UUID userId) {
        return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(UserAccount.<UserAccount>findById(userId)).map(u -> u.username));
    }

    /** A public client the bridge itself uses (its web console), kept as the bridge says at every start. */
    public void ensureInternalClient(String clientId, List<String> redirectUris, List<String> scopes) {
        firstParty.add(clientId);
        QuarkusTransaction.requiringNew().run(() -> upsertInternal(clientId, null, redirectUris, scopes,
                List.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN), true));
    }

    public UUID createUser(String username, String password) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new Rejected("username must be 1 to 128 letters, digits or . _ @ + -", false);
        }
        if (password == null || password.length() < MIN_PASSWORD || password.length() > 1024) {
            throw new Rejected("password must be " + MIN_PASSWORD + " to 1024 characters", false);
        }
        String hash = passwords.hash(password);
        return QuarkusTransaction.requiringNew().call(() -> {
            if (UserAccount.byUsername(username).isPresent()) {
                throw new Rejected("username already exists", true);
            }
            UserAccount u = new UserAccount();
            u.id = UUID.randomUUID();
            u.username = username;
            u.passwordHash = hash;
            u.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            u.persist();
            return u.id;
        });
    }

    public Optional<UUID> userId(String username) {
        return QuarkusTransaction.requiringNew().call(() -> UserAccount.byUsername(username == null ? "" : username).map(u -> u.id));
    }

    public void createClient(String clientId, Collection<String> redirectUris, Collection<String> scopes,
                             Collection<String> grantTypes, String secret) {
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw new Rejected("clientId must be 1 to 128 letters, digits or . _ : -", false);
        }
        if (clientId.equals(OAuthService.ADMIN_CLIENT_ID) || clientId.equals(config.deviceClientId())) {
            throw new Rejected("clientId " + clientId + " is reserved", true);
        }
        List<String> redirects = redirectUris == null ? List.of() : List.copyOf(redirectUris);
        for (String r : redirects) {
            requireRedirectUri(r);
        }
        if (scopes == null || scopes.isEmpty() || !CLIENT_SCOPES.containsAll(scopes)) {
            throw new Rejected("scopes must be a non-empty list of " + CLIENT_SCOPES, false);
        }
        List<String> grants = grantTypes == null || grantTypes.isEmpty()
                ? List.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN) : List.copyOf(grantTypes);
        if (!GRANT_TYPES.containsAll(grants)) {
            throw new Rejected("grantTypes must be among " + GRANT_TYPES, false);
        }
        if (grants.contains(OAuthService.AUTHORIZATION_CODE) && redirects.isEmpty()) {
            throw new Rejected("redirectUris are required for the authorization code flow", false);
        }
        if (secret == null && grants.contains(OAuthService.CLIENT_CREDENTIALS)) {
            throw new Rejected("client_credentials needs a secret", false);
        }
        if (secret != null && secret.length() < 16) {
            throw new Rejected("secret must be at least 16 characters", false);
        }
        QuarkusTransaction.joiningExisting().run(() -> {
            if (OAuthClient.findById(clientId) != null) {
                throw new Rejected("clientId already exists", true);
            }
            OAuthClient c = new OAuthClient();
            c.clientId = clientId;
            c.secretHash = secret == null ? null : Secrets.sha256Hex(secret);
            c.redirectUris = String.join("\n", redirects);
            c.scopes = Scopes.format(scopes);
            c.grantTypes = Scopes.format(grants);
            c.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            c.persist();
        });
    }

    private static void requireRedirectUri(String r) {
        RedirectUris.problem(r).ifPresent(p -> {
            throw new Rejected(p, false);
        });
    }
}
