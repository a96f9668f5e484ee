package org.ocfcloudbridge.identity;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.store.AuthorizationCode;
import org.ocfcloudbridge.store.HotStatements;
import org.ocfcloudbridge.store.AuthorizationRequest;
import org.ocfcloudbridge.store.OAuthClient;
import org.ocfcloudbridge.store.OAuthGrant;
import org.ocfcloudbridge.store.RefreshToken;
import org.ocfcloudbridge.store.UserAccount;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The rules of the embedded authorization server (RFC 6749, RFC 7636 PKCE, RFC 7009 revocation), apart from HTTP.
 * Codes and refresh tokens are single-use: a second use revokes everything the first one issued.
 */
@ApplicationScoped
public class OAuthService {

    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String ADMIN_CLIENT_ID = "bridge-admin";

    private static final Logger LOG = Logger.getLogger(OAuthService.class);
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** The outcome of a token request (RFC 6749 §5.1). */
    /** @param subject the token's {@code sub}: the user id, or the client id for client credentials */
    public record TokenResponse(String accessToken, long expiresIn, String refreshToken, String scope, String subject) {
    }

    /** A validated authorize request waiting for login. */
    public record PendingAuthorization(String requestId, String clientId, Set<String> scopes) {
    }

    /** Authorize errors that can be sent back to a verified redirect URI (RFC 6749 §4.1.2.1). */
    public static class RedirectableError extends RuntimeException {
        public final String location;

        RedirectableError(String location, String description) {
            super(description);
            this.location = location;
        }
    }

    /** Authorize and login errors shown to the user, because there is no trustworthy place to redirect to. */
    public static class UserFacingError extends RuntimeException {
        public UserFacingError(String message) {
            super(message);
        }
    }

    public record ClientCredentials(String clientId, String secret) {
    }

    private final IdentityConfig config;
    private final PasswordHasher passwords;
    private final TokenIssuer issuer;
    private final TokenVerifier verifier;
    private final LoginRateLimiter limiter;

    private final org.ocfcloudbridge.cluster.CacheInvalidation invalidation;

    public OAuthService(IdentityConfig config, PasswordHasher passwords, TokenIssuer issuer, TokenVerifier verifier,
                        LoginRateLimiter limiter, org.ocfcloudbridge.cluster.CacheInvalidation invalidation) {
        this.invalidation = invalidation;
        this.config = config;
        this.passwords = passwords;
        this.issuer = issuer;
        this.verifier = verifier;
        this.limiter = limiter;
    }

    // ---- authorization endpoint -------------------------------------------------------------------------------

    @Transactional
    public PendingAuthorization startAuthorization(String responseType, String clientId, String redirectUri, String scope,
                                                   String state, String codeChallenge, String challengeMethod) {
        OAuthClient client = clientId == null ? null : OAuthClient.findById(clientId);
        if (client == null) {
            throw new UserFacingError("The application that sent you here is not registered (unknown client_id).");
        }
        String redirect = redirectUri;
        if (redirect == null && client.redirectUriList().size() == 1) {
            redirect = client.redirectUriList().get(0);
        }
        if (redirect == null || !client.redirectUriList().contains(redirect)) {
            throw new UserFacingError("The application sent a redirect_uri that is not registered for it.");
        }
        if (RedirectUris.problem(redirect).isPresent()) {
            // Registered by an older version, which took any scheme: never send a browser to javascript: or file:.
            throw new UserFacingError("The application's redirect_uri is not a web address or an app's own scheme.");
        }
        if (!"code".equals(responseType)) {
            throw redirectError(redirect, "unsupported_response_type", "only response_type=code is supported", state);
        }
        if (!client.grantTypeSet().contains(AUTHORIZATION_CODE)) {
            throw redirectError(redirect, "unauthorized_client", "this client may not use the authorization code flow", state);
        }
        Set<String> scopes = Scopes.parse(scope);
        if (scopes.isEmpty()) {
            scopes = client.scopeSet();
        }
        if (!client.scopeSet().containsAll(scopes)) {
            throw redirectError(redirect, "invalid_scope", "scope not allowed for this client", state);
        }
        if (codeChallenge != null) {
            if (!"S256".equals(challengeMethod)) {
                throw redirectError(redirect, "invalid_request", "code_challenge_method must be S256", state);
            }
            if (!CHALLENGE.matcher(codeChallenge).matches()) {
                throw redirectError(redirect, "invalid_request", "code_challenge is not a base64url SHA-256", state);
            }
        } else if (client.isPublic() && !isDeviceClient(client.clientId)) {
            throw redirectError(redirect, "invalid_request", "PKCE (code_challenge, S256) is required for this client", state);
        }
        AuthorizationRequest r = new AuthorizationRequest();
        r.id = Secrets.randomToken();
        r.clientId = client.clientId;
        r.redirectUri = redirect;
        r.scope = Scopes.format(scopes);
        r.state = state;
        r.codeChallenge = codeChallenge;
        r.expiresAt = now().plus(config.loginTimeout());
        r.persist();
        return new PendingAuthorization(r.id, client.clientId, scopes);
    }

