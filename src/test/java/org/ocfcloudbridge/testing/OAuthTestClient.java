package org.ocfcloudbridge.testing;

import io.restassured.response.Response;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;

/** Drives the embedded authorization server over real HTTP the way a client application and its user would. */
public final class OAuthTestClient {

    public static final String ADMIN_SECRET = "test-admin-secret-0123456789";
    private static final Pattern REQUEST_FIELD = Pattern.compile("name=\"request\" value=\"([^\"]+)\"");

    private OAuthTestClient() {
    }

    public record Pkce(String verifier, String challenge) {
        public static Pkce create() {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static String adminToken() {
        return given().auth().preemptive().basic("bridge-admin", ADMIN_SECRET)
                .formParam("grant_type", "client_credentials")
                .post("/oauth2/token").then().statusCode(200).extract().path("access_token");
    }

    /** A new user with a unique name; returns {username, password, id}. */
    public static String[] newUser() {
        String username = "user-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        String id = given().auth().oauth2(adminToken()).contentType("application/json")
                .body(Map.of("username", username, "password", password))
                .post("/api/admin/users").then().statusCode(201).extract().path("id");
        return new String[] {username, password, id};
    }

    /** Registers a client; {@code secret} null makes it public. Returns the client id. */
    public static String newClient(String redirectUri, String secret, List<String> scopes) {
        String clientId = "client-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", clientId);
        body.put("redirectUris", List.of(redirectUri));
        body.put("scopes", scopes);
        if (secret != null) {
            body.put("secret", secret);
        }
        given().auth().oauth2(adminToken()).contentType("application/json").body(body)
                .post("/api/admin/clients").then().statusCode(201);
        return clientId;
    }

    public static Response authorize(String clientId, String redirectUri, String scope, String state, Pkce pkce) {
        var spec = given().redirects().follow(false).queryParam("response_type", "code").queryParam("client_id", clientId)
                .queryParam("redirect_uri", redirectUri).queryParam("state", state);
        if (scope != null) {
            spec.queryParam("scope", scope);
        }
        if (pkce != null) {
            spec.queryParam("code_challenge", pkce.challenge()).queryParam("code_challenge_method", "S256");
        }
        return spec.get("/oauth2/authorize");
    }

    public static String requestId(String html) {
        Matcher m = REQUEST_FIELD.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no request field in page:\n" + html);
        }
        return m.group(1);
    }

    public static Response login(String requestId, String username, String password) {
        return given().redirects().follow(false).formParam("request", requestId).formParam("username", username)
                .formParam("password", password).post("/oauth2/login");
    }

    public static Response consent(String requestId, String browserCookie, String answer) {
        var spec = given().redirects().follow(false).formParam("request", requestId).formParam("consent", answer);
        if (browserCookie != null) {
            spec.cookie("bridge_authz", browserCookie);
        }
        return spec.post("/oauth2/consent");
    }

    /** The whole browser part: authorize, login, allow. Returns the code from the redirect. */
    public static String code(String clientId, String redirectUri, String[] user, Pkce pkce, String scope) {
        Response page = authorize(clientId, redirectUri, scope, "st-1", pkce);
        if (page.statusCode() != 200) {
            throw new AssertionError("authorize answered " + page.statusCode() + " " + page.header("Location") + page.asString());
        }
        String request = requestId(page.asString());
        Response loggedIn = login(request, user[0], user[1]);
        if (loggedIn.statusCode() != 200) {
            throw new AssertionError("login answered " + loggedIn.statusCode());
        }
        Response redirect = consent(request, loggedIn.cookie("bridge_authz"), "allow");
        Map<String, String> q = query(redirect.header("Location"));
        if (!"st-1".equals(q.get("state"))) {
            throw new AssertionError("state not echoed: " + redirect.header("Location"));
        }
        return q.get("code");
    }

    public static Map<String, String> query(String location) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = URI.create(location).getRawQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    public static Response exchange(String clientId, String secret, String code, String redirectUri, String verifier) {
        var spec = given().formParam("grant_type", "authorization_code").formParam("code", code)
                .formParam("redirect_uri", redirectUri);
        if (verifier != null) {
            spec.formParam("code_verifier", verifier);
        }
        if (secret != null) {
            spec.auth().preemptive().basic(clientId, secret);
        } else {
            spec.formParam("client_id", clientId);
        }
        return spec.post("/oauth2/token");
    }

    public static Response refresh(String clientId, String secret, String refreshToken) {
        var spec = given().formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken);
        if (secret != null) {
            spec.auth().preemptive().basic(clientId, secret);
        } else {
            spec.formParam("client_id", clientId);
        }
        return spec.post("/oauth2/token");
    }

    public static Response revoke(String clientId, String secret, String token) {
        var spec = given().formParam("token", token);
        if (secret != null) {
            spec.auth().preemptive().basic(clientId, secret);
        } else {
            spec.formParam("client_id", clientId);
        }
        return spec.post("/oauth2/revoke");
    }
}