    /** Outcome of a login attempt: the browser secret that binds the consent to this browser, or why not. */
    public record LoginResult(PendingAuthorization pending, String browserSecret, boolean rateLimited) {
        public boolean succeeded() {
            return browserSecret != null;
        }
    }

    public LoginResult login(String requestId, String username, String password, String address) {
        PendingAuthorization pending = QuarkusTransaction.requiringNew().call(() -> {
            AuthorizationRequest r = liveRequest(requestId);
            return new PendingAuthorization(r.id, r.clientId, Scopes.parse(r.scope));
        });
        if (limiter.blocked(username, address)) {
            return new LoginResult(pending, null, true);
        }
        // The slow hash runs outside any transaction: a burst of logins must not hold database connections.
        Optional<UserAccount> user = QuarkusTransaction.requiringNew().call(() -> UserAccount.byUsername(username == null ? "" : username));
        boolean ok;
        if (user.isPresent()) {
            ok = passwords.verify(password, user.get().passwordHash);
        } else {
            passwords.burn(password);
            ok = false;
        }
        if (!ok) {
            limiter.failed(username, address);
            return new LoginResult(pending, null, false);
        }
        limiter.succeeded(username, address);
        String browserSecret = Secrets.randomToken();
        UUID userId = user.get().id;
        QuarkusTransaction.requiringNew().run(() -> {
            AuthorizationRequest r = liveRequest(requestId);
            r.userId = userId;
            r.browserHash = Secrets.sha256Hex(browserSecret);
        });
        return new LoginResult(pending, browserSecret, false);
    }

    /** Finishes an authorization: returns where to send the browser, with a code or with {@code access_denied}. */
    @Transactional
    public String consent(String requestId, String browserSecret, boolean allow) {
        AuthorizationRequest r = liveRequest(requestId);
        if (r.userId == null || browserSecret == null
                || !Secrets.constantTimeEquals(r.browserHash, Secrets.sha256Hex(browserSecret))) {
            throw new UserFacingError("Please sign in first (this browser has not signed in for this request).");
        }
        r.delete();
        if (!allow) {
            return appendQuery(r.redirectUri, params("error", "access_denied", "error_description", "the user denied access",
                    "state", r.state));
        }
        String code = Secrets.randomToken();
        AuthorizationCode c = new AuthorizationCode();
        c.codeHash = Secrets.sha256Hex(code);
        c.clientId = r.clientId;
        c.userId = r.userId;
        c.redirectUri = r.redirectUri;
        c.scope = r.scope;
        c.codeChallenge = r.codeChallenge;
        c.expiresAt = now().plus(isDeviceClient(r.clientId) ? config.deviceCodeLifetime() : config.codeLifetime());
        c.persist();
        return appendQuery(r.redirectUri, params("code", code, "state", r.state));
    }

    private AuthorizationRequest liveRequest(String requestId) {
        AuthorizationRequest r = requestId == null ? null : AuthorizationRequest.findById(requestId);
        if (r == null || r.expiresAt.isBefore(now())) {
            throw new UserFacingError("This sign-in page has expired. Please start again from the application.");
        }
        return r;
    }

    // ---- token endpoint ---------------------------------------------------------------------------------------

    @Transactional(dontRollbackOn = OAuthException.class)
    public TokenResponse exchangeCode(ClientCredentials credentials, String code, String redirectUri, String codeVerifier) {
        OAuthClient client = authenticate(credentials);
        if (isDeviceClient(client.clientId)) {
            throw new OAuthException("unauthorized_client", "codes of the device client are presented by devices at sign-up");
        }
        requireGrantType(client, AUTHORIZATION_CODE);
        AuthorizationCode c = usableCode(code);
        if (!c.clientId.equals(client.clientId)) {
            throw OAuthException.invalidGrant("code was issued to another client");
        }
        if (c.redirectUri != null && !c.redirectUri.equals(redirectUri)) {
            throw OAuthException.invalidGrant("redirect_uri does not match the authorization request");
        }
        if (c.codeChallenge != null) {
            if (!Secrets.pkceMatches(codeVerifier, c.codeChallenge)) {
                throw OAuthException.invalidGrant("code_verifier does not match the code_challenge");
            }
        } else if (client.isPublic()) {
            throw OAuthException.invalidGrant("a public client's code needs PKCE");
        }
        OAuthGrant grant = claimCode(c, null);
        return issue(grant, client.grantTypeSet().contains(REFRESH_TOKEN), grant.scope);
    }

    /**
     * A device's sign-up (Part 11 §12): exchanges a code issued to the device client and binds the tokens to the device.
     */
    @Transactional(dontRollbackOn = OAuthException.class)
    public TokenResponse exchangeDeviceCode(String code, String deviceId) {
        AuthorizationCode c = usableCode(code);
        if (!isDeviceClient(c.clientId)) {
            throw OAuthException.invalidGrant("code was not issued for a device");
        }
        // Plain JDBC for the grant, the code's claim and the refresh token: the device gateway's hot path in a sign-up
        // storm, where Hibernate's persist, flush and HQL update were a fifth of the CPU (bench/devices.sh, 2026-12-06).
        OAuthGrant grant = grantFor(c.clientId, c.userId, deviceId, c.scope);
        int won = HotStatements.onTransaction(conn -> {
            HotStatements.with(conn, "insert into oauth_grant (id, client_id, user_id, device_id, scope, created_at) "
                    + "values (?, ?, ?, ?, ?, ?)", ps -> {
                ps.setObject(1, grant.id);
                ps.setString(2, grant.clientId);
                ps.setObject(3, grant.userId);
                ps.setString(4, grant.deviceId);
                ps.setString(5, grant.scope);
                ps.setObject(6, grant.createdAt);
                return ps.executeUpdate();
            });
            // Conditional update: of two concurrent exchanges of one code, exactly one wins.
            return HotStatements.with(conn, "update oauth_code set used_at = ?, grant_id = ? where code_hash = ? "
                    + "and used_at is null", ps -> {
                ps.setObject(1, now());
                ps.setObject(2, grant.id);
                ps.setString(3, c.codeHash);
                return ps.executeUpdate();
            });
        });
        if (won != 1) {
            revokeGrant(OAuthGrant.<OAuthGrant>findById(grant.id), "authorization code raced");
            throw OAuthException.invalidGrant("authorization code already used");
        }
        String refresh = Secrets.randomToken();
        OffsetDateTime now = now();
        HotStatements.inTransaction(
                "insert into oauth_refresh_token (token_hash, grant_id, expires_at, created_at) values (?, ?, ?, ?)", ps -> {
                    ps.setString(1, Secrets.sha256Hex(refresh));
                    ps.setObject(2, grant.id);
                    ps.setObject(3, now.plus(config.refreshTokenLifetime()));
                    ps.setObject(4, now);
                    return ps.executeUpdate();
                });
        return tokens(grant, grant.scope, refresh);
    }

    @Transactional(dontRollbackOn = OAuthException.class)
    public TokenResponse refresh(ClientCredentials credentials, String refreshToken, String scope) {
        OAuthClient client = authenticate(credentials);
        requireGrantType(client, REFRESH_TOKEN);
        return rotate(refreshToken, client.clientId, null, scope);
    }

    /** A device's token refresh (Part 11 §14): the refresh token must belong to that device. */
    @Transactional(dontRollbackOn = OAuthException.class)
    public TokenResponse refreshDeviceToken(String refreshToken, String deviceId) {
        return rotate(refreshToken, config.deviceClientId(), deviceId, null);
    }

    @Transactional(dontRollbackOn = OAuthException.class)
    public TokenResponse clientCredentials(ClientCredentials credentials, String scope) {
        OAuthClient client = authenticate(credentials);
        if (client.isPublic()) {
            throw new OAuthException("unauthorized_client", "a public client cannot use client_credentials");
        }
        requireGrantType(client, CLIENT_CREDENTIALS);
        Set<String> scopes = Scopes.parse(scope);
        if (scopes.isEmpty()) {
            scopes = client.scopeSet();
        }
        if (!client.scopeSet().containsAll(scopes)) {
            throw new OAuthException("invalid_scope", "scope not allowed for this client");
        }
        OAuthGrant grant = newGrant(client.clientId, null, null, Scopes.format(scopes));
        return issue(grant, false, grant.scope);
    }

    /** RFC 7009: revokes the grant behind a refresh or access token of this client; unknown tokens are ignored. */
    @Transactional
    public void revoke(ClientCredentials credentials, String token) {
        OAuthClient client = authenticate(credentials);
        if (token == null || token.isBlank()) {
            throw OAuthException.invalidRequest("token is required");
        }
        UUID grantId = null;
        RefreshToken rt = RefreshToken.findById(Secrets.sha256Hex(token));
        if (rt != null) {
            grantId = rt.grantId;
        } else {
            grantId = verifier.grantOfOwnToken(token);
        }
        if (grantId == null) {
            return;
        }
        OAuthGrant grant = OAuthGrant.findById(grantId);
        if (grant != null && grant.clientId.equals(client.clientId)) {
            revokeGrant(grant, "revoked by the client");
        }
    }

    // ---- administration ---------------------------------------------------------------------------------------

    public record DeviceCode(String code, long expiresIn) {
    }

    /** A device authorization code for a user, as a Mediator would obtain after the user signed in. */
    @Transactional
    public DeviceCode issueDeviceCode(UUID userId) {
        OAuthClient device = OAuthClient.findById(config.deviceClientId());
        String code = Secrets.randomToken();
        AuthorizationCode c = new AuthorizationCode();
        c.codeHash = Secrets.sha256Hex(code);
        c.clientId = config.deviceClientId();
        c.userId = userId;
        c.scope = device == null ? "" : device.scopes;
        Duration ttl = config.deviceCodeLifetime();
        c.expiresAt = now().plus(ttl);
        c.persist();
        return new DeviceCode(code, ttl.toSeconds());
    }

    /** Ends every embedded grant of a device (deregistration, or a sign-up refused after the code was exchanged). */
    @Transactional
    public void revokeDevice(String deviceId) {
        for (OAuthGrant g : OAuthGrant.<OAuthGrant>list("deviceId = ?1 and revokedAt is null", deviceId)) {
            revokeGrant(g, "device " + deviceId + " deregistered");
        }
    }

    public boolean isDeviceClient(String clientId) {
        return config.deviceClientId().equals(clientId);
    }

    // ---- internals --------------------------------------------------------------------------------------------

    private OAuthClient authenticate(ClientCredentials credentials) {
        if (credentials == null || credentials.clientId() == null || credentials.clientId().isBlank()) {
            throw new OAuthException("invalid_client", "client authentication is required");
        }
        OAuthClient client = OAuthClient.findById(credentials.clientId());
        if (client == null) {
            throw new OAuthException("invalid_client", "client authentication failed");
        }
        if (!client.isPublic()) {
            String presented = credentials.secret() == null ? null : Secrets.sha256Hex(credentials.secret());
            if (!Secrets.constantTimeEquals(client.secretHash, presented)) {
                throw new OAuthException("invalid_client", "client authentication failed");
            }
        }
        return client;
    }

    private static void requireGrantType(OAuthClient client, String grantType) {
        if (!client.grantTypeSet().contains(grantType)) {
            throw new OAuthException("unauthorized_client", "this client may not use " + grantType);
        }
    }

    /** Finds a code that is unused and unexpired; a used one revokes what it issued (RFC 6749 §4.1.2). */
    private AuthorizationCode usableCode(String code) {
        AuthorizationCode c = code == null ? null : AuthorizationCode.findById(Secrets.sha256Hex(code));
        if (c == null) {
            throw OAuthException.invalidGrant("unknown authorization code");
        }
        if (c.usedAt != null) {
            if (c.grantId != null) {
                OAuthGrant first = OAuthGrant.findById(c.grantId);
                if (first != null) {
                    revokeGrant(first, "authorization code replayed");
                }
            }
            throw OAuthException.invalidGrant("authorization code already used; the tokens it issued are revoked");
        }
        if (c.expiresAt.isBefore(now())) {
            throw OAuthException.invalidGrant("authorization code expired");
        }
        return c;
    }

    private OAuthGrant claimCode(AuthorizationCode c, String deviceId) {
        OAuthGrant grant = newGrant(c.clientId, c.userId, deviceId, c.scope);
        // Conditional update: of two concurrent exchanges of one code, exactly one wins.
        int won = AuthorizationCode.update("usedAt = ?1, grantId = ?2 where codeHash = ?3 and usedAt is null",
                now(), grant.id, c.codeHash);
        if (won != 1) {
            revokeGrant(grant, "authorization code raced");
            throw OAuthException.invalidGrant("authorization code already used");
        }
        return grant;
    }

    private TokenResponse rotate(String refreshToken, String clientId, String deviceId, String scope) {
        RefreshToken rt = refreshToken == null ? null : RefreshToken.findById(Secrets.sha256Hex(refreshToken));
        if (rt == null) {
            throw OAuthException.invalidGrant("unknown refresh token");
        }
        OAuthGrant grant = OAuthGrant.findById(rt.grantId);
        if (grant == null || grant.revokedAt != null) {
            throw OAuthException.invalidGrant("refresh token revoked");
        }
        if (!grant.clientId.equals(clientId) || (deviceId != null && !deviceId.equals(grant.deviceId))) {
            throw OAuthException.invalidGrant("refresh token was issued to another client or device");
        }
        if (rt.usedAt != null) {
            revokeGrant(grant, "refresh token reused");
            throw OAuthException.invalidGrant("refresh token already used; the grant is revoked");
        }
        if (rt.expiresAt.isBefore(now())) {
            throw OAuthException.invalidGrant("refresh token expired");
        }
        Set<String> requested = Scopes.parse(scope);
        if (!requested.isEmpty() && !Scopes.parse(grant.scope).containsAll(requested)) {
            throw new OAuthException("invalid_scope", "scope exceeds what was granted");
        }
        int won = RefreshToken.update("usedAt = ?1 where tokenHash = ?2 and usedAt is null", now(), rt.tokenHash);
        if (won != 1) {
            revokeGrant(grant, "refresh token raced");
            throw OAuthException.invalidGrant("refresh token already used; the grant is revoked");
        }
        return issue(grant, true, requested.isEmpty() ? grant.scope : Scopes.format(requested));
    }

    private OAuthGrant newGrant(String clientId, UUID userId, String deviceId, String scope) {
        OAuthGrant g = grantFor(clientId, userId, deviceId, scope);
        g.persist();
        return g;
    }

    /** A new grant, not stored yet. */
    private static OAuthGrant grantFor(String clientId, UUID userId, String deviceId, String scope) {
        OAuthGrant g = new OAuthGrant();
        g.id = UUID.randomUUID();
        g.clientId = clientId;
        g.userId = userId;
        g.deviceId = deviceId;
        g.scope = scope;
        g.createdAt = now();
        return g;
    }

    private TokenResponse issue(OAuthGrant grant, boolean withRefresh, String scope) {
        String refresh = null;
        if (withRefresh) {
            refresh = Secrets.randomToken();
            RefreshToken rt = new RefreshToken();
            rt.tokenHash = Secrets.sha256Hex(refresh);
            rt.grantId = grant.id;
            rt.createdAt = now();
            rt.expiresAt = now().plus(config.refreshTokenLifetime());
            rt.persist();
        }
        return tokens(grant, scope, refresh);
    }

    /** A new access token of the grant (the verifier remembers it), answered with the refresh token given. */
    private TokenResponse tokens(OAuthGrant grant, String scope, String refresh) {
        Duration lifetime = config.accessTokenLifetime();
        String subject = grant.userId != null ? grant.userId.toString() : grant.clientId;
        java.time.Instant expires = java.time.Instant.now().plus(lifetime).minusSeconds(1);
        String access = issuer.accessToken(subject, grant.clientId, scope, grant.id, grant.deviceId, lifetime);
        verifier.remember(access, new VerifiedToken(subject, grant.clientId, Scopes.parse(scope), grant.deviceId,
                grant.id.toString(), config.embeddedProviderName(), expires), TokenVerifier.kidOf(access));
        return new TokenResponse(access, lifetime.toSeconds(), refresh, scope, subject);
    }

    /** Revokes a grant by id (the bridge's own page signing its user out); an unknown id is ignored. */
    @Transactional
    public void revokeGrant(UUID grantId, String why) {
        OAuthGrant grant = OAuthGrant.findById(grantId);
        if (grant != null) {
            revokeGrant(grant, why);
        }
    }

    private void revokeGrant(OAuthGrant grant, String why) {
        if (grant.revokedAt == null) {
            grant.revokedAt = now();
            LOG.infof("grant %s of client %s revoked: %s", grant.id, grant.clientId, why);
            invalidation.grantRevoked(grant.id);
        }
        verifier.markRevoked(grant.id);
    }

    private RedirectableError redirectError(String redirect, String error, String description, String state) {
        return new RedirectableError(appendQuery(redirect, params("error", error, "error_description", description, "state", state)),
                description);
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    static String appendQuery(String uri, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(uri);
        boolean hasQuery = URI.create(uri).getRawQuery() != null;
        for (Map.Entry<String, String> e : params.entrySet()) {
            sb.append(hasQuery ? '&' : '?');
            hasQuery = true;
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
